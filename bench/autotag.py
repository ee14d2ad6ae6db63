"""Keyword auto-tags and decaying tags over a large base (issue 17): the nightly decay run (both
shipped rules over every tag) and a retroactive run of each shipped keyword rule over every
interaction summary and customer note; the nightly budget is 10 minutes for all the nightly work
over 1,000,000 customers with 10,000,000 interactions.

    KEHU_DATA_DIR=/tmp/kehu-bench-autotag \
    KEHU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_autotag \
        flock /tmp/kehu-bench.lock .venv/bin/python -m bench.autotag --customers 200000

On an empty database it migrates and bulk-loads --customers customers, --per-customer
interactions each (summaries from a pool in which about 1 in 5 mentions a keyword of the
shipped rules, some negated; outcomes with 未接通/拒接 in about one in five), notes on one
customer in ten, 潜在需求 on one in ten (last triggered over the past year) and 高活跃度 on one in
five. Then it times, once each: the decay dry run (counts), the decay run, each keyword rule's
preview and run, and the on-save path (1,000 interactions logged through the service, then the
listener's task). Prints a JSON summary (--json PATH writes it too).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, machine

SUMMARIES = [
    "电话沟通了产品功能，客户比较满意。",
    "客户询问交货周期和售后服务。",
    "拜访客户，介绍了新一代产品方案。",
    "客户表示下个季度会重新评估需求。",
    "发送了报价单，等待客户反馈。",
    "客户对系统集成有疑问，约了下周演示。",
    "会议纪要：双方确认了试点范围。",
    "客户负责人出差，改天再联系。",
    "微信沟通，客户转发给了采购部门。",
    "客户说今年预算有限，希望分期付款。",
    "客户需要技术咨询，安排工程师上门。",
    "客户提到竞品的价格更低。",
    "客户说没有预算有限的问题，重点是效果。",
    "客户对比了其他家的方案，下周给答复。",
    "例行回访，客户使用正常。",
    "客户希望增加培训名额。",
    "电话未接通，稍后再打。",
    "客户在走内部审批流程。",
    "客户反馈上次的问题已经解决。",
    "客户确认参加下个月的产品发布会。",
    "介绍了年度服务套餐。",
    "客户在考虑扩大采购规模。",
    "客户要求提供案例资料。",
    "客户询问是否支持私有化部署。",
]
NOTES = [
    "重点客户，注意跟进。",
    "客户预算紧张，价格敏感。",
    "关注竞争对手的动向。",
    "老客户转介绍。",
]
FEEDBACK = ["interested"] * 4 + ["needs_more_info"] * 2 + ["not_now", "no_answer", "refused"]


def prepare(customers: int, per_customer: int, seed: int = 17) -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kehu.customers.models import Customer
    from kehu.tags.models import CustomerTag, Tag

    call_command("migrate", verbosity=0, interactive=False)
    have = Customer.objects.count()
    if have >= customers:
        return {}
    rng = random.Random(seed)
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Any] = []
    for index in range(have, customers):
        batch.append(
            Customer(
                customer_no=f"BA{index:09d}",
                name=f"压测客户{index}",
                name_normalized=f"压测客户{index}",
                notes=rng.choice(NOTES) if index % 10 == 0 else "",
            )
        )
        if len(batch) == 10_000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    loaded_customers = time.perf_counter() - started
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[have:])
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        _interactions_sql(per_customer)
    else:
        _interactions_orm(ids, per_customer, rng, now)
    loaded_interactions = time.perf_counter() - started
    potential, active = Tag.objects.get(name="潜在需求"), Tag.objects.get(name="高活跃度")
    links = []
    for cid in ids:
        if cid % 10 == 0:
            links.append(
                CustomerTag(
                    customer_id=cid,
                    tag=potential,
                    source="rule",
                    last_triggered_at=now - timedelta(days=rng.randrange(365)),
                )
            )
        if cid % 5 == 1:
            links.append(CustomerTag(customer_id=cid, tag=active, source="system"))
        if len(links) >= 20_000:
            CustomerTag.objects.bulk_create(links)
            links = []
    CustomerTag.objects.bulk_create(links)
    from kehu.core.db import db_analyze

    db_analyze()
    return {
        "load_customers_s": round(loaded_customers, 1),
        "load_interactions_s": round(loaded_interactions, 1),
    }


def _interactions_orm(ids: list[int], per_customer: int, rng: random.Random, now: Any) -> None:
    from kehu.interactions.models import Interaction

    number = Interaction.objects.count()
    rows: list[Any] = []
    for cid in ids:
        at = now - timedelta(days=rng.randrange(1, 700))
        for _ in range(per_customer):
            at += timedelta(hours=rng.randrange(1, 24 * 30))
            number += 1
            rows.append(
                Interaction(
                    interaction_no=f"HB{number:010d}",
                    customer_id=cid,
                    occurred_at=at,
                    method="wechat" if number % 7 == 0 else "phone",
                    topic="回访",
                    summary=SUMMARIES[rng.randrange(len(SUMMARIES))],
                    feedback=FEEDBACK[rng.randrange(len(FEEDBACK))],
                    next_action="继续跟进",
                )
            )
        if len(rows) >= 20_000:
            Interaction.objects.bulk_create(rows)
            rows = []
    Interaction.objects.bulk_create(rows)


def _interactions_sql(per_customer: int) -> None:
    """PostgreSQL: one INSERT … SELECT per 50,000 customers (the ORM is 10x slower)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(customer_id), 0) FROM interactions_interaction")
        after = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM customers_customer")
        last = cursor.fetchone()[0] or 0
        while after < last:
            upto = after + 50_000
            cursor.execute(
                """
                INSERT INTO interactions_interaction (interaction_no, customer_id, occurred_at,
                    method, topic, summary, feedback, next_action, is_late_entry, created_at)
                SELECT 'HB' || c.id || '-' || g, c.id,
                    now() - interval '700 days' + (c.id %% 97) * interval '1 day'
                        + g * interval '20 days' + (random() * 1000) * interval '1 minute',
                    CASE WHEN random() < 1.0 / 7 THEN 'wechat' ELSE 'phone' END, '回访',
                    (%s::text[])[1 + floor(random() * %s)::int],
                    (%s::text[])[1 + floor(random() * %s)::int],
                    '继续跟进', false, now()
                FROM customers_customer c CROSS JOIN generate_series(1, %s) g
                WHERE c.id > %s AND c.id <= %s
                """,
                [SUMMARIES, len(SUMMARIES), FEEDBACK, len(FEEDBACK), per_customer, after, upto],
            )
            after = upto


def timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, round(time.perf_counter() - started, 2)


def on_save(count: int) -> dict[str, Any]:
    """`count` interactions logged through the service, then the listener's task over them."""
    from kehu.accounts.models import User
    from kehu.customers.models import Customer
    from kehu.interactions.services import interaction_log
    from kehu.tags.rules.events import cursor_start, events_process

    cursor_start()
    actor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-autotag", password="x", role="admin"
    )
    customers = list(Customer.objects.order_by("?")[:count])
    started = time.perf_counter()
    for index, customer in enumerate(customers):
        interaction_log(
            actor=actor,
            customer=customer,
            data={
                "method": "phone",
                "topic": "回访",
                "summary": SUMMARIES[index % len(SUMMARIES)],
                "feedback": "interested",
                "next_action": "继续跟进",
            },
        )
    logged = time.perf_counter() - started
    read, seconds = timed(events_process)
    return {
        "interactions_logged": count,
        "log_ms_each": round(logged * 1000 / max(count, 1), 2),
        "entries_read": read,
        "listener_task_s": seconds,
        "listener_ms_per_interaction": round(seconds * 1000 / max(count, 1), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--per-customer", type=int, default=10)
    parser.add_argument("--on-save", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--load-only", action="store_true", help="Load the data and stop (outside the bench lock)."
    )
    args = parser.parse_args()
    django_setup()
    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.tags.models import CustomerTag, KeywordTagRule
    from kehu.tags.rules.apply import rule_preview, rule_run
    from kehu.tags.rules.decay import decay_run_all

    load = prepare(args.customers, args.per_customer)
    if args.load_only:
        print(json.dumps(load))
        return 0
    result: dict[str, Any] = {
        "machine": machine(),
        "database": database_info(),
        "customers": Customer.objects.count(),
        "interactions": Interaction.objects.count(),
        "tags": CustomerTag.objects.count(),
        "load": load,
    }
    dry, result["decay_dry_run_s"] = timed(lambda: decay_run_all(dry_run=True))
    done, result["decay_run_s"] = timed(decay_run_all)
    result["decay_counts"] = {"dry_run": dry, "run": done}
    keyword: dict[str, Any] = {}
    for rule in KeywordTagRule.objects.select_related("tag"):
        preview, preview_s = timed(lambda rule=rule: rule_preview(rule))
        run, run_s = timed(lambda rule=rule: rule_run(rule))
        keyword[rule.name] = {
            "preview_s": preview_s,
            "run_s": run_s,
            "preview": {k: preview[k] for k in ("matched", "new")},
            "run": run,
        }
    result["keyword_rules"] = keyword
    result["keyword_runs_total_s"] = round(sum(k["run_s"] for k in keyword.values()), 2)
    if args.on_save:
        result["on_save"] = on_save(args.on_save)
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
