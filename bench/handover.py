"""Hand-over of a departing rep with a 400-customer book (issue 14.1: ≤ 2 s, one transaction).

    KEHU_DATA_DIR=/tmp/kehu-bench-handover flock /tmp/kehu-bench.lock \
        .venv/bin/python -m bench.handover --customers 400 --runs 3

On an empty database it runs `migrate` and `kehu demo --customers N` first (the sandbox: two
teams, reps, contacts, interactions, opportunities, the search index). Each run then gives a new
rep of 华东销售部 `--customers` customers (taken from the sandbox's reps, with their open
opportunities and tasks), and times, for 李销售 as the default successor with the last customer
sent to the team pool: the plan (the confirmation page's counts) and the confirmation
(kehu.collab.services.handover_confirm: owners, opportunities and tasks in bulk, one audit
entry each, the search documents, deactivation, notifications), each one transaction, committed.
Prints one line per run and a JSON summary (--json PATH writes it too).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.common import django_setup


def prepare(demo_customers: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from kehu.customers.models import Customer

    if not Customer.objects.exists():
        call_command("demo", customers=demo_customers, verbosity=0)


def departing_rep(run: int, size: int) -> Any:
    """A new 华东 rep owning `size` customers with their open opportunities and tasks."""
    from kehu.accounts.models import Role, Team, User
    from kehu.collab.services import CLOSED_STAGES
    from kehu.customers.models import Customer
    from kehu.customers.services import customers_reassign
    from kehu.interactions.models import FollowUp
    from kehu.interactions.services.followups import followup_create, followups_reassign
    from kehu.opportunities.models import Opportunity
    from kehu.opportunities.services import opportunities_reassign, opportunity_create

    team = Team.objects.get(name="华东销售部")
    admin = User.objects.get(username="admin")
    user = User.objects.create_user(
        username=f"leaver{run}-{time.time_ns()}",
        password=None,
        display_name=f"王销售{run}",
        role=Role.REP,
        team=team,
    )
    ids = list(
        Customer.objects.filter(team=team, owner__isnull=False)
        .order_by("?")
        .values_list("pk", flat=True)[:size]
    )
    if len(ids) < size:
        raise SystemExit(f"only {len(ids)} 华东 customers to give; load more (--demo-customers)")
    customers_reassign(actor=admin, plan=dict.fromkeys(ids, user), note="bench set-up")
    opportunities = Opportunity.objects.filter(customer_id__in=ids).exclude(stage__in=CLOSED_STAGES)
    opportunities_reassign(
        actor=admin, plan=dict.fromkeys(opportunities.values_list("pk", flat=True), user)
    )
    tasks = FollowUp.objects.filter(customer_id__in=ids, done_at__isnull=True)
    followups_reassign(actor=admin, plan=dict.fromkeys(tasks.values_list("pk", flat=True), user))
    customers = list(Customer.objects.filter(pk__in=ids).order_by("pk"))
    for customer in customers[: size // 4]:  # a book has open work: 1 in 4 an opportunity,
        opportunity_create(actor=admin, customer=customer, data={"title": "年度采购"})
    for customer in customers[: size // 2]:  # 1 in 2 a task
        followup_create(
            actor=admin, customer=customer, kind="next_action", title="回访", owner=user
        )
    return user


def run_once(run: int, size: int) -> dict[str, Any]:
    from django.db import transaction

    from kehu.accounts.models import User
    from kehu.collab.services import handover_confirm, handover_plan, handover_preview
    from kehu.customers.models import Customer

    user = departing_rep(run, size)
    manager = User.objects.get(username="zhou")
    successor = User.objects.get(username="li")
    last = handover_preview(user)["customers"].last()
    assert last is not None
    assignments = {last.customer_no: "pool"}
    started = time.perf_counter()
    with transaction.atomic():
        plan = handover_plan(actor=manager, user=user, assignments=assignments, default="li")
    plan_s = time.perf_counter() - started
    started = time.perf_counter()
    handover = handover_confirm(
        actor=manager,
        user=user,
        assignments=assignments,
        default="li",
        plan_token=plan.token,
    )
    confirm_s = time.perf_counter() - started
    summary = handover.summary
    assert summary["customers"] == size
    assert summary["successors"]["li"]["customers"] == size - 1
    assert summary["pool"]["customers"] == 1
    assert not Customer.objects.filter(owner=user).exists()
    return {
        "customers": size,
        "opportunities": summary["opportunities"],
        "follow_ups": summary["follow_ups"],
        "plan_s": round(plan_s, 3),
        "confirm_s": round(confirm_s, 3),
        "to_successor": successor.username,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demo-customers", type=int, default=5000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    prepare(args.demo_customers)
    from kehu.customers.models import Customer

    results = []
    for run in range(args.runs):
        result = run_once(run, args.customers)
        results.append(result)
        print(
            f"run {run + 1}: {result['customers']} customers, {result['opportunities']} "
            f"opportunities, {result['follow_ups']} tasks: plan {result['plan_s']:.3f} s, "
            f"confirm {result['confirm_s']:.3f} s"
        )
    report = {
        "database": connection.vendor,
        "customers_in_database": Customer.objects.count(),
        "runs": results,
        "confirm_s_max": max(r["confirm_s"] for r in results),
    }
    print(json.dumps(report, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
