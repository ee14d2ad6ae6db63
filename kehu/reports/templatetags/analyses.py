"""Cells and figures of the analyses' tables: shares as percentages, amounts with separators."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


@register.simple_tag
def analysis_cell(value: Any, index: int, percent: Any) -> str:
    if value is None:
        return "—"
    if isinstance(percent, list) and index in percent and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if isinstance(value, int | float):
        return _number(value)
    return str(value)


@register.simple_tag
def analysis_figure(figure: dict[str, Any]) -> str:
    value, kind = figure["value"], figure["kind"]
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"¥{value:,.0f}"
    if kind == "hours":
        return _("%(hours)s h") % {"hours": value}
    if kind == "days":
        return _("%(days)s days") % {"days": value}
    return _number(value) if isinstance(value, int | float) else str(value)
