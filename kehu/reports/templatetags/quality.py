from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.8123 -> '81.2%'; no data -> '—'."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def signed_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f}%"
