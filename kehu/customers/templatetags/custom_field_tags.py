"""{% custom_value record field %}: a custom field's value as the pages show it (issue 15)."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.customers.custom_fields import custom_field_display
from kehu.customers.models import CustomField

register = template.Library()


@register.simple_tag
def custom_value(record: Any, field: CustomField) -> str:
    values = getattr(record, "custom_fields", None) or {}
    return custom_field_display(field, values.get(field.key)) or "—"
