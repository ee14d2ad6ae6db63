"""Display filters: phones as people read them (11 digits for Chinese mobiles)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from kehu.core.validators import format_phone
from kehu.portal.labels import feedback_label, stage_label

register = template.Library()


@register.filter(name="phone")
def phone(value: str) -> str:
    return format_phone(value or "")


@register.filter(name="feedback_label")
def feedback_label_filter(value: str) -> str:
    return str(feedback_label(value)) if value else ""


@register.filter(name="stage_label")
def stage_label_filter(value: str) -> str:
    return str(stage_label(value)) if value else ""


@register.filter(name="yuan")
def yuan(value: Decimal | int | None) -> str:
    """¥1,200,000.00: thousands grouped with commas, as Chinese business documents do."""
    if value is None or value == "":
        return ""
    return f"¥{Decimal(value):,.2f}"
