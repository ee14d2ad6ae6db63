"""Skewed-book bench: one rep owns 20% of 1,000,000 customers; every role must stay fast.

    .venv/bin/python -m bench.skewed --db both       # prepare once (kept, stamped), then measure
    .venv/bin/python -m bench.skewed --db sqlite --prepare   # build the database again
    .venv/bin/python -m bench.skewed --json OUT      # from bench/run.py (its env names the engine)

Data (prepared once per engine, then reused while its stamp matches): bench/search.py's
1,000,000-customer files (../shared/data/gen_cn_customers.py --contacts 2.6 --seed 7, cached
under bench/out/search/) seeded by search.py's `fast_seed` (customers and contacts), into
bench/out/skewed/sqlite/ and, copied from there by search.py's `copy_from_sqlite`, the
PostgreSQL database kehu_perf_bench. Then the skew (`skew()`): zhang (华东) owns every fifth
customer (200,000), 45 other reps (the sandbox's five and 40 bench reps, both teams) share the
rest (~17,700 each), 2,000 customers per team sit in the team pool (team, no owner), 20
customers of the other team are shared with zhang and with li, and 1,600 customers get 8-12
interactions (and half of them an order) for the 360 page. The search index is then built by
`kehu search_reindex` and the statistics come from `kehu search_reindex --tidy` (the product's
own paths; nothing here runs ANALYZE itself).

Measured per engine, in-process with Django's test Client (like bench/foundation.py), for the
rep with the big book (zhang, 20%), his manager (zhou: the 华东 team, ~60%), an ordinary rep of
the same team (li, ~1.8%) and the executive (feng, everything): the list API's first page in the
default order and filtered by status, the list page, the search API (bench/search.py's query mix:
Chinese name fragments, contact names, pinyin, initials, phone suffixes, e-mail prefixes) and
the 360 page. Targets (issue 14 item 12): list API p95 <= 50 ms, search p95 <= 30 ms (SQLite) /
50 ms (PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "skewed"
PG_DB = "kehu_perf_bench"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
CUSTOMERS = 1_000_000
CONTACTS = 2.6  # bench/search.py's default: the same generated files
SEED = 7
BIG_SHARE = 5  # zhang owns every 5th customer: 20%
EXTRA_REPS = 40
POOL_PER_TEAM = 2_000
SHARED = 20
WITH_HISTORY = 1_600
STAMP = {"customers": CUSTOMERS, "contacts": CONTACTS, "seed": SEED, "version": 1}
USERS = {"big-book rep": "zhang", "manager": "zhou", "ordinary rep": "li", "executive": "feng"}
TARGETS = {"api": 50.0, "search": {"sqlite": 30.0, "postgresql": 50.0}}
STATUS_FILTER = {"status": "意向客户"}


def env_for(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KEHU_DATABASE_URL", None)
    env["KEHU_DATA_DIR"] = str(OUT / db)
    env["KEHU_LOG_LEVEL"] = "ERROR"
    env["KEHU_DEBUG"] = "false"
    env["KEHU_REQUIRE_2FA"] = "false"  # the manager signs in without a second factor here
    # The daily volume rule stays on (its upsert is timed) but never refuses a bench user.
    env["KEHU_EXPORT_BASELINE_ROWS"] = str(10**9)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    if db == "postgres":
        env["KEHU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    print("  $ " + " ".join(command[2:] if command[0] == sys.executable else command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def _stamp_path(db: str) -> Path:
    return OUT / f"prepared-{db}.json"


def is_prepared(db: str) -> bool:
    path = _stamp_path(db)
    return path.exists() and json.loads(path.read_text()).get("params") == STAMP


def prepare(db: str) -> dict[str, Any]:
    """Build the skewed database of one engine (SQLite first: PostgreSQL is copied from it)."""
    from bench.search import OUT as SEARCH_OUT
    from bench.search import fresh_database, generate

    env = env_for(db)
    started = time.monotonic()
    steps: dict[str, float] = {}
    sqlite_file = OUT / "sqlite" / "kehu.sqlite3"
    _stamp_path(db).unlink(missing_ok=True)
    if db == "sqlite":
        for mix in OUT.glob("mix-*.json"):  # sampled from the data being replaced
            mix.unlink()
        data = generate(CUSTOMERS, CONTACTS, SEED, SEARCH_OUT / f"gen{CUSTOMERS}-c{CONTACTS:g}")
        fresh_database(db, env)
        _run([sys.executable, "-m", "bench.search", "--fast-seed", str(data),
              "--customers", str(CUSTOMERS), "--seed-json", str(OUT / "seed-sqlite.json")], env)  # fmt: skip
        steps["seed"] = time.monotonic() - started
        _run([sys.executable, "-m", "bench.skewed", "--skew"], env)
        steps["skew"] = time.monotonic() - started - sum(steps.values())
    else:
        if not is_prepared("sqlite"):
            prepare("sqlite")
        # The copy is column for column: bring the SQLite source to the same migrations first.
        _run([sys.executable, "-m", "kehu", "migrate", "-v0"], env_for("sqlite"))
        _fresh_postgres(env)
        _run([sys.executable, "-m", "kehu", "migrate", "-v0"], env)
        _run([sys.executable, "-m", "bench.search", "--copy-from", str(sqlite_file)], env)
        steps["copy"] = time.monotonic() - started
    mark = time.monotonic()
    _run([sys.executable, "-m", "kehu", "search_reindex", "--no-progress"], env)
    steps["search_reindex"] = time.monotonic() - mark
    mark = time.monotonic()
    _run([sys.executable, "-m", "kehu", "search_reindex", "--tidy"], env)
    steps["tidy"] = time.monotonic() - mark
    stamp = {
        "params": STAMP,
        "steps_seconds": {k: round(v, 1) for k, v in steps.items()},
        "seconds": round(time.monotonic() - started, 1),
        "prepared_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _stamp_path(db).write_text(json.dumps(stamp, indent=2))
    return stamp


def _fresh_postgres(env: dict[str, str]) -> None:
    (OUT / "postgres").mkdir(parents=True, exist_ok=True)
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", PG_DB], check=True)
    subprocess.run(
        ["createdb", *PG, "-T", "template0", "--locale=C.UTF-8", "-E", "UTF8", PG_DB], check=True
    )


def skew() -> None:
    """Give zhang every 5th customer, spread the rest over 45 reps, fill the team pools, share a
    few customers, and give a sample of customers a history (runs inside Django)."""
    from bench.common import django_setup

    django_setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.seed import Table
    from kehu.accounts.models import Role, Team, User
    from kehu.customers.models import Customer, CustomerShare
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Order, OrderLine

    started = time.monotonic()
    teams = list(Team.objects.order_by("id"))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"benchrep{n:02d}",
                display_name=f"压测销售{n:02d}",
                role=Role.REP,
                team=teams[n % len(teams)],
                password=unusable,
            )
            for n in range(1, EXTRA_REPS + 1)
        ],
        ignore_conflicts=True,
    )
    zhang = User.objects.get(username="zhang")
    others = list(User.objects.filter(role=Role.REP).exclude(pk=zhang.pk).order_by("id"))
    customers = Customer._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_slot (slot integer PRIMARY KEY, owner integer, team integer)"
        )
        cursor.executemany(
            "INSERT INTO bench_slot VALUES (%s, %s, %s)",
            [(i, u.pk, u.team_id) for i, u in enumerate(others)],
        )
        # id % 5 = 0: zhang; the rest in turn to the other reps (each of them ~17,700).
        cursor.execute(
            f"UPDATE {customers} SET owner_id = CASE WHEN id % {BIG_SHARE} = 0 THEN %s ELSE "
            f"(SELECT owner FROM bench_slot WHERE slot = ({customers}.id - 1 - ({customers}.id / "
            f"{BIG_SHARE})) % %s) END",
            [zhang.pk, len(others)],
        )
        cursor.execute(
            f"UPDATE {customers} SET team_id = (SELECT team_id FROM accounts_user AS u "
            f"WHERE u.id = {customers}.owner_id)"
        )
        cursor.execute("DROP TABLE bench_slot")
        # Team pools: customers of other reps, spread over the id range, lose their owner.
        rng = random.Random(SEED)
        for team in teams:
            candidates = list(
                Customer.objects.filter(team=team, status=Customer.Status.LEAD)
                .exclude(owner=zhang)
                .order_by()
                .values_list("id", flat=True)
            )
            pool = rng.sample(candidates, POOL_PER_TEAM)
            Customer.objects.filter(pk__in=pool).update(owner=None)
        # Shares: customers of the other team shared with zhang and with li.
        south = teams[1]
        shared = list(
            Customer.objects.filter(team=south, owner__isnull=False).order_by("id")[: 2 * SHARED]
        )
        li = User.objects.get(username="li")
        CustomerShare.objects.bulk_create(
            [CustomerShare(customer=c, user=zhang) for c in shared[:SHARED]]
            + [CustomerShare(customer=c, user=li) for c in shared[SHARED:]]
        )
    print(f"  owners skewed ({time.monotonic() - started:.0f}s)", flush=True)

    # A history for the 360 page: 8-12 interactions for a sample of customers (a quarter of them
    # zhang's, a quarter li's, the rest anyone's), an order for every second one.
    rng = random.Random(SEED + 1)
    li = User.objects.get(username="li")
    sample: list[Customer] = []
    for owner, wanted in ((zhang, WITH_HISTORY // 4), (li, WITH_HISTORY // 4)):
        ids = list(Customer.objects.filter(owner=owner).order_by().values_list("id", flat=True))
        sample += list(Customer.objects.filter(pk__in=rng.sample(ids, wanted)))
    top = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    picked = {c.pk for c in sample}
    rest = [i for i in rng.sample(range(1, top + 1), WITH_HISTORY) if i not in picked]
    sample += list(Customer.objects.filter(pk__in=rest[: WITH_HISTORY - len(sample)]))
    now = timezone.now()
    methods = [m.value for m in Interaction.Method]
    feedbacks = [f.value for f in Interaction.Feedback]
    latest: dict[int, datetime] = {}

    def interaction_rows() -> Any:
        pk = Interaction.objects.order_by("-id").values_list("id", flat=True).first() or 0
        for customer in sample:
            for seq in range(1, rng.randint(8, 12) + 1):
                pk += 1
                occurred = now - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 600))
                latest[customer.pk] = max(latest.get(customer.pk, occurred), occurred)
                yield {
                    "id": pk,
                    "interaction_no": f"HD{customer.customer_no}{seq:04d}",
                    "customer_id": customer.pk,
                    "occurred_at": occurred,
                    "method": rng.choice(methods),
                    "topic": "年度采购沟通",
                    "summary": "客户询问了报价和交付周期，约定下周再联系。",
                    "feedback": rng.choice(feedbacks),
                    "next_action": "发送报价单",
                    "performed_by_id": customer.owner_id,
                    "created_by_id": customer.owner_id,
                    "created_at": occurred,
                }

    def order_rows() -> Any:
        pk = Order.objects.order_by("-id").values_list("id", flat=True).first() or 0
        for customer in sample[::2]:
            pk += 1
            signed = (now - timedelta(days=rng.randint(1, 700))).date()
            yield {
                "id": pk,
                "order_no": f"BENCH{customer.pk:08d}",
                "customer_id": customer.pk,
                "signed_on": signed,
                "amount": Decimal(rng.randint(1, 500) * 1000),
                "status": Order.Status.SIGNED,
                "created_at": now,
                "updated_at": now,
            }

    with transaction.atomic():
        count = Table(Interaction).write(interaction_rows())
        orders = list(order_rows())
        Table(Order).write(orders)
        Table(OrderLine).write(
            {
                "id": o["id"],
                "order_id": o["id"],
                "product": "年度服务合同",
                "quantity": Decimal(1),
                "unit_price": o["amount"],
                "amount": o["amount"],
            }
            for o in orders
        )
        for pk, moment in latest.items():
            Customer.objects.filter(pk=pk).update(last_interaction_at=moment)
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Interaction, Order, OrderLine, CustomerShare, User]
            ):
                cursor.execute(sql)
    print(
        f"  history: {count:,} interactions, {len(orders):,} orders for {len(sample):,} customers "
        f"({time.monotonic() - started:.0f}s)",
        flush=True,
    )


def measure(json_path: Path, n: int) -> None:
    """Time every scenario for every user of USERS on the configured database (inside Django)."""
    from bench.common import database_info, django_setup, machine

    django_setup()
    from django.db import connection

    started = time.monotonic()
    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    print(f"  statistics rows for the customers: {statistics_rows()}", flush=True)
    for role, username in USERS.items():
        print(f"  as {role} ({username})", flush=True)
        user_rows, floor = measure_user(role, username, n, connection.vendor)
        rows += user_rows
        floors.append(floor)
    tried: dict[str, Any] = {}
    mode = os.environ.get("KEHU_BENCH_SKEWED_DESIGN", "")
    if mode == "indexes":  # the list design tried before the product had it
        print("  design: the list's page 1 today and with one index walk per scope branch")
        tried = design(n, connection.vendor)
    elif mode == "one_branch":  # the reps' scope as one branch, rolled back
        print("  design: the reps' scope one branch (pools handed over, shares removed)")
        tried = {"one_branch": rolled_back(lambda: one_branch(n, connection.vendor))}
    stamp = _stamp_path(_engine(connection.vendor))
    result = {
        "module": "skewed",
        "database": database_info(),
        "statistics_rows": statistics_rows(),
        "rows": rows,
        "floors": floors,
        "design": tried,
        "requests": n,
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine(),
        "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "prepared": json.loads(stamp.read_text()) if stamp.exists() else None,
    }
    write_json(json_path, result)
    report = render(result)
    (OUT / f"report-{_engine(connection.vendor)}.md").write_text(report)
    print("\n" + report, flush=True)


def statistics_rows() -> int:
    """Planner statistics kept for the customer table (sqlite_stat1 / pg_stats rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'customers_customer'")
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'customers_customer'")
        return int(cursor.fetchone()[0])


def _engine(vendor: str) -> str:
    return "postgres" if vendor == "postgresql" else "sqlite"


def write_json(path: Path, data: dict[str, Any]) -> None:
    from bench.common import write_json as write

    write(path, data)


_MIXES: dict[tuple[int, int], list[tuple[str, str]]] = {}


def query_mix(user: Any, n: int) -> list[tuple[str, str]]:
    """bench/search.py's query mix sampled from the user's documents: minutes at this size, so
    kept in memory and in OUT/mix-<user>-<n>.json (the engines hold the same data: PostgreSQL
    is copied from SQLite; prepare() deletes the files)."""
    from bench.search import _queries

    key = (user.pk, n)
    if key not in _MIXES:
        path = OUT / f"mix-{user.username}-{n}.json"
        if path.exists():
            _MIXES[key] = [tuple(pair) for pair in json.loads(path.read_text())]  # type: ignore[misc]
        else:
            _MIXES[key] = _queries(user, n)
            path.write_text(json.dumps(_MIXES[key], ensure_ascii=False))
    return _MIXES[key]


def measure_user(
    role: str, username: str, n: int, vendor: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.common import query_counts, summarize, time_requests
    from kehu.accounts.models import User
    from kehu.customers.models import Customer
    from kehu.customers.selectors import customer_queryset_for

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    rows: list[dict[str, Any]] = []
    visible = customer_queryset_for(user)

    def record(scenario: str, urls: list[str], target: float | None, **extra: Any) -> None:
        times, cpu, statuses = time_requests(client.get, urls)
        counts = query_counts(client.get, urls[: min(len(urls), 20)])
        row = {
            "scenario": scenario,
            "role": role,
            "user": username,
            **summarize(times),
            "cpu_p95": summarize(cpu)["p95"],
            "queries": sorted(set(counts)),
            "status": dict(statuses),
            "target_ms": target,
            **extra,
        }
        rows.append(row)
        print(
            f"    {scenario:<32} p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  "
            f"max {row['max']:7.1f}  cpu p95 {row['cpu_p95']:6.1f} ms  "
            f"queries {row['queries']}  {row['status']}",
            flush=True,
        )

    api = "/api/v1/customers"
    filtered = f"{api}?{urlencode(STATUS_FILTER)}"
    record("list API, page 1", [api] * n, TARGETS["api"])
    record("list API status=意向客户, page 1", [filtered] * n, TARGETS["api"])
    record("list page /customers/", ["/customers/"] * n, None)

    # Search: bench/search.py's query mix, sampled from this rep's documents (the manager's
    # and the executive's from the big-book rep's, i.e. inside what they see).
    sampler = user if user.role == "rep" else User.objects.get(username="zhang")
    mix = query_mix(sampler, n)
    urls = [f"/api/v1/search?{urlencode({'q': q})}" for _kind, q in mix]
    kinds = [kind for kind, _q in mix]
    times, cpu, statuses = time_requests(client.get, urls, warmup=10)
    counts = query_counts(client.get, urls[:20])
    by_kind: dict[str, list[float]] = {}
    for kind, elapsed in zip(kinds, times, strict=True):
        by_kind.setdefault(kind, []).append(elapsed)
    target = TARGETS["search"].get(vendor)
    rows.append(
        {
            "scenario": "search API (query mix)",
            "role": role,
            "user": username,
            **summarize(times),
            "cpu_p95": summarize(cpu)["p95"],
            "queries": sorted(set(counts)),
            "status": dict(statuses),
            "target_ms": target,
            "by_kind": {k: summarize(v) for k, v in by_kind.items()},
        }
    )
    row = rows[-1]
    print(
        f"    {'search API (query mix)':<32} p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  "
        f"max {row['max']:7.1f}  cpu p95 {row['cpu_p95']:6.1f} ms  queries {row['queries']}  "
        + ", ".join(f"{k} {v['p95']}" for k, v in row["by_kind"].items()),
        flush=True,
    )

    # 360 page: visible customers with a history (skew() gave 1,600 customers 8-12 each).
    with_history = visible.filter(last_interaction_at__isnull=False).order_by()
    numbers = list(with_history.values_list("customer_no", flat=True)[:n])
    random.Random(username).shuffle(numbers)
    if numbers:
        urls = [f"/customers/{no}/" for no in numbers]
        record("360 page /customers/<no>/", (urls * (n // len(urls) + 1))[:n], 100.0)

    # The floor: the list API's own SQL for page 1, timed bare (no Django), and its plan.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(api)
    if response.status_code != 200:
        raise RuntimeError(f"{username}: {api} answered {response.status_code}")
    main = next(
        q["sql"]
        for q in captured.captured_queries
        if Customer._meta.db_table in q["sql"].split("FROM", 1)[-1][:40] and "LIMIT 26" in q["sql"]
    )
    floor = {"role": role, "user": username, "sql": main}
    with connection.cursor() as cursor:
        explain = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        cursor.execute(explain + main)
        floor["plan"] = [" ".join(str(c) for c in r) for r in cursor.fetchall()]
        times = []
        for index in range(n + 5):
            started = time.perf_counter()
            cursor.execute(main)
            cursor.fetchall()
            if index >= 5:
                times.append((time.perf_counter() - started) * 1000)
    floor.update(summarize(times))
    floor["owns"] = Customer.objects.filter(owner=user).count()
    floor["sees"] = visible.count() if user.role != "executive" else Customer.objects.count()
    print(
        f"    list SQL alone: p50 {floor['p50']} p95 {floor['p95']} ms; "
        f"owns {floor['owns']:,}, sees {floor['sees']:,}",
        flush=True,
    )
    for line in floor["plan"][:12]:
        print(f"      {line}", flush=True)
    return rows, floor


# --- A design that moves the floor, tried inside a transaction that is rolled back.

DESIGN_INDEXES = {  # name: (columns, condition) on customers_customer
    "customer_owner_id_idx": ("owner_id, id", ""),
    "customer_team_id_idx": ("team_id, id", ""),
    "customer_pool_idx": ("team_id, id", "owner_id IS NULL"),
}


def scope_arms(condition: Any) -> list[Any]:
    """The OR branches of a visibility condition (own, team pool, shared), each a Q."""
    from django.db.models import Q

    if condition is None:
        return [Q()]
    if condition.connector != Q.OR or condition.negated:
        return [condition]
    return [c if isinstance(c, Q) else Q(c) for c in condition.children]


def union_page(user: Any, queryset: Any, limit: int) -> list[Any]:
    """Page 1 in id order, one index walk per branch of the user's scope: the newest limit + 1
    ids of each branch (owner, pool, shares; each LIMITed, each read from its own index in id
    order), merged, then the rows of the page fetched by id with the list's joins."""
    from kehu.accounts.policy import visibility_q
    from kehu.customers.api import customers_for_output, decision_maker_prefetch
    from kehu.customers.models import Customer

    ids: set[int] = set()
    for arm in scope_arms(visibility_q(user, Customer)):
        ids.update(queryset.filter(arm).order_by("-id").values_list("id", flat=True)[: limit + 1])
    top = sorted(ids, reverse=True)[: limit + 1]
    page = customers_for_output(Customer.objects.filter(pk__in=top)).order_by("-id")
    return list(page.prefetch_related(decision_maker_prefetch())[:limit])


def one_branch(n: int, vendor: str) -> list[dict[str, Any]]:
    """The reps' list and search through the API when their scope is one branch: the pools
    handed to a rep of their team and the shares removed (inside design()'s transaction, so
    with its indexes and rolled back with them)."""
    from django.db import connection
    from django.test import Client

    from bench.common import summarize, time_requests
    from kehu.accounts.models import User
    from kehu.customers.models import Customer, CustomerShare

    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET owner_id = (SELECT MIN(u.id) FROM accounts_user AS u "
            f"WHERE u.team_id = {table}.team_id AND u.username LIKE 'benchrep%%') "
            "WHERE owner_id IS NULL"
        )
    CustomerShare.objects.all().delete()
    rows = []
    for role in ("big-book rep", "ordinary rep"):
        user = User.objects.get(username=USERS[role])
        client = Client()
        client.force_login(user)
        searches = [f"/api/v1/search?{urlencode({'q': q})}" for _k, q in query_mix(user, n)]
        for scenario, urls in (
            ("list API, page 1", ["/api/v1/customers"] * n),
            ("search API (query mix)", searches),
        ):
            times, cpu, statuses = time_requests(client.get, urls)
            row = {
                "role": role,
                "scenario": scenario,
                **summarize(times),
                "cpu_p95": summarize(cpu)["p95"],
                "status": dict(statuses),
            }
            rows.append(row)
            print(
                f"    one branch, with the indexes: {role:<13} {scenario:<24} p50 {row['p50']:7.1f}"
                f" p95 {row['p95']:7.1f} cpu p95 {row['cpu_p95']:6.1f} ms {row['status']}",
                flush=True,
            )
    return rows


def rolled_back(call: Any) -> Any:
    """call() inside a transaction that is rolled back afterwards."""
    from django.db import transaction

    result: list[Any] = []

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            result.append(call())
            raise Rollback
    except Rollback:
        pass
    return result[0]


def design(n: int, vendor: str) -> dict[str, Any]:
    """Today's list query against the design (DESIGN_INDEXES + one index walk per branch of
    the scope), ORM calls timed in-process, in a transaction rolled back at the end."""
    from django.db import connection, transaction

    from bench.common import summarize
    from kehu.accounts.models import User
    from kehu.core.pagination import keyset_page
    from kehu.customers.api import customers_for_output, decision_maker_prefetch
    from kehu.customers.models import Customer
    from kehu.customers.selectors import customer_filter, customer_queryset_for

    result: dict[str, Any] = {"indexes": DESIGN_INDEXES, "rows": []}

    class Rollback(Exception):
        pass

    def today(user: Any, params: dict[str, str]) -> list[Any]:
        queryset = customer_filter(customer_queryset_for(user), params)
        output = customers_for_output(queryset).prefetch_related(decision_maker_prefetch())
        return keyset_page(output, order="-id", cursor=None, limit=25).items

    def timed(call: Any) -> dict[str, Any]:
        for _ in range(3):
            call()
        times = []
        for _ in range(n):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        return summarize(times)

    def measure_all(label: str) -> None:
        for role, username in USERS.items():
            user = User.objects.get(username=username)
            for params in ({}, STATUS_FILTER):
                base = (
                    Customer.objects.all()
                    if not params
                    else customer_filter(Customer.objects.all(), params)
                )
                same = [c.pk for c in today(user, params)] == [
                    c.pk for c in union_page(user, base, 25)
                ]
                row = {
                    "variant": label,
                    "role": role,
                    "filter": "status" if params else "",
                    "today": timed(lambda u=user, p=params: today(u, p)),
                    "union": timed(lambda u=user, b=base: union_page(u, b, 25)),
                    "same_rows": same,
                }
                result["rows"].append(row)
                print(
                    f"    design [{label}] {role:<13} {row['filter']:<6} today p50 "
                    f"{row['today']['p50']:7.2f} p95 {row['today']['p95']:7.2f} | union p50 "
                    f"{row['union']['p50']:7.2f} p95 {row['union']['p95']:7.2f} ms  same {same}",
                    flush=True,
                )

    table = Customer._meta.db_table
    try:
        with transaction.atomic():
            measure_all("schema as is")
            started = time.monotonic()
            with connection.cursor() as cursor:
                for name, (columns, condition) in DESIGN_INDEXES.items():
                    where = f" WHERE {condition}" if condition else ""
                    cursor.execute(
                        f"CREATE INDEX IF NOT EXISTS bench_{name} ON {table} ({columns}){where}"
                    )
                cursor.execute(f"ANALYZE {table}")
            result["index_seconds"] = round(time.monotonic() - started, 1)
            measure_all("with the indexes")
            result["one_branch"] = one_branch(n, vendor)
            raise Rollback
    except Rollback:
        pass
    return result


def render(result: dict[str, Any]) -> str:
    """The result of one engine as a markdown table (printed, and written beside the JSON)."""
    vendor = result["database"]["vendor"]
    lines = [
        f"### {vendor}: {result['database']['version']}, {result['database']['size_mb']:,} MB; "
        f"load {result['load_average'][0]} before, {result['load_average'][1]} after; "
        f"{result['requests']} requests per row; statistics rows for the customers: "
        f"{result.get('statistics_rows')}",
        "",
        "| scenario | user | p50 | p95 | max | CPU p95 | SQL | p95 target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["rows"]:
        target = row.get("target_ms")
        mark = " ✗" if target and row["p95"] > target else ""
        lines.append(
            f"| {row['scenario']} | {row['role']} ({row['user']}) | {row['p50']:.1f} "
            f"| {row['p95']:.1f}{mark} | {row['max']:.1f} | {row['cpu_p95']:.1f} "
            f"| {'/'.join(map(str, row['queries']))} | {f'≤ {target:.0f}' if target else ''} |"
        )
    lines += ["", "Search p95 by query kind (ms):", ""]
    for row in result["rows"]:
        if "by_kind" in row:
            kinds = ", ".join(f"{k} {v['p95']}" for k, v in row["by_kind"].items())
            lines.append(f"- {row['role']}: {kinds}")
    lines += ["", "The list API's page-1 SQL alone (no Django), p50 / p95 ms, and its plan:", ""]
    for floor in result["floors"]:
        plan = "; ".join(floor["plan"][:6])
        lines.append(
            f"- {floor['role']} (owns {floor['owns']:,}, sees {floor['sees']:,}): "
            f"{floor['p50']} / {floor['p95']}: `{plan[:400]}`"
        )
    design = result.get("design") or {}
    if design.get("rows"):
        lines += [
            "",
            "Design tried (rolled back): page 1 through the ORM today, and one index walk per "
            f"branch of the scope; indexes {', '.join(design['indexes'])} "
            f"(built in {design.get('index_seconds')} s). p50 / p95 ms:",
            "",
            "| variant | user | filter | today | one walk per branch | same rows |",
            "|---|---|---|---|---|---|",
        ]
        for row in design["rows"]:
            lines.append(
                f"| {row['variant']} | {row['role']} | {row['filter'] or '-'} "
                f"| {row['today']['p50']} / {row['today']['p95']} "
                f"| {row['union']['p50']} / {row['union']['p95']} | {row['same_rows']} |"
            )
    if design.get("one_branch"):
        lines += [
            "",
            "Through the API with the indexes, the reps' scope one branch (the pools handed to "
            "a rep of the team, the shares removed; rolled back), p50 / p95 (CPU p95) ms:",
            "",
        ]
        for row in design["one_branch"]:
            lines.append(
                f"- {row['role']}, {row['scenario']}: {row['p50']} / {row['p95']} "
                f"({row['cpu_p95']})"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--prepare", action="store_true", help="(re)build the skewed databases")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--json", type=Path, help="from bench/run.py: the engine of its env")
    parser.add_argument("--skew", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.skew:
        skew()
        return 0
    if args.measure:
        measure(args.measure, args.requests)
        return 0
    if args.json:  # bench/run.py: its env names the engine; this bench keeps its own database
        url = os.environ.get("KEHU_DATABASE_URL", "")
        databases = ["postgres" if url.startswith("postgres") else "sqlite"]
    else:
        databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    failed = 0
    for db in databases:
        if args.prepare or not is_prepared(db):
            print(f"== {db}: preparing the skewed database", flush=True)
            print(json.dumps(prepare(db), indent=2), flush=True)
        env = env_for(db)
        _run([sys.executable, "-m", "kehu", "migrate", "--noinput", "-v0"], env)
        out = args.json or OUT / f"skewed-{db}.json"
        print(f"== {db}: measuring", flush=True)
        command = [sys.executable, "-m", "bench.skewed", "--measure", str(out)]
        failed += (
            subprocess.run(
                [*command, "--requests", str(args.requests)], cwd=ROOT, env=env
            ).returncode
            != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
