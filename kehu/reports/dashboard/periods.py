"""The company snapshot's period figures (kehu.reports.dashboard.selectors): interactions,
revenue and won customers between two dates, the open pipeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from kehu.customers.models import Customer, CustomerStatusChange
from kehu.interactions.models import Interaction
from kehu.opportunities.forecast import forecast
from kehu.opportunities.models import Opportunity, Order
from kehu.opportunities.selectors import OPEN_STAGES

from .tiles import money, start_of


def interactions_between(queryset: QuerySet[Interaction], start: date, end: date) -> int:
    return queryset.filter(occurred_at__gte=start_of(start), occurred_at__lt=start_of(end)).count()


def orders_between(queryset: QuerySet[Order], start: date, end: date) -> Decimal:
    total = (
        queryset.filter(signed_on__gte=start, signed_on__lt=end)
        .exclude(status=Order.Status.CANCELLED)
        .aggregate(s=Sum("amount"))["s"]
    )
    return total or Decimal(0)


def won_between(queryset: QuerySet[CustomerStatusChange], start: date, end: date) -> int:
    return (
        queryset.filter(
            to_status=Customer.Status.WON,
            changed_at__gte=start_of(start),
            changed_at__lt=start_of(end),
        )
        .values("customer")
        .distinct()
        .count()
    )


def open_pipeline(opportunities: QuerySet[Opportunity]) -> dict[str, Any]:
    result = forecast(opportunities.filter(stage__in=OPEN_STAGES), bands=False)
    amount = (
        opportunities.filter(stage__in=OPEN_STAGES).aggregate(s=Sum("expected_amount"))["s"] or 0
    )
    return {"amount": money(amount), "weighted": money(result["total"]["weighted"])}
