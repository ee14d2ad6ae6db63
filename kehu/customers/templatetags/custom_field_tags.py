"""{% custom_value record field %}: a custom field's value as the pages show it (issue 15)."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.customers.custom_fields import custom_field_display
from kehu.customers.masking import (
    custom_value_shown,
    diff_rows_shown,
    sensitive_custom_names,
)
from kehu.customers.models import Customer, CustomField
from kehu.review.templatetags.review_tags import diff_shown

register = template.Library()


@register.simple_tag(takes_context=True)
def custom_value(context: Any, record: Any, field: CustomField) -> str:
    """A customer's or contact's value, a sensitive one masked for a user who does not see the
    customer's personal data whole (kehu.customers.masking)."""
    values = getattr(record, "custom_fields", None) or {}
    request = context.get("request")
    customer = record if isinstance(record, Customer) else getattr(record, "customer", None)
    value = values.get(field.key)
    if customer is not None:
        value = custom_value_shown(getattr(request, "user", None), customer, field, value)
    return custom_field_display(field, value) or "—"


@register.simple_tag(takes_context=True)
def review_diff(context: Any, item: Any) -> list[dict[str, Any]]:
    """A review item's change rows, labelled in the reader's language (review's diff_shown),
    sensitive custom values masked for this reader (kehu.customers.masking.diff_rows_shown)."""
    request = context.get("request")
    sensitive = getattr(request, "_kehu_sensitive_custom", None)
    if sensitive is None:
        sensitive = sensitive_custom_names()
        if request is not None:
            request._kehu_sensitive_custom = sensitive
    user = getattr(request, "user", None)
    return diff_rows_shown(user, item.customer, diff_shown(item), sensitive=sensitive)
