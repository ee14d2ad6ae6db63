"""{% customer_tags_panel customer %}: the 360 page's tags panel (kehu.tags.views.panel_context)."""

from __future__ import annotations

from typing import Any

from django import template

from ..views import panel_context

register = template.Library()


@register.inclusion_tag("tags/_panel.html", takes_context=True)
def customer_tags_panel(context: Any, customer: Any) -> dict[str, Any]:
    """The page's can_edit says whether the user may tag (no query of its own); marketing and
    support may tag what they see."""
    allowed = bool(context.get("can_edit"))
    return {
        **panel_context(context["request"].user, customer, allowed=allowed),
        "csrf_token": context.get("csrf_token"),
    }
