"""Segment counts over 1,000,000 customers (issue 17: a segment count p95 ≤ 500 ms).

    KEHU_DATA_DIR=/tmp/kehu-bench-segments flock /tmp/kehu-bench.lock \
        .venv/bin/python -m bench.segments --customers 1000000 --requests 30
    # PostgreSQL: KEHU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_segments

On an empty database it runs `migrate` and `kehu demo --customers N` first (teams, reps,
managers, the executive, support and marketing users), then inserts customers in bulk until
there are --customers: owners spread over the demo's reps and managers and --extra-reps bench
reps in the same teams, statuses, industries, provinces, a last interaction over two years (a
fifth never contacted), a custom choice field (客户等级) and tags on about a quarter of them.
It saves the typical segments (company-wide, by the administrator) and times
GET /api/v1/segments/{id}/count — the exact count, as the caller sees the customers — for each
role: admin, executive 冯总, manager 周经理, rep 张伟, support, marketing. Prints a JSON summary
(--json PATH writes it too).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, query_counts, summarize, time_requests

STATUSES = ["lead"] * 30 + ["intent"] * 30 + ["won"] * 25 + ["lost"] * 15
PROVINCES = [
    "广东省", "浙江省", "江苏省", "上海市", "北京市", "山东省", "四川省", "湖北省", "福建省",
    "河南省", "湖南省", "安徽省", "河北省", "陕西省", "重庆市", "天津市",
]  # fmt: skip
TAGS = ["高价值", "重点", "价格敏感型", "竞品对比", "产品教育需求", "潜在需求", "休眠客户"]
GRADES = ["甲级", "乙级", "丙级"]
SEGMENTS = {
    "status_industry_province": "status=intent&industry=制造业&province=广东省",
    "tag_any": "tag=高价值&tag=重点&tag_mode=any",
    "idle_90_days": "idle_days=90",
    "custom_field": "cf_grade=甲级",
    "status_tag_idle": "status=won&tag=高价值&idle_days=180",
}
ROLES = {  # who -> demo username
    "admin": "admin",
    "executive": "feng",
    "manager": "zhou",
    "rep": "zhang",
    "support": None,
    "marketing": None,
}


def prepare(demo_customers: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from kehu.customers.models import Customer

    if not Customer.objects.exists():
        call_command("demo", customers=demo_customers, verbosity=0)


def _owners(extra_reps: int) -> list[tuple[int, int]]:
    """(owner id, team id) to spread customers over: the demo's reps and managers plus bench
    reps in their teams."""
    from kehu.accounts.models import Role, User

    people = User.objects.filter(role__in=(Role.REP, Role.MANAGER), team__isnull=False)
    teams = sorted({u.team_id for u in people if u.team_id is not None})
    have = User.objects.filter(username__startswith="bench-rep-").count()
    for index in range(have, extra_reps):
        User.objects.create_user(
            username=f"bench-rep-{index:03d}",
            password=None,
            role=Role.REP,
            team_id=teams[index % len(teams)],
            display_name=f"压测销售{index:03d}",
        )
    people = User.objects.filter(role__in=(Role.REP, Role.MANAGER), team__isnull=False)
    return [(u.pk, u.team_id) for u in people if u.team_id is not None]


def _indexes_drop(tables: tuple[str, ...]) -> list[str]:
    """SQLite: drop the tables' secondary indexes for the load (maintaining two dozen indexes
    row by row made the load 30 minutes at 1,000,000); returns their DDL to build them again
    in one sort each afterwards. PostgreSQL (COPY) keeps them."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        marks = ",".join("%s" for _t in tables)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks})",
            list(tables),
        )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("PRAGMA synchronous = OFF")
    return [sql for _name, sql in found]


def _indexes_create(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def fill(total: int, extra_reps: int, seed: int = 17) -> int:
    """Insert customers (and their tags) until there are `total`; returns how many."""
    from django.db import connection
    from django.utils import timezone

    from kehu.core.bulk import insert_rows
    from kehu.customers.models import Customer, CustomField, Industry
    from kehu.tags.models import CustomerTag, Tag

    have = Customer.objects.count()
    if have >= total:
        return 0
    CustomField.objects.get_or_create(
        entity="customer",
        key="grade",
        defaults={"label": "客户等级", "kind": "choice", "choices": GRADES, "show_in_list": True},
    )
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in TAGS]
    owners = _owners(extra_reps)
    industries = list(Industry.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    rng = random.Random(seed)
    now = timezone.now()
    next_id = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    added, started = 0, time.monotonic()
    indexes = _indexes_drop(("customers_customer", "tags_customertag"))
    while have + added < total:
        batch = min(20_000, total - have - added)
        customers, tags = [], []
        for offset in range(batch):
            pk = next_id + added + offset
            chosen, team_id = rng.choice(owners)
            owner_id = None if rng.random() < 0.03 else chosen  # some in their team's pool
            status = rng.choice(STATUSES)
            contacted = (
                None if rng.random() < 0.2 else now - timedelta(minutes=rng.randrange(1_051_200))
            )
            name = f"压测客户{pk}号有限公司"
            customers.append(
                Customer(
                    pk=pk,
                    customer_no=f"BX{pk:010d}",
                    name=name,
                    name_normalized=name,
                    name_sort=f"ya ce ke hu {pk}",
                    status=status,
                    industry_id=rng.choice(industries),
                    province=rng.choice(PROVINCES),
                    owner_id=owner_id,
                    team_id=team_id,
                    last_interaction_at=contacted,
                    completeness=rng.randrange(30, 100),
                    custom_fields={"grade": rng.choice(GRADES)} if rng.random() < 0.6 else {},
                )
            )
            if rng.random() < 0.25:
                for tag_id in rng.sample(tag_ids, rng.randint(1, 2)):
                    tags.append(CustomerTag(customer_id=pk, tag_id=tag_id))
        insert_rows(Customer, customers, with_ids=True)
        insert_rows(CustomerTag, tags, with_ids=False)
        added += batch
        print(f"  {have + added:,} customers ({time.monotonic() - started:.0f} s)", flush=True)
    _indexes_create(indexes)
    from kehu.customers.custom_field_index import custom_field_indexes_sync

    custom_field_indexes_sync()  # grade's filter index (made by the service, not get_or_create)
    print(f"  indexes rebuilt ({time.monotonic() - started:.0f} s)", flush=True)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Customer]):
                cursor.execute(sql)
    return added


def segments() -> dict[str, int]:
    from kehu.accounts.models import User
    from kehu.segments.models import Segment
    from kehu.segments.services import segment_create

    admin = User.objects.get(username="admin")
    ids = {}
    for name, query in SEGMENTS.items():
        found = Segment.objects.filter(owner=admin, name=name).first()
        if found is None:
            found = segment_create(
                actor=admin, data={"name": name, "query": query, "visibility": "company"}
            )
        ids[name] = found.pk
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--extra-reps", type=int, default=60)
    parser.add_argument("--demo-customers", type=int, default=500)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", nargs="*", help="segment names to time (default: all)")
    parser.add_argument("--roles", nargs="*", help="roles to time (default: all)")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--load-only", action="store_true", help="load and analyze, time nothing (no lock needed)"
    )
    args = parser.parse_args()
    os.environ.setdefault("KEHU_REQUIRE_2FA", "false")
    django_setup()
    from django.test import Client

    from kehu.accounts.models import Role, User
    from kehu.customers.models import Customer

    prepare(args.demo_customers)
    started = time.monotonic()
    added = fill(args.customers, args.extra_reps)
    load_s = round(time.monotonic() - started)
    if added:  # a bulk load leaves the planner without statistics (kehu.core.db)
        from kehu.core.db import db_analyze

        db_analyze()
    ids = segments()
    if args.load_only:
        print(f"loaded {Customer.objects.count():,} customers in {load_s} s")
        return 0
    users: dict[str, Any] = {}
    for role, username in ROLES.items():
        if username:
            users[role] = User.objects.get(username=username)
        else:
            users[role] = User.objects.filter(role=role, is_active=True).order_by("pk").first()
    results: dict[str, Any] = {}
    for role, user in users.items():
        if user is None or (args.roles and role not in args.roles):
            continue
        client = Client()
        client.force_login(user)
        for name, segment_id in ids.items():
            if args.only and name not in args.only:
                continue
            url = f"/api/v1/segments/{segment_id}/count"
            times, cpu, statuses = time_requests(client.get, [url] * args.requests, warmup=2)
            count = client.get(url).json().get("count")
            key = f"{role}/{name}"
            results[key] = {
                **summarize(times),
                "cpu_p95": summarize(cpu)["p95"],
                "count": count,
                "statuses": dict(statuses),
                "queries": query_counts(client.get, [url])[0],
            }
            print(
                f"{key}: count {count:,}, p50 {results[key]['p50']} ms, p95 {results[key]['p95']} ms",
                flush=True,
            )
    report = {
        "database": database_info(),
        "customers": Customer.objects.count(),
        "added": added,
        "load_seconds": load_s,
        "reps": User.objects.filter(role=Role.REP).count(),
        "scenarios": results,
        "p95_max": max(r["p95"] for r in results.values()),
    }
    print(json.dumps(report, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
