"""{% value_panel customer %} (the 360 page's value panel) and the octant_label filter."""

from __future__ import annotations

from typing import Any

from django import template

from ..octants import octant_name
from ..selectors import value_detail

register = template.Library()


@register.filter
def octant_label(code: str) -> str:
    return octant_name(code or "")


@register.inclusion_tag("value/_panel.html", takes_context=True)
def value_panel(context: Any, customer: Any) -> dict[str, Any]:
    # The request: amounts are shown as bands to the roles that see only bands (support).
    return {"customer": customer, "v": value_detail(customer), "request": context["request"]}
