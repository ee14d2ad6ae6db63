"""{% pending_reviews customer as items %}: what waits for a reviewer on this customer (360)."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.review.models import ReviewItem
from kehu.review.selectors import review_pending_count

register = template.Library()


@register.simple_tag
def pending_reviews(customer: Any) -> list[ReviewItem]:
    """Whoever sees the customer sees that a change waits (and what it is)."""
    return list(
        ReviewItem.objects.filter(
            customer=customer, status=ReviewItem.Status.PENDING
        ).select_related("requested_by")
    )


@register.simple_tag
def review_waiting(user: Any) -> int:
    """How many items wait for this user's decision (the menu's badge)."""
    return review_pending_count(user)
