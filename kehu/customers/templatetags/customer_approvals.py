"""{% pending_change_requests customer as x %}: the customer's pending change requests (360 page)."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.customers.models import ChangeRequest

register = template.Library()


@register.simple_tag
def pending_change_requests(customer: Any) -> list[ChangeRequest]:
    """Whoever sees the customer sees that a change waits (and what it is)."""
    return list(
        customer.change_requests.filter(status=ChangeRequest.Status.PENDING).select_related(
            "requested_by"
        )
    )
