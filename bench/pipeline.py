"""The pipeline board and forecast of a team with 10,000 open opportunities among 1,000,000
(issue 16: p95 ≤ 200 ms).

    KEHU_DATA_DIR=/tmp/kehu-bench-pipeline flock /tmp/kehu-bench.lock \
        .venv/bin/python -m bench.pipeline --opportunities 1000000 --requests 50

On an empty database it runs `migrate` and `kehu demo --customers N` first (two teams, their
reps and customers). It then inserts opportunities in bulk until there are --opportunities:
--team-open open ones (and a fifth as many won or lost) on 华东销售部's customers, the rest on
华南销售部's, all stages, close dates over two years, owners the customers' owners. As 周经理
(华东's manager) it times the board, the list, the API list sorted by close date, and the
forecast (page and API). Prints a JSON summary (--json PATH writes it too).
"""

from __future__ import annotations

import argparse
import json
import os
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, query_counts, summarize, time_requests

OPEN = ("initial_contact", "needs_confirmed", "proposal", "negotiation")
CLOSED = ("won", "lost")


def prepare(demo_customers: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from kehu.customers.models import Customer

    if not Customer.objects.exists():
        call_command("demo", customers=demo_customers, verbosity=0)


def fill(total: int, team_open: int, seed: int = 16) -> int:
    """Insert opportunities until there are `total`; returns how many were added."""
    from kehu.customers.models import Customer
    from kehu.opportunities.models import Opportunity

    have = Opportunity.objects.count()
    if have >= total:
        return 0
    rng = random.Random(seed)
    east = list(
        Customer.objects.filter(team__name="华东销售部", owner__isnull=False).values_list(
            "pk", "owner_id"
        )
    )
    south = list(
        Customer.objects.exclude(team__name="华东销售部")
        .filter(owner__isnull=False)
        .values_list("pk", "owner_id")
    )
    if not east or not south:
        raise SystemExit("the sandbox has no owned customers of both teams")
    start = date(2026, 1, 1)
    east_open = Opportunity.objects.filter(customer__team__name="华东销售部", stage__in=OPEN)
    wanted_east = max(team_open - east_open.count(), 0)
    added, batch = 0, []
    for index in range(total - have):
        if index < wanted_east:
            customer, stage = rng.choice(east), rng.choice(OPEN)
        elif index < wanted_east * 6 // 5:
            customer, stage = rng.choice(east), rng.choice(CLOSED)
        else:
            customer, stage = rng.choice(south), rng.choice(OPEN + CLOSED)
        batch.append(
            Opportunity(
                customer_id=customer[0],
                owner_id=customer[1],
                title=f"压测商机{have + index}",
                stage=stage,
                expected_amount=Decimal(rng.randrange(10, 5000) * 1000),
                expected_close_date=start + timedelta(days=rng.randrange(730)),
            )
        )
        if len(batch) == 5000:
            Opportunity.objects.bulk_create(batch)
            added += len(batch)
            batch = []
    Opportunity.objects.bulk_create(batch)
    return added + len(batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--team-open", type=int, default=10_000)
    parser.add_argument("--demo-customers", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("KEHU_REQUIRE_2FA", "false")  # the manager signs in without TOTP here
    django_setup()
    from django.test import Client

    from kehu.accounts.models import User
    from kehu.opportunities.models import Opportunity

    prepare(args.demo_customers)
    added = fill(args.opportunities, args.team_open)
    if added:  # a bulk load leaves the planner without statistics (kehu.core.db)
        from kehu.core.db import db_analyze

        db_analyze()
    manager = User.objects.get(username="zhou")
    client = Client()
    client.force_login(manager)
    scenarios = {
        "board": "/opportunities/",
        "board_open_mine": "/opportunities/?owner=zhang",
        "list_by_close_date": "/opportunities/?view=list&order=expected_close_date",
        "api_list_stage": "/api/v1/opportunities?stage=proposal&order=expected_close_date",
        "api_forecast": "/api/v1/opportunities/forecast?open=true",
        "forecast_page": "/opportunities/forecast/?stage=proposal&stage=negotiation",
    }
    results: dict[str, Any] = {}
    for name, url in scenarios.items():
        times, cpu, statuses = time_requests(client.get, [url] * args.requests)
        results[name] = {
            "url": url,
            **summarize(times),
            "cpu_p95": summarize(cpu)["p95"],
            "statuses": dict(statuses),
            "queries": query_counts(client.get, [url])[0],
        }
        print(f"{name}: p50 {results[name]['p50']} ms, p95 {results[name]['p95']} ms")
    report = {
        "database": database_info(),
        "opportunities": Opportunity.objects.count(),
        "added": added,
        "team_open": Opportunity.objects.filter(
            customer__team__name="华东销售部", stage__in=OPEN
        ).count(),
        "scenarios": results,
        "p95_max": max(r["p95"] for r in results.values()),
    }
    print(json.dumps(report, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
