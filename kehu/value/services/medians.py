"""The cube's default thresholds: the medians of the customers with orders (the upper median:
the value at position n // 2 in ascending order), from the stored rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..models import CustomerValue


def medians_measure(today: date) -> dict[str, Any]:
    rows = CustomerValue.objects.filter(order_count__gt=0)
    n = rows.count()
    if not n:
        return {"frequency": None, "aov": None, "tenure_days": None}
    at = n // 2
    first = rows.order_by("-first_order_date").values_list("first_order_date", flat=True)[at]
    return {
        "frequency": float(rows.order_by("order_count").values_list("order_count", flat=True)[at]),
        "aov": float(
            rows.order_by("avg_order_value").values_list("avg_order_value", flat=True)[at]
        ),
        "tenure_days": float((today - first).days) if first else None,
    }
