"""{% customer_propensity customer as propensity %}: the 360 page's churn / repurchase bands."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.value.propensity.display import customer_panel

register = template.Library()


@register.simple_tag
def customer_propensity(customer: Any) -> dict[str, Any]:
    return customer_panel(customer)
