"""{% pending_reviews customer as items %}: what waits for a reviewer on this customer (360)."""

from __future__ import annotations

from typing import Any

from django import template

from kehu.audit.display import field_label, model_of
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


@register.filter
def diff_shown(item: ReviewItem) -> list[dict[str, Any]]:
    """The held change's rows with each field's label in the reader's language (the stored
    label is the requester's)."""
    model = model_of(
        "contacts.contact"
        if item.action == ReviewItem.Action.CONTACT_UPDATE
        else "customers.customer"
    )
    rows = []
    for row in item.diff or []:
        if not isinstance(row, dict):
            continue
        name = str(row.get("field", ""))
        label = field_label(model, name) if name else str(row.get("label", ""))
        rows.append(
            {**row, "label": label if label != name.replace("_", " ") else row.get("label")}
        )
    return rows
