"""The customer list's won_from / won_to filter: customers whose status became 成交 (won) on
those days (CustomerStatusChange, in the user's time zone), whatever their status now; what the
dashboard's 本月成交客户 counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from kehu.core.validators import parse_date

from .models import Customer, CustomerStatusChange


def won_filter(
    qs: QuerySet[Customer], params: dict[str, Any], errors: dict[str, list[str]]
) -> QuerySet[Customer]:
    """Customers with a change to won from won_from to won_to (both days inclusive)."""
    changes = CustomerStatusChange.objects.filter(
        customer=OuterRef("pk"), to_status=Customer.Status.WON
    )
    given = False
    for key, lookup in (("won_from", "changed_at__gte"), ("won_to", "changed_at__lt")):
        raw = str(params.get(key) or "").strip()
        if not raw:
            continue
        try:
            day = parse_date(raw)
        except Exception as exc:  # ValidationError
            errors[key] = list(getattr(exc, "messages", [str(exc)]))
            continue
        if key == "won_to":  # the whole last day
            day += timedelta(days=1)
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        changes, given = changes.filter(**{lookup: start}), True
    return qs.filter(Exists(changes)) if given else qs
