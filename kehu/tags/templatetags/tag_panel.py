"""{% customer_tags_panel customer %}: the 360 page's tags panel (kehu.tags.views.panel_context)."""

from __future__ import annotations

from typing import Any

from django import template

from ..views import panel_context

register = template.Library()


@register.inclusion_tag("tags/_panel.html", takes_context=True)
def customer_tags_panel(context: Any, customer: Any) -> dict[str, Any]:
    return {
        **panel_context(context["request"].user, customer),
        "csrf_token": context.get("csrf_token"),
    }
