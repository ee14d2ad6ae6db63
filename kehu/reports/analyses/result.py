"""What an analysis returns: a few headline figures and charts, each chart a table.

The same structure feeds the page (tables under the charts, the JSON island the chart script
reads), the API and the CSV / XLSX export, so the three always show the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

Cell = str | int | float | None


def number(value: Any) -> Cell:
    """A JSON-friendly number: Decimal to float (2 places), None stays None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return round(float(value), 2)
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, int | str):
        return value
    return str(value)


def rate(part: float | int | Decimal | None, whole: float | int | Decimal | None) -> float | None:
    if part is None or not whole:
        return None
    return round(float(part) / float(whole), 4)


@dataclass
class Chart:
    """One chart and its table. `kind`: bar, line, stack (stacked bars), pie, funnel, map.
    The first column is the category axis; `series` names the columns drawn (default: the
    numeric columns after the first)."""

    key: str
    title: str
    kind: str
    columns: list[str]
    rows: list[list[Any]]
    series: list[int] | None = None
    note: str = ""
    percent: list[int] = field(default_factory=list)  # columns holding shares (0-1)
    hidden: list[int] = field(default_factory=list)  # columns for the chart only, not the table

    def as_dict(self) -> dict[str, Any]:
        series = self.series
        if series is None:
            series = list(range(1, len(self.columns)))
        return {
            "key": self.key,
            "title": str(self.title),
            "kind": self.kind,
            "columns": [str(c) for c in self.columns],
            "rows": [[number(v) for v in row] for row in self.rows],
            "series": series,
            "percent": self.percent,
            "hidden": self.hidden,
            "note": str(self.note),
        }


@dataclass
class Figure:
    key: str
    label: str
    value: Any
    kind: str = "number"  # number, percent, money, hours, days

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "value": number(self.value),
            "kind": self.kind,
        }


@dataclass
class Result:
    analysis: str
    title: str
    filters: dict[str, str]
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fresh_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "analysis": self.analysis,
            "title": str(self.title),
            "filters": self.filters,
            "figures": [f.as_dict() for f in self.figures],
            "charts": [c.as_dict() for c in self.charts],
            "notes": [str(n) for n in self.notes],
            "fresh_at": self.fresh_at,
        }

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)


def bucket(day: date, group: str) -> str:
    """The period label a day falls in: '2026-11' (month) or the ISO week's Monday."""
    if group == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return f"{day:%Y-%m}"


def buckets(start: date, end: date, group: str) -> list[str]:
    """Every period label from start to end, in order (empty periods show as 0)."""
    labels: list[str] = []
    day = start - timedelta(days=start.weekday()) if group == "week" else start.replace(day=1)
    while day <= end:
        labels.append(bucket(day, group))
        if group == "week":
            day += timedelta(days=7)
        else:
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return labels


def pivot(
    counts: Iterable[tuple[str, str, int]], periods: Sequence[str], names: Sequence[str]
) -> list[list[Cell]]:
    """(period, name, count) triples as one row per period, one column per name."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for period, name, count in counts:
        table[period][name] = table[period].get(name, 0) + count
    return [[p, *(table[p].get(n, 0) for n in names)] for p in periods]
