"""Issue 18 at scale: p95 server-side of every role's home dashboard, the six analyses and the
named reports.

    # build (no lock needed: CPU-bound, ~15 min on PostgreSQL at full size), then time:
    KEHU_DATA_DIR=/tmp/kehu-bench-analyses .venv/bin/python -m bench.analyses --load-only
    KEHU_DATA_DIR=/tmp/kehu-bench-analyses flock /tmp/kehu-bench.lock \
        .venv/bin/python -m bench.analyses --requests 20
    # PostgreSQL: KEHU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_analyses

Defaults: 1,000,000 customers, 10,000,000 interactions, 500,000 opportunities, 300,000 orders.
On an empty database it runs `migrate` and `kehu demo` (teams, the demo's people, a few thousand
customers). It then clones rows in SQL (INSERT … SELECT over a number sequence, 1,000,000 rows
a statement, copying a demo row for the columns it does not set) until the tables hold the sizes
asked for: customers created over three years (2024-2026) with the demo's owners, teams,
sources, industries and provinces; interactions on them occurred over the same years and
entered 0-71 hours later, every method and feedback; opportunities in every stage; orders.
The load drops each table's secondary indexes first and builds them afterwards, and writes
without per-row foreign key checks (session_replication_role on PostgreSQL, foreign_keys off on
SQLite); a rerun finds the sizes reached and loads nothing (the database is the cache).
ANALYZE after the load.

Then the worker's refreshes, timed once each (when missing or older than the dashboard's
freshness window; --refresh always|never): the analyses' facts in full (with the funnel's and
team analysis's counts per scope), the company, team and per-person dashboard snapshots, this
and last month's KPI sheets, the health, churn and dormancy reports, and the four named reports
per active rep and manager.
Then it times, for every demo role (admin, rep 张, manager 周经理, support, marketing,
executive 冯总, steward, finance), the home page `/` and GET /api/v1/dashboard; for the rep,
the manager and the executive, each analysis for the fourth quarter of 2026 and the named
reports (health, churn, dormancy, KPI). Prints a JSON summary (--json PATH writes it too).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, summarize, time_requests

ANALYSES = ("acquisition", "activity", "funnel", "value", "distribution", "team")
PERIOD = "from=2026-10-01&to=2026-12-31"
BATCH = 1_000_000
DAYS = 1095  # 2024-01-01 .. 2026-12-30


def prepare(demo_customers: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from kehu.customers.models import Customer

    if not Customer.objects.exists():
        call_command("demo", customers=demo_customers, verbosity=0)


def _sql(vendor: str) -> dict[str, str]:
    """Dialect pieces: the number sequence and timestamps from a day / hour offset."""
    if vendor == "postgresql":
        return {
            "seq": "SELECT generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i",
            "ts": "(timestamp '2024-01-01' + ({day}) * interval '1 day' + ({sec}) * interval '1 second')",
            "date": "(date '2024-01-01' + ({day})::int)",
            "cat": "||",
        }
    return {
        "seq": "WITH RECURSIVE s(i) AS (SELECT %(lo)s UNION ALL SELECT i + 1 FROM s WHERE i < %(hi)s) "
        "SELECT i FROM s",
        "ts": "datetime('2024-01-01', '+' || ({day}) || ' days', '+' || ({sec}) || ' seconds')",
        "date": "date('2024-01-01', '+' || ({day}) || ' days')",
        "cat": "||",
    }


def indexes_drop(table: str) -> list[str]:
    """Drop the secondary indexes of `table` (not the primary key, nor those behind a UNIQUE
    constraint) and return the statements that recreate them: a bulk load then writes the table
    alone and each index is built once, sorted, afterwards."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [sql for _, sql in found]


def indexes_create(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for sql in statements:
            cursor.execute(sql)


def bulk_session() -> None:
    """This connection writes in bulk: no per-row foreign key checks (the rows are built from
    existing ones), no waiting for each commit to reach the disk."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")


def clone(model: Any, total: int, overrides: dict[str, str], *, join: str = "") -> int:
    """Insert rows until `model`'s table has `total`, each copying a template row (the first
    rows of the table, t) except the `overrides` (column -> SQL over n.i and t)."""
    from django.db import connection, transaction

    table = model._meta.db_table
    have = model.objects.count()
    if have >= total:
        return 0
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = ", ".join(overrides.get(c, f"t.{connection.ops.quote_name(c)}") for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS bench_tpl_{table}")
        cursor.execute(
            f"CREATE TABLE bench_tpl_{table} AS SELECT *, "
            f"(row_number() OVER (ORDER BY id)) - 1 AS rn FROM {table} ORDER BY id LIMIT 1000"
        )
        cursor.execute(f"SELECT count(*) FROM bench_tpl_{table}")
        templates = cursor.fetchone()[0]
    seq = _sql(connection.vendor)["seq"]
    indexes = indexes_drop(table)
    added = 0
    lo = have + 1
    try:
        while lo <= total:
            hi = min(lo + BATCH - 1, total)
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({quoted}) SELECT {values} FROM ({seq % {'lo': lo, 'hi': hi}}) n "
                    f"JOIN bench_tpl_{table} t ON t.rn = n.i % {templates} {join}"
                )
            added += hi - lo + 1
            print(f"  {table}: {hi:,} ({time.perf_counter() - started:.1f} s)", flush=True)
            lo = hi + 1
    finally:
        started = time.perf_counter()
        indexes_create(indexes)
    print(f"  {table}: {len(indexes)} indexes ({time.perf_counter() - started:.1f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE bench_tpl_{table}")
    return added


def fill(customers: int, interactions: int, opportunities: int, orders: int) -> dict[str, int]:
    from django.db import connection

    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Opportunity, Order

    bulk_session()
    sql = _sql(connection.vendor)
    ts = sql["ts"]
    day = "(n.i * 7 % {DAYS})".replace("{DAYS}", str(DAYS))
    created = ts.format(day=day, sec="n.i % 86400")
    added = {
        "customers": clone(
            Customer,
            customers,
            {
                "customer_no": "'BA' || n.i",
                "name": "t.name || n.i",
                "name_normalized": "t.name_normalized || n.i",
                "external_id": "''",
                "created_at": created,
                "updated_at": created,
                "phone": "''",
                "email": "''",
            },
        )
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM customers_customer")
        low, high = cursor.fetchone()
    span = high - low + 1
    pick = f"({low} + (n.i * 7919) % {span})"
    occurred = ts.format(day=day, sec="n.i % 86400")
    entered = ts.format(day=day, sec="n.i % 86400 + (n.i % 72) * 3600")
    added["interactions"] = clone(
        Interaction,
        interactions,
        {
            "interaction_no": "'BI' || n.i",
            "customer_id": "c.id",
            "contact_id": "NULL",
            "occurred_at": occurred,
            "created_at": entered,
            "method": "(CASE n.i % 6 WHEN 0 THEN 'phone' WHEN 1 THEN 'visit' WHEN 2 THEN 'email' "
            "WHEN 3 THEN 'meeting' WHEN 4 THEN 'wechat' ELSE 'phone' END)",
            "feedback": "(CASE n.i % 5 WHEN 0 THEN '' WHEN 1 THEN 'interested' WHEN 2 THEN "
            "'not_now' WHEN 3 THEN 'needs_more_info' ELSE 'rejected' END)",
            "performed_by_id": "c.owner_id",
            "next_action_owner_id": "NULL",
            "created_by_id": "c.owner_id",
        },
        join=f"JOIN customers_customer c ON c.id = {pick}",
    )
    opened = ts.format(day=day, sec="n.i % 86400")
    added["opportunities"] = clone(
        Opportunity,
        opportunities,
        {
            "customer_id": "c.id",
            "owner_id": "c.owner_id",
            "title": "'压测商机' || n.i",
            "stage": "(CASE n.i % 6 WHEN 0 THEN 'initial_contact' WHEN 1 THEN 'needs_confirmed' "
            "WHEN 2 THEN 'proposal' WHEN 3 THEN 'negotiation' WHEN 4 THEN 'won' ELSE 'lost' END)",
            "expected_amount": "((n.i % 500) * 1000 + 10000)",
            "created_at": opened,
            "updated_at": opened,
            "stage_changed_at": opened,
            "lost_reason_id": "NULL",
            "won_order_id": "NULL",
        },
        join=f"JOIN customers_customer c ON c.id = {pick}",
    )
    added["orders"] = clone(
        Order,
        orders,
        {
            "order_no": "'BO' || n.i",
            "customer_id": pick.replace("n.i", "n.i"),
            "signed_on": sql["date"].format(day=day),
            "amount": "((n.i % 300) * 1000 + 5000)",
            "status": "(CASE n.i % 10 WHEN 0 THEN 'cancelled' ELSE 'signed' END)",
            "created_at": opened,
            "updated_at": opened,
        },
    )
    return added


WORKER = (
    "facts_full",
    "facts_incremental",
    "dashboard_snapshot",
    "kpi_store",
    "health",
    "churn",
    "dormancy",
    "people_reports",
)
ROLES = {  # the demo's people, one per role
    "rep": "zhang",
    "manager": "zhou",
    "executive": "feng",
    "steward": "he",
    "admin": "admin",
    "support": "sun",
    "marketing": "zheng",
    "finance": "qian",
}
REPORTS = ("health", "churn", "dormancy", "kpi")


def worker_refresh(*, facts: bool = True) -> dict[str, float]:
    """Run the worker's refreshes once each, as it would (timed): the analyses' facts in full,
    the company and team snapshots, this and last month's KPI sheets, the weekly reports."""
    from django.utils import timezone

    from kehu.reports.analyses.services import facts_refresh
    from kehu.reports.dashboard.selectors import snapshot_refresh
    from kehu.reports.health.services import kpi_store, people_reports_store, report_store

    def kpi_months() -> None:
        month = timezone.localdate().replace(day=1)
        kpi_store(month)
        kpi_store((month - timedelta(days=1)).replace(day=1))

    jobs: dict[str, Any] = {
        "facts_full": lambda: facts_refresh(full=True),
        "facts_incremental": facts_refresh,  # the 600 s run: touched days, the rest in full
        "dashboard_snapshot": snapshot_refresh,
        "kpi_store": kpi_months,
        "health": lambda: report_store("health"),
        "churn": lambda: report_store("churn"),
        "dormancy": lambda: report_store("dormancy"),
        "people_reports": people_reports_store,  # each rep's and manager's four named reports
    }
    if not facts:
        del jobs["facts_full"], jobs["facts_incremental"]
    took: dict[str, float] = {}
    for name, job in jobs.items():
        began = time.perf_counter()
        job()
        took[name] = round(time.perf_counter() - began, 1)
        print(f"worker {name}: {took[name]} s", flush=True)
    return took


def refresh_needed() -> bool:
    """Whether the stored figures are missing or older than the dashboard's freshness window
    (two refresh periods), after which the pages would count live."""
    from django.conf import settings
    from django.utils import timezone

    from kehu.reports.analyses.facts import facts_fresh_at
    from kehu.reports.models import ReportSnapshot

    window = timezone.now() - timedelta(seconds=2 * settings.KEHU_DASHBOARD_REFRESH_SECONDS)
    stored = ReportSnapshot.objects.filter(kind="dashboard", key="all").first()
    return facts_fresh_at() is None or stored is None or stored.generated_at < window


def targets(pages: set[str], only: list[str]) -> list[tuple[str, str, str]]:
    """(role, name, url) of every page timed."""
    out: list[tuple[str, str, str]] = []
    for role, username in ROLES.items():
        if "dashboards" in pages:
            out += [(role, username, "/"), (role, username, "/api/v1/dashboard")]
        if role not in ("rep", "manager", "executive"):
            continue
        if "analyses" in pages:
            out += [(role, username, f"/reports/{n}/?{PERIOD}") for n in only]
        if "reports" in pages:
            out += [(role, username, f"/reports/{n}/") for n in REPORTS]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--opportunities", type=int, default=500_000)
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--demo-customers", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated analyses")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--load-only", action="store_true", help="load and ANALYZE, time nothing")
    parser.add_argument(
        "--refresh",
        choices=("auto", "always", "dashboard", "never"),
        default="auto",
        help="run the worker's refreshes first (auto: when missing or stale; dashboard: all but the facts)",
    )
    parser.add_argument(
        "--pages",
        default="dashboards,analyses,reports",
        help="comma-separated: dashboards (/ and the API, every role), analyses, reports",
    )
    parser.add_argument("--roles", default="", help="comma-separated roles (default: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("KEHU_REQUIRE_2FA", "false")
    django_setup()
    from django.test import Client

    from kehu.accounts.models import User
    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Opportunity, Order

    prepare(args.demo_customers)
    started = time.perf_counter()
    added = fill(args.customers, args.interactions, args.opportunities, args.orders)
    load_seconds = round(time.perf_counter() - started, 1)
    if any(added.values()):
        from kehu.core.db import db_analyze

        print(f"analyze: {db_analyze():.1f} s", flush=True)
    worker: dict[str, float] = {}
    if args.refresh == "always" or (args.refresh == "auto" and refresh_needed()):
        worker = worker_refresh()
    elif args.refresh == "dashboard":
        worker = worker_refresh(facts=False)
    if args.load_only:
        print(json.dumps({"added": added, "load_seconds": load_seconds, "worker_s": worker}))
        return 0
    results: dict[str, Any] = {}
    names = [n for n in args.only.split(",") if n] or list(ANALYSES)
    roles = {r for r in args.roles.split(",") if r} or set(ROLES)
    clients: dict[str, Any] = {}
    for role, username, url in targets(set(args.pages.split(",")), names):
        if role not in roles:
            continue
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        times, cpu, statuses = time_requests(
            clients[username].get, [url] * args.requests, warmup=args.warmup
        )
        key = f"{role} {url.split('?')[0]}"
        results[key] = {
            **summarize(times),
            "cpu_p95": summarize(cpu)["p95"],
            "statuses": dict(statuses),
        }
        print(
            f"{key}: p50 {results[key]['p50']} ms, p95 {results[key]['p95']} ms {dict(statuses)}",
            flush=True,
        )
    report = {
        "database": database_info(),
        "customers": Customer.objects.count(),
        "interactions": Interaction.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "orders": Order.objects.count(),
        "added": added,
        "load_seconds": load_seconds,
        "worker_s": worker,
        "load_average": os.getloadavg(),
        "scenarios": results,
        "p95_max": max(r["p95"] for r in results.values()),
    }
    print(json.dumps(report, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
