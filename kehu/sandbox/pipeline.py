"""The sandbox's pipeline (issue 16): a product catalogue, and opportunities in every stage with
products and a stage history spread over the past weeks, so that the board, the list, the
forecast and an opportunity's page all have something to show. Through the services, as any
other write."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kehu.accounts.models import User
from kehu.customers.models import Customer
from kehu.opportunities.models import LostReason, Product
from kehu.opportunities.services import opportunity_create, opportunity_update
from kehu.opportunities.services.catalogue import product_save

PRODUCTS = [
    ("CRM-STD", "客户管理系统 标准版（年）", "36000"),
    ("CRM-PRO", "客户管理系统 专业版（年）", "68000"),
    ("IMPL", "实施与数据迁移服务", "25000"),
    ("TRAIN", "现场培训（天）", "4000"),
    ("SVC", "年度维保服务", "12000"),
    ("API", "接口对接包", "18000"),
]
TITLES = ["年度采购", "二期扩容", "系统升级", "新厂区项目", "续约", "试点项目", "集团推广"]
# How far along each opportunity went: the stages it passes, in order.
PATHS = [
    ["initial_contact"],
    ["initial_contact", "needs_confirmed"],
    ["initial_contact", "needs_confirmed", "proposal"],
    ["initial_contact", "needs_confirmed", "proposal", "negotiation"],
    ["initial_contact", "needs_confirmed", "proposal", "negotiation", "won"],
    ["initial_contact", "needs_confirmed", "lost"],
    ["initial_contact", "needs_confirmed", "proposal", "negotiation", "lost"],
]
OPPORTUNITIES = 70


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def load_pipeline(
    *, customers: Iterable[Customer], actor: User | None, today: date, seed: int = 16
) -> int:
    """Products, and up to OPPORTUNITIES opportunities on owned customers (every stage among
    them); returns how many opportunities were added."""
    if actor is None:
        return 0
    rng = random.Random(seed)
    existing = {p.code: p for p in Product.objects.all()}
    products = [
        existing.get(code)
        or product_save(actor=actor, data={"code": code, "name": name, "unit_price": price})
        for code, name, price in PRODUCTS
    ]
    reasons = list(LostReason.objects.filter(is_active=True))
    owned = [c for c in customers if c.owner_id is not None]
    rng.shuffle(owned)
    made = 0
    for index, customer in enumerate(owned[:OPPORTUNITIES]):
        path = PATHS[index % len(PATHS)]
        made += _one(customer, path, actor=actor, rng=rng, products=products, reasons=reasons,
                     today=today)  # fmt: skip
    return made


def _one(
    customer: Customer,
    path: list[str],
    *,
    actor: User,
    rng: random.Random,
    products: list[Product],
    reasons: list[LostReason],
    today: date,
) -> int:
    start = today - timedelta(days=rng.randint(20, 120))
    chosen = rng.sample(products, k=rng.randint(1, 3))
    lines: list[dict[str, Any]] = [
        {"product": p.code, "quantity": rng.choice([1, 1, 2, 3, 5])} for p in chosen
    ]
    close = today + timedelta(days=rng.randint(-20, 150))
    data: dict[str, Any] = {
        "title": f"{customer.name[:20]}{rng.choice(TITLES)}",
        "expected_close_date": close.isoformat(),
        "owner": customer.owner.username if customer.owner else None,
        "lines": lines,
    }
    opportunity = opportunity_create(actor=actor, customer=customer, data=data, at=_at(start))
    moment = start
    for stage in path[1:]:
        moment = min(moment + timedelta(days=rng.randint(3, 20)), today)
        extra: dict[str, Any] = {"stage": stage}
        if stage == "lost" and reasons:
            extra["lost_reason"] = rng.choice(reasons).name
        if stage == "won":
            amount = opportunity.expected_amount or Decimal("0")
            extra["won_amount"] = str((amount * Decimal("0.95")).quantize(Decimal("1")))
        opportunity = opportunity_update(
            actor=actor, opportunity=opportunity, data=extra, at=_at(moment)
        )
    return 1
