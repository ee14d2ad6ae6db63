"""{% pool_actions customer as pool %}: whether the viewer may claim the customer from the team
pool or return it there (the 360 page's buttons). Reads only the customer's own fields."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.customers.services import can_claim, can_return_to_pool

register = template.Library()


@register.simple_tag(takes_context=True)
def pool_actions(context: Any, customer: Any) -> dict[str, bool]:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"can_claim": False, "can_return": False}
    return {
        "can_claim": can_claim(user, customer),
        "can_return": can_return_to_pool(user, customer),
    }
