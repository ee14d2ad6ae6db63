"""Expressions the analyses group by, in each database's own SQL.

Django's TruncDate and datetime arithmetic run as Python functions on SQLite (one call per
row: 8,790 interactions took 190 ms per query); these stay in SQL on both databases.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import DateField, F, FloatField, Func
from django.db.models.functions import TruncDate
from django.utils import timezone


class LocalDate(Func):
    """The local calendar day of a datetime column. SQLite adds the current time zone's UTC
    offset (China keeps one offset all year); PostgreSQL converts with AT TIME ZONE."""

    output_field = DateField()

    def __init__(self, column: str) -> None:
        super().__init__(F(column))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        offset = int((timezone.localtime().utcoffset() or timedelta()).total_seconds())
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '{offset:+d} seconds')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        zone = str(timezone.get_current_timezone())
        return f"(({sql}) AT TIME ZONE %s)::date", [*params, zone]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return compiler.compile(TruncDate(self.source_expressions[0]))


class HoursBetween(Func):
    """Hours from `earlier` to `later` (two datetime columns), as a float."""

    output_field = FloatField()

    def __init__(self, later: str | Any, earlier: str | Any) -> None:
        super().__init__(
            F(later) if isinstance(later, str) else later,
            F(earlier) if isinstance(earlier, str) else earlier,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        later, lp = compiler.compile(self.source_expressions[0])
        earlier, ep = compiler.compile(self.source_expressions[1])
        return f"((julianday({later}) - julianday({earlier})) * 24.0)", [*lp, *ep]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        later, lp = compiler.compile(self.source_expressions[0])
        earlier, ep = compiler.compile(self.source_expressions[1])
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)", [*lp, *ep]
