"""Display filters: phones as people read them (11 digits for Chinese mobiles)."""

from __future__ import annotations

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
