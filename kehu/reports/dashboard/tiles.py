"""A dashboard tile: a titled list of figures, each linking to the filtered list behind it.

A tile is plain JSON (the API returns it as is; a snapshot stores it): the page draws its chart
from `items` (ECharts, kehu/static/kehu/charts.js) and prints the same items as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone


@dataclass
class Item:
    key: str
    label: Any  # a string or a lazy translation
    value: float | int | None
    link: str = ""
    display: str = ""
    previous: float | int | None = None
    in_chart: bool = True  # False: a rate or a sum beside counts, in the table only

    def out(self) -> dict[str, Any]:
        change = None
        if self.previous and self.value is not None:
            change = round((float(self.value) - float(self.previous)) / float(self.previous), 4)
        return {
            "key": self.key,
            "label": str(self.label),
            "value": self.value,
            "display": self.display or _display(self.value),
            "link": self.link,
            "previous": self.previous,
            "change": change,
            "in_chart": self.in_chart and self.value is not None,
        }


@dataclass
class Tile:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    chart: str = ""  # "", "bar", "pie", "funnel"
    note: str = ""
    link: str = ""

    def out(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": str(self.title),
            "chart": self.chart,
            "note": str(self.note),
            "link": self.link,
            "items": [item.out() for item in self.items],
        }


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def money(value: Decimal | float | int | None) -> float:
    return float(value or 0)


def percent(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percent_display(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def link(name: str, **params: Any) -> str:
    """The URL of page `name` with the given query parameters (empty ones left out; a list or
    tuple repeats its parameter: stage=a&stage=b)."""
    query = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    url = reverse(name)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


# --- Periods, in the company's local time


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def month_bounds(today: date, back: int = 0) -> tuple[date, date]:
    """First day of the month `back` months before today's, and the first day after it."""
    year, month = today.year, today.month - back
    while month < 1:
        month += 12
        year -= 1
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following


def quarter_bounds(today: date, back: int = 0) -> tuple[date, date]:
    index = (today.year * 4 + (today.month - 1) // 3) - back
    year, quarter = divmod(index, 4)
    first = date(year, quarter * 3 + 1, 1)
    return first, month_bounds(date(year, quarter * 3 + 3, 1))[1]


def week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())
