"""The home dashboards and named reports (issue 18) on a large synthetic company.

    KEHU_DATA_DIR=/tmp/kehu-bench-dash flock /tmp/kehu-bench.lock \
        .venv/bin/python -m bench.dashboard --customers 1000000 --interactions 10000000 \
        --opportunities 500000
    KEHU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_dash ... (the same)

--load-only loads and stops (the load need not hold the bench lock; the timed run does).

On an empty database it migrates and loads, in bulk (executemany on SQLite, COPY on
PostgreSQL): --teams teams of --reps-per-team reps and a manager each, an executive, support and
marketing; customers spread over the reps (statuses 潜在 40 %, 意向 25 %, 成交 25 %, 流失 10 %;
70 % complete; created over three years), their 成交 status changes, one order per won customer,
interactions (occurred over two years, 10 % late), opportunities (all stages) and open tasks.
Then ANALYZE, and it times as a rep, a manager, the executive, support and marketing: the home
page and GET /api/v1/dashboard, and the named reports. The company-wide snapshot (the worker's
job) and the stored weekly reports are timed once each, as the worker would run them.
Prints a JSON summary (--json PATH writes it too).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, query_counts, summarize, time_requests

NOW = datetime.now(UTC)
STATUSES = ["lead"] * 8 + ["intent"] * 5 + ["won"] * 5 + ["lost"] * 2
STAGES = ("initial_contact", "needs_confirmed", "proposal", "negotiation", "won", "lost")
CHUNK = 20_000


def _chunks(rows: Iterable[tuple[Any, ...]], size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert rows (values of `columns`, already in database form) with every other column at
    its default; executemany on SQLite, COPY on PostgreSQL. Returns the number of rows."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if f.attname in columns or not f.primary_key]
    constant = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in columns
    }
    order = [f.attname for f in fields]
    names = [f.column for f in fields]
    index = {name: i for i, name in enumerate(columns)}
    table = model._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        for batch in _chunks(rows):
            full = [
                tuple(row[index[a]] if a in index else constant[a] for a in order) for row in batch
            ]
            if connection.vendor == "postgresql":
                sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in full:
                        copy.write_row([_pg(v) for v in row])
            else:
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", full
                )
            count += len(batch)
    return count


def _pg(value: Any) -> Any:
    """A value as COPY's text format takes it (JSON as its text)."""
    if type(value).__name__ == "Jsonb":
        value = value.obj
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def when(moment: datetime, vendor: str) -> Any:
    """A datetime as the backend stores it (SQLite: naive UTC text)."""
    if vendor == "postgresql":
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def load(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction

    from kehu.accounts.models import Role, Team, User
    from kehu.customers.models import Customer, CustomerStatusChange, Source
    from kehu.interactions.models import FollowUp, Interaction
    from kehu.opportunities.models import Opportunity, Order

    vendor = connection.vendor
    if vendor == "sqlite":  # a bulk load: a large page cache for the random index inserts
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-1500000")
            cursor.execute("PRAGMA synchronous=OFF")
    rng = random.Random(18)
    started = time.monotonic()
    reps: list[tuple[int, int]] = []
    with transaction.atomic():
        for t in range(args.teams):
            team = Team.objects.create(name=f"压测{t + 1}部")
            User.objects.create_user(f"mgr{t}", role=Role.MANAGER, team=team, password="x")
            for r in range(args.reps_per_team):
                user = User.objects.create_user(
                    f"rep{t}_{r}", role=Role.REP, team=team, password="x"
                )
                reps.append((user.pk, team.pk))
        for name, role in (
            ("boss", Role.EXECUTIVE),
            ("help", Role.SUPPORT),
            ("mkt", Role.MARKETING),
        ):
            User.objects.create_user(name, role=role, password="x")
    sources: list[int | None] = [*Source.objects.values_list("pk", flat=True)] or [None]
    n = args.customers
    owner_of = [reps[i % len(reps)] for i in range(n)]
    status_of = [STATUSES[rng.randrange(len(STATUSES))] for _ in range(n)]
    created = [NOW - timedelta(days=rng.random() * 1095) for _ in range(n)]
    last_contact: list[datetime | None] = [
        None if rng.random() < 0.1 else NOW - timedelta(days=rng.random() ** 2 * 400)
        for _ in range(n)
    ]
    first_id = 1

    def customers() -> Iterator[tuple[Any, ...]]:
        for i in range(n):
            complete = rng.random() < 0.7
            owner, team = owner_of[i]
            contact = last_contact[i]
            yield (
                first_id + i,
                f"CXB{i:09d}",
                f"压测客户{i}有限公司",
                f"压测客户{i}有限公司",
                status_of[i],
                owner,
                team,
                sources[i % len(sources)],
                90 if complete else 50,
                "[]" if complete else '["industry"]',
                "complete" if complete else "incomplete",
                None if contact is None else when(contact, vendor),
                when(created[i], vendor),
                when(created[i], vendor),
            )

    columns = [
        "id", "customer_no", "name", "name_normalized", "status", "owner_id", "team_id",
        "source_id", "completeness", "missing_fields", "quality", "last_interaction_at",
        "created_at", "updated_at",
    ]  # fmt: skip
    if vendor == "postgresql":
        customer_rows: Iterable[tuple[Any, ...]] = (
            row[:9] + (json.loads(row[9]),) + row[10:] for row in customers()
        )
    else:
        customer_rows = customers()
    counts: dict[str, float] = {"customers": insert(Customer, columns, customer_rows)}
    print(f"customers {counts['customers']} ({time.monotonic() - started:.0f} s)", flush=True)
    won = [i for i in range(n) if status_of[i] == "won"]
    counts["status_changes"] = insert(
        CustomerStatusChange,
        ["customer_id", "from_status", "to_status", "reason", "changed_at"],
        (
            (first_id + i, "intent", "won", "bench", when(created[i] + timedelta(days=30), vendor))
            for i in won
        ),
    )
    counts["orders"] = insert(
        Order,
        ["order_no", "customer_id", "signed_on", "amount", "status", "created_at", "updated_at"],
        (
            (
                f"DDB{i:09d}",
                first_id + i,
                (created[i] + timedelta(days=31)).date(),
                Decimal(rng.randrange(1, 500) * 1000),
                "signed",
                when(created[i], vendor),
                when(created[i], vendor),
            )
            for i in won
        ),
    )

    def interactions() -> Iterator[tuple[Any, ...]]:
        for k in range(args.interactions):
            i = rng.randrange(n)
            moment = NOW - timedelta(days=rng.random() ** 2 * 730)
            late = rng.random() < 0.1
            yield (
                f"HDB{k:010d}",
                first_id + i,
                when(moment, vendor),
                "phone",
                "压测跟进",
                owner_of[i][0],
                late,
                when(moment + timedelta(days=2 if late else 0), vendor),
            )

    counts["interactions"] = insert(
        Interaction,
        [
            "interaction_no",
            "customer_id",
            "occurred_at",
            "method",
            "topic",
            "performed_by_id",
            "is_late_entry",
            "created_at",
        ],  # fmt: skip
        interactions(),
    )
    print(f"interactions ({time.monotonic() - started:.0f} s)", flush=True)
    counts["opportunities"] = insert(
        Opportunity,
        [
            "customer_id",
            "owner_id",
            "title",
            "stage",
            "expected_amount",
            "expected_close_date",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        (
            (
                first_id + (i := rng.randrange(n)),
                owner_of[i][0],
                "压测商机",
                STAGES[rng.randrange(len(STAGES))],
                Decimal(rng.randrange(10, 5000) * 1000),
                date.today() + timedelta(days=rng.randrange(-200, 400)),
                when(NOW, vendor),
                when(NOW, vendor),
            )
            for _ in range(args.opportunities)
        ),
    )
    counts["follow_ups"] = insert(
        FollowUp,
        ["customer_id", "owner_id", "kind", "title", "due_date", "created_at"],
        (
            (
                first_id + (i := rng.randrange(n)),
                owner_of[i][0],
                "other",
                "压测任务",
                date.today() + timedelta(days=rng.randrange(-30, 30)),
                when(NOW, vendor),
            )
            for _ in range(args.customers // 5)
        ),
    )
    if vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Customer, Interaction, Opportunity, Order, FollowUp]
            ):
                cursor.execute(sql)
    counts["load_seconds"] = round(time.monotonic() - started, 1)
    return counts


def top_up(args: argparse.Namespace) -> dict[str, int]:
    """Complete a load that was stopped after its customers (a slow machine): opportunities and
    open tasks when there are none, over the customers and owners in the database."""
    from django.db import connection

    from kehu.customers.models import Customer
    from kehu.interactions.models import FollowUp
    from kehu.opportunities.models import Opportunity

    vendor = connection.vendor
    rng = random.Random(19)
    owned = list(Customer.objects.filter(owner__isnull=False).values_list("pk", "owner_id"))
    added: dict[str, int] = {}
    if not Opportunity.objects.exists():
        added["opportunities"] = insert(
            Opportunity,
            [
                "customer_id",
                "owner_id",
                "title",
                "stage",
                "expected_amount",
                "expected_close_date",
                "created_at",
                "updated_at",
            ],  # fmt: skip
            (
                (
                    *owned[rng.randrange(len(owned))],
                    "压测商机",
                    STAGES[rng.randrange(len(STAGES))],
                    Decimal(rng.randrange(10, 5000) * 1000),
                    date.today() + timedelta(days=rng.randrange(-200, 400)),
                    when(NOW, vendor),
                    when(NOW, vendor),
                )
                for _ in range(args.opportunities)
            ),
        )
    if not FollowUp.objects.exists():
        added["follow_ups"] = insert(
            FollowUp,
            ["customer_id", "owner_id", "kind", "title", "due_date", "created_at"],
            (
                (
                    *owned[rng.randrange(len(owned))],
                    "other",
                    "压测任务",
                    date.today() + timedelta(days=rng.randrange(-30, 30)),
                    when(NOW, vendor),
                )
                for _ in range(len(owned) // 5)
            ),
        )
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--opportunities", type=int, default=500_000)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--reps-per-team", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--load-only", action="store_true", help="load (outside the bench lock) and stop"
    )
    args = parser.parse_args()
    os.environ.setdefault("KEHU_REQUIRE_2FA", "false")
    os.environ.setdefault("KEHU_FAST_PASSWORD_HASHER", "true")
    django_setup()
    from django.core.management import call_command
    from django.test import Client

    from kehu.accounts.models import User
    from kehu.core.db import db_analyze
    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Opportunity
    from kehu.reports.dashboard.selectors import snapshot_refresh
    from kehu.reports.health.services import report_store

    call_command("migrate", verbosity=0, interactive=False)
    loaded: dict[str, Any] = {}
    if not Customer.objects.exists():
        loaded = load(args)
        loaded["analyze_seconds"] = round(db_analyze(), 1)
        print(json.dumps(loaded), flush=True)
    elif added := top_up(args):  # a load stopped after the customers
        loaded = {**added, "analyze_seconds": round(db_analyze(), 1)}
        print(json.dumps(loaded), flush=True)
    if args.load_only:
        return 0
    worker: dict[str, float] = {}
    for name, job in (
        ("dashboard_snapshot", snapshot_refresh),
        ("health_store", lambda: report_store("health")),
        ("churn_store", lambda: report_store("churn")),
        ("dormancy_store", lambda: report_store("dormancy")),
    ):
        began = time.monotonic()
        job()
        worker[name] = round((time.monotonic() - began) * 1000, 1)
        print(f"worker {name}: {worker[name]} ms", flush=True)
    people = {
        "rep": "rep0_0",
        "manager": "mgr0",
        "executive": "boss",
        "support": "help",
        "marketing": "mkt",
    }
    pages = ["/", "/api/v1/dashboard"]
    reports = ["/reports/health/", "/reports/churn/", "/reports/dormancy/", "/reports/kpi/"]
    results: dict[str, Any] = {}
    for role, username in people.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        urls = pages + (reports if role in ("rep", "manager", "executive") else [])
        for url in urls:
            times, cpu, statuses = time_requests(client.get, [url] * args.requests, warmup=2)
            key = f"{role} {url}"
            results[key] = {
                **summarize(times),
                "cpu_p95": summarize(cpu)["p95"],
                "statuses": dict(statuses),
                "queries": query_counts(client.get, [url])[0],
            }
            print(f"{key}: p50 {results[key]['p50']} ms, p95 {results[key]['p95']} ms", flush=True)
    report = {
        "database": database_info(),
        "customers": Customer.objects.count(),
        "interactions": Interaction.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "loaded": loaded,
        "worker_ms": worker,
        "scenarios": results,
        "p95_max": max(r["p95"] for r in results.values()),
    }
    print(json.dumps(report, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
