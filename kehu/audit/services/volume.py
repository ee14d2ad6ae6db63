"""Rows a user pulled today: one upsert per request (kehu.audit.models.DailyVolume).

The rule that uses the count (how many rows a day, what lifts the limit) belongs to the callers
(kehu.customers.pull_volume); this module only counts, atomically: two concurrent requests never
lose a row, and a pull that finds the day already over its limit is not counted (one statement:
INSERT … ON CONFLICT DO UPDATE … WHERE under the limit … RETURNING, SQLite 3.35+ and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from ..models import DailyVolume

_TABLE = DailyVolume._meta.db_table
_UPSERT = (
    f"INSERT INTO {_TABLE} (user_id, day, row_count, limit_rows, is_lifted) "
    "VALUES (%s, %s, %s, NULL, %s) "
    f"ON CONFLICT (user_id, day) DO UPDATE SET row_count = {_TABLE}.row_count + excluded.row_count "
    f"WHERE %s OR {_TABLE}.limit_rows IS NULL OR {_TABLE}.is_lifted "
    f"OR {_TABLE}.row_count < {_TABLE}.limit_rows "
    "RETURNING row_count, limit_rows, is_lifted"
)


@dataclass(frozen=True)
class Volume:
    """Today's rows of one user; `limit` None means no limit today; `counted` is False when the
    pull was refused (the day was over its limit before it)."""

    rows: int
    limit: int | None
    counted: bool = True

    @property
    def is_over(self) -> bool:
        return self.limit is not None and self.rows >= self.limit


def _returned(row: tuple[Any, ...], *, counted: bool) -> Volume:
    rows, limit, lifted = row
    return Volume(rows=int(rows), limit=None if lifted else limit, counted=counted)


def volume_add(
    *, user: Any, rows: int, day_limit: Callable[[], int | None], force: bool = False
) -> Volume:
    """Count `rows` for `user` today, unless today's total has reached the day's limit already
    (then nothing is counted and `counted` is False); `force` counts them anyway (an export that
    was allowed). The day's limit is asked of `day_limit` once, at the day's first pull."""
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [user.pk, today, max(0, int(rows)), False, bool(force)])
        row = cursor.fetchone()
    if row is None:
        current = DailyVolume.objects.filter(user=user, day=today).values_list(
            "row_count", "limit_rows", "is_lifted"
        )
        return _returned(current.get(), counted=False)
    if row[1] is None and not row[2]:  # the day's first pull: fix the day's limit
        limit = day_limit()
        volume_set_limit(user=user, limit=limit)
        return Volume(rows=int(row[0]), limit=limit)
    return _returned(row, counted=True)


def volume_set_limit(*, user: Any, limit: int | None) -> None:
    """Today's limit (None: no limit today)."""
    DailyVolume.objects.filter(user=user, day=timezone.localdate()).update(
        limit_rows=limit if limit is not None else 0, is_lifted=limit is None
    )


def volume_lift(*, user: Any) -> None:
    """No limit for the rest of today (an approved export)."""
    DailyVolume.objects.filter(user=user, day=timezone.localdate()).update(is_lifted=True)
