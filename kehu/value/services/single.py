"""Recompute a few customers' value rows (after their orders, interactions or status changed).

The R/F/M quintiles place each customer among the stored rows of every other customer with
orders (the nightly run keeps them current) and the others recomputed here; the cube's median
thresholds are the ones the nightly run measured (or measured now when it has not run yet)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.interactions.models import Interaction
from kehu.opportunities.models import OpportunityLine, Order, OrderLine

from ..models import CustomerValue
from . import classify as rules
from .config import COUNTED_STATUSES, config_load, settings_row
from .events import lifecycle_changes_record
from .medians import medians_measure

PRODUCTS_SHOWN = 3


def _figures(ids: list[int], now: datetime) -> dict[int, rules.Figures]:
    orders = {
        row["customer_id"]: row
        for row in Order.objects.filter(customer_id__in=ids, status__in=COUNTED_STATUSES)
        .values("customer_id")
        .annotate(n=Count("id"), rev=Sum("amount"), first=Min("signed_on"), last=Max("signed_on"))
    }
    figures = {}
    for c in Customer.objects.filter(pk__in=ids).values(
        "pk", "status", "created_at", "first_contact_date", "last_interaction_at"
    ):
        o = orders.get(c["pk"]) or {}
        created_day = c["created_at"].astimezone(UTC).date()
        figures[c["pk"]] = rules.Figures(
            order_count=o.get("n") or 0,
            revenue=float(o.get("rev") or 0),
            first_order=o.get("first"),
            last_order=o.get("last"),
            tenure_start=o.get("first") or c["first_contact_date"] or created_day,
            status=c["status"],
            created_at=c["created_at"],
            last_interaction=c["last_interaction_at"],
            recent_interactions=0,
        )
    return figures


def _behaviour(ids: list[int], since: datetime) -> tuple[dict[int, int], dict[int, str]]:
    recent: dict[int, int] = defaultdict(int)
    methods: dict[int, Counter[str]] = defaultdict(Counter)
    rows = (
        Interaction.objects.filter(customer_id__in=ids)
        .values("customer_id", "method")
        .annotate(n=Count("id"), last=Max("occurred_at"))
    )
    for row in rows:
        methods[row["customer_id"]][row["method"]] += row["n"]
    for row in (
        Interaction.objects.filter(customer_id__in=ids, occurred_at__gte=since)
        .values("customer_id")
        .annotate(n=Count("id"))
    ):
        recent[row["customer_id"]] = row["n"]
    channel = {
        pk: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for pk, counts in methods.items()
    }
    return recent, channel


def _products(ids: list[int]) -> dict[int, str]:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for row in (
        OrderLine.objects.filter(order__customer_id__in=ids, order__status__in=COUNTED_STATUSES)
        .values("order__customer_id", "product")
        .annotate(n=Count("id"))
    ):
        counts[row["order__customer_id"]][row["product"]] += row["n"]
    for row in (
        OpportunityLine.objects.filter(opportunity__customer_id__in=ids)
        .values("opportunity__customer_id", "product__name")
        .annotate(n=Count("id"))
    ):
        counts[row["opportunity__customer_id"]][row["product__name"]] += row["n"]
    return {
        pk: "、".join(
            name for name, _n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:PRODUCTS_SHOWN]
        )[:200]
        for pk, c in counts.items()
    }


def _quintiles(figures: dict[int, rules.Figures]) -> dict[int, tuple[int, int, int]]:
    """R, F, M among every customer with orders: the others' stored rows and these."""
    ids = list(figures)
    others = CustomerValue.objects.filter(order_count__gt=0).exclude(customer_id__in=ids)
    mine = [(pk, f) for pk, f in figures.items() if f.order_count]
    total = others.count() + len(mine)
    result = {}
    for pk, fig in mine:
        dims = []
        for field, value, attr in (
            ("last_order_date", fig.last_order, "last_order"),
            ("order_count", fig.order_count, "order_count"),
            ("revenue", fig.revenue, "revenue"),
        ):
            stored = Decimal(f"{value:.2f}") if field == "revenue" else value
            below = others.filter(**{f"{field}__lt": stored}).count()
            equal = others.filter(**{field: stored}).count()
            for _other, f in mine:
                theirs = getattr(f, attr)
                below += theirs < value
                equal += theirs == value
            dims.append(rules.quintile(below, equal, total) or 0)
        result[pk] = (dims[0], dims[1], dims[2])
    return result


def values_recompute(
    customer_ids: Iterable[int], *, now: datetime | None = None, audit: bool = True
) -> int:
    """Recompute these customers' rows; a lifecycle that changed is an audit entry (value.
    lifecycle_changed, source "system") that workflow rules can trigger on. Returns the count."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    row = settings_row()
    medians = None
    if row.median_frequency is None and CustomerValue.objects.filter(order_count__gt=0).exists():
        medians = medians_measure(today)
    cfg = config_load(row, medians)
    figures = _figures(ids, now)
    recent, channel = _behaviour(ids, now - timedelta(days=cfg.interaction_days))
    products = _products(ids)
    if cfg.frequency is None and any(f.order_count for f in figures.values()):
        cfg = _self_thresholds(cfg, figures, today)
    rfm = _quintiles(figures)
    changes: list[tuple[int, str, str]] = []
    with transaction.atomic():
        old = dict(
            CustomerValue.objects.filter(customer_id__in=ids).values_list(
                "customer_id", "lifecycle"
            )
        )
        for pk, fig in figures.items():
            fig.recent_interactions = recent.get(pk, 0)
            values = _row(cfg, fig, rfm.get(pk), now, today)
            values.update(
                channel_preference=channel.get(pk, ""), product_interest=products.get(pk, "")
            )
            CustomerValue.objects.update_or_create(customer_id=pk, defaults=values)
            if old.get(pk) and old[pk] != values["lifecycle"]:
                changes.append((pk, old[pk], values["lifecycle"]))
        if audit and changes:
            lifecycle_changes_record(changes)
    return len(figures)


def _self_thresholds(cfg: Any, figures: dict[int, rules.Figures], today: date) -> Any:
    """No stored row has orders yet: the medians of these customers."""
    with_orders = [f for f in figures.values() if f.order_count]

    def median(values: list[float]) -> float:
        values = sorted(values)
        return values[len(values) // 2]

    cfg.frequency = median([f.order_count for f in with_orders])
    cfg.aov = median([f.aov for f in with_orders])
    cfg.tenure_days = median([(today - f.tenure_start).days for f in with_orders])
    return cfg


def _row(
    cfg: Any, fig: rules.Figures, rfm: tuple[int, int, int] | None, now: datetime, today: date
) -> dict[str, Any]:
    octant = rules.octant_of(cfg, fig, today)
    r, f, m = rfm or (None, None, None)
    return {
        "first_order_date": fig.first_order,
        "last_order_date": fig.last_order,
        "order_count": fig.order_count,
        "revenue": round(fig.revenue, 2),
        "avg_order_value": fig.aov,
        "r": r,
        "f": f,
        "m": m,
        "rfm_score": sum(rfm) if rfm else None,
        "octant": octant,
        "grade": rules.grade_of(cfg, octant),
        "lifecycle": rules.lifecycle_of(cfg, fig, now, today),
        "interaction_level": rules.interaction_level_of(cfg, fig.recent_interactions),
        "tenure_band": rules.tenure_band_of(fig, today),
        "repurchase_level": rules.repurchase_level_of(cfg, fig.order_count),
        "computed_at": now,
    }
