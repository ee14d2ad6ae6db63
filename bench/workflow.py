"""The workflow bench (issue 16): the time rules over every customer, on the worker.

Target: the time-based rules for 1,000,000 customers in <= 5 minutes. The database is topped up
to `--customers` with synthetic customers (bulk inserts, no search documents: the rules never
read them) in one team, each owned by one of 20 bench reps, with the last interaction spread
evenly over the past 200 days, 5% in the team pool since up to 4 days, and one open
opportunity in 20 with a close date in the last 30 days. Then, timed:

- evaluate: each shipped time rule's candidate query alone (counted, nothing fired);
- first tick: `time_rules_run` with the ticks' state "one day's worth" new: the firings of the
  other states are recorded beforehand (bulk), as a database that has run the rules every day
  would have them; what fires is the last day's newly stale customers, newly unclaimed leads and
  overdue opportunities, with their actions (back to the pool, notifications);
- steady tick: the same again at once (nothing new: every candidate has fired).
The two ticks run inside one transaction that is rolled back (unless --keep), so the prepared
database is left as it was for the other modules; each batch is then a savepoint, not a commit.

Run by bench/run.py as `python -m bench.workflow --json OUT`, or alone against any database:
    KEHU_DATA_DIR=/tmp/wf .venv/bin/kehu migrate
    KEHU_DATA_DIR=/tmp/wf .venv/bin/python -m bench.workflow --json /tmp/wf.json --customers 100000
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, machine
from bench.common import write_json as write_result

TARGET_SECONDS = 300.0
BATCH = 5000


def top_up(target: int) -> int:
    """Insert synthetic customers until there are `target`; returns how many were added."""
    from django.db import transaction
    from django.utils import timezone

    from kehu.accounts.models import Role, Team, User
    from kehu.customers.models import Customer
    from kehu.opportunities.models import Opportunity

    have = Customer.objects.count()
    if have >= target:
        return 0
    team, _ = Team.objects.get_or_create(name="工作流测试组")
    reps = []
    for number in range(20):
        user, _ = User.objects.get_or_create(
            username=f"wfbench{number}",
            defaults={"role": Role.REP, "team": team, "display_name": f"流程{number}"},
        )
        reps.append(user)
    User.objects.get_or_create(
        username="wfbench-mgr",
        defaults={"role": Role.MANAGER, "team": team, "display_name": "流程经理"},
    )
    now = timezone.now()
    added = 0
    start = have
    while start < target:
        rows = []
        opportunities = []
        for number in range(start, min(start + BATCH, target)):
            pooled = number % 20 == 7
            rows.append(
                Customer(
                    customer_no=f"WF{number:09d}",
                    name=f"工作流测试客户{number}",
                    name_normalized=f"工作流测试客户{number}",
                    owner=None if pooled else reps[number % 20],
                    team=team,
                    last_interaction_at=now - timedelta(minutes=(number * 7919) % (200 * 1440)),
                )
            )
        with transaction.atomic():
            created = Customer.objects.bulk_create(rows)
            for customer in created:
                if customer.pk % 20 == 3 and customer.owner_id:
                    opportunities.append(
                        Opportunity(
                            customer=customer,
                            title=f"项目{customer.pk}",
                            owner_id=customer.owner_id,
                            expected_close_date=(now - timedelta(days=customer.pk % 30)).date(),
                        )
                    )
            Opportunity.objects.bulk_create(opportunities)
            pooled_ids = [c.pk for c in created if c.owner_id is None]
            for day in range(4):  # in the pool since 0-3 days (created_at: auto_now_add)
                Customer.objects.filter(pk__in=pooled_ids[day::4]).update(
                    created_at=now - timedelta(days=day, hours=1)
                )
        added += len(rows)
        start += BATCH
        print(f"  {start:,} customers", flush=True)
    return added


def fired_before(now: Any) -> int:
    """Record the firings a daily run would have made up to yesterday, in bulk."""
    from kehu.workflow.models import Rule, RuleFiring
    from kehu.workflow.services import engine

    yesterday = now - timedelta(days=1)
    rows = 0
    for rule in Rule.objects.filter(is_enabled=True).exclude(trigger__in=engine.EVENT_TRIGGERS):
        RuleFiring.objects.filter(rule=rule).delete()
        found: Any
        if rule.trigger == Rule.Trigger.NO_INTERACTION:
            found = engine.no_interaction_candidates(rule, yesterday)
        elif rule.trigger == Rule.Trigger.LEAD_UNCLAIMED:
            found = engine.lead_unclaimed_candidates(rule, yesterday)
        elif rule.trigger == Rule.Trigger.OPPORTUNITY_OVERDUE:
            found = engine.opportunity_overdue_candidates(rule, (yesterday).date())
        else:
            found = engine.task_overdue_candidates(rule, (yesterday).date())
        label = found.model._meta.label_lower
        moment = rule.trigger in (Rule.Trigger.NO_INTERACTION, Rule.Trigger.LEAD_UNCLAIMED)
        batch = []
        for pk, state in engine._id_and_state(found):
            batch.append(
                RuleFiring(
                    rule=rule, target_type=label, target_id=pk, occurrence=state.isoformat(),
                    state_at=state if moment else None, state_on=None if moment else state,
                )
            )  # fmt: skip
            if len(batch) >= BATCH:
                RuleFiring.objects.bulk_create(batch)
                rows += len(batch)
                batch = []
        RuleFiring.objects.bulk_create(batch)
        rows += len(batch)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--customers", type=int, default=0, help="top the database up to this")
    parser.add_argument("--requests", type=int, default=0, help="(bench/run.py passes it; unused)")
    parser.add_argument("--keep", action="store_true", help="commit what the ticks did")
    parser.add_argument("--seed-only", action="store_true", help="top up, then stop")
    args = parser.parse_args()
    django_setup()
    from django.db import transaction
    from django.utils import timezone

    from kehu.core.db import db_analyze
    from kehu.customers.models import Customer
    from kehu.workflow.models import Rule
    from kehu.workflow.services import engine
    from kehu.workflow.services.setup import rules_defaults_ensure

    load_before = os.getloadavg()[0]
    rules_defaults_ensure()
    started = time.monotonic()
    added = top_up(args.customers)
    seeded = time.monotonic() - started
    db_analyze()
    if args.seed_only:
        print(f"  seeded {added:,} in {seeded:.0f} s", flush=True)
        return
    now = timezone.now()
    total = Customer.objects.count()
    evaluate = []
    for rule in Rule.objects.filter(is_enabled=True).exclude(trigger__in=engine.EVENT_TRIGGERS):
        began = time.monotonic()
        if rule.trigger == Rule.Trigger.NO_INTERACTION:
            count = engine.no_interaction_candidates(rule, now).count()
        elif rule.trigger == Rule.Trigger.LEAD_UNCLAIMED:
            count = engine.lead_unclaimed_candidates(rule, now).count()
        elif rule.trigger == Rule.Trigger.OPPORTUNITY_OVERDUE:
            count = engine.opportunity_overdue_candidates(rule, now.date()).count()
        else:
            count = engine.task_overdue_candidates(rule, now.date()).count()
        evaluate.append(
            {"rule": rule.name, "candidates": count, "seconds": round(time.monotonic() - began, 2)}
        )
        print(f"  evaluate {rule.trigger}: {count:,} in {evaluate[-1]['seconds']} s", flush=True)
    with transaction.atomic():  # rolled back unless --keep: the other modules' data stays
        prepared = fired_before(now)
        db_analyze()
        began = time.monotonic()
        first = engine.time_rules_run(now=now)
        first_seconds = time.monotonic() - began
        print(f"  first tick: {sum(first.values()):,} fired in {first_seconds:.1f} s", flush=True)
        began = time.monotonic()
        steady = engine.time_rules_run(now=now)
        steady_seconds = time.monotonic() - began
        print(
            f"  steady tick: {sum(steady.values()):,} fired in {steady_seconds:.1f} s", flush=True
        )
        if not args.keep:
            transaction.set_rollback(True)
    fired = sum(first.values())
    result = {
        "module": "workflow",
        "customers": total,
        "added": added,
        "seed_seconds": round(seeded, 1),
        "evaluate": evaluate,
        "firings_prepared": prepared,
        "first_tick": {"fired": fired, "seconds": round(first_seconds, 1)},
        "per_firing_ms": round(first_seconds * 1000 / fired, 1) if fired else None,
        "steady_tick": {"fired": sum(steady.values()), "seconds": round(steady_seconds, 1)},
        "target_seconds": TARGET_SECONDS,
        "passed": first_seconds <= TARGET_SECONDS and steady_seconds <= TARGET_SECONDS,
        "load_before": load_before,
        "machine": machine(),
        "database": database_info(),
    }
    write_result(args.json, result)


if __name__ == "__main__":
    main()
