"""Reads of the audit app's own tables that other apps need (the volume rule's history)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from .models import DailyVolume


def volume_history(user: Any, *, days: int) -> list[int]:
    """The user's daily totals over the `days` days before today, a day without pulls as 0."""
    today = timezone.localdate()
    found = dict(
        DailyVolume.objects.filter(
            user=user, day__gte=today - timedelta(days=days), day__lt=today
        ).values_list("day", "row_count")
    )
    return [int(found.get(today - timedelta(days=n), 0)) for n in range(1, days + 1)]
