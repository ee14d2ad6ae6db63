"""Requests for a new library tag: anyone asks (name, type, description, reason, optionally the
customer it is for); the request is an item in the one review queue (kehu.review, action
tag_request) that a data steward (or an administrator) decides. Approved, the tag joins the
library (and, when the request came from a customer's page, goes on that customer); the
requester is told either way (kehu.review.services.review_decide and the applier below).

Who decides (issue 20): a request for a customer is an item about that customer, so a data
steward limited to a business unit decides it only when the customer is the unit's
(kehu.review.selectors). A library-level request (no customer) touches no unit's customers; it
goes to the requester's unit's steward, as adding the tag directly would (any steward maintains
the shared library), and to the stewards with the whole company and the administrators."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.services import notification_send
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text
from kehu.customers.models import Customer
from kehu.review.models import ReviewItem, ReviewRule
from kehu.review.services import review_hold

from ..models import Tag
from . import tag_apply
from .library import tag_create, tag_name_clean, tag_type_find, tag_update

ACTION = ReviewItem.Action.TAG_REQUEST


@transaction.atomic
def tag_request_create(
    *, actor: User, data: dict[str, Any], customer: Customer | None = None
) -> ReviewItem:
    """Queue the request for the data steward. `customer` (one the actor may tag) gets the tag
    when it is approved."""
    name = tag_name_clean(data.get("name"), "name")
    existing = Tag.objects.filter(name=name).first()
    if existing is not None and existing.is_active:
        raise ValidationFailed({"name": [_("The library has this tag already.")]})
    tag_type = tag_type_find(data.get("type"))
    description = clean_text(data.get("description") or "")[:2000]
    reason = clean_text(data.get("reason") or "")
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the library needs this tag.")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [_("At most %(n)s characters.") % {"n": 500}]})
    pending = ReviewItem.objects.filter(
        action=ACTION, status=ReviewItem.Status.PENDING, payload__name=name
    )
    if pending.exists():
        raise ValidationFailed({"name": [_("This tag has been requested already.")]})
    diff = [
        {"field": "name", "label": _("tag"), "before": "", "after": name},
        {"field": "type", "label": _("tag type"), "before": "", "after": str(tag_type or "")},
        {"field": "description", "label": _("description"), "before": "", "after": description},
    ]
    if customer is not None:
        diff.append(
            {"field": "customer", "label": _("customer"), "before": "", "after": customer.name}
        )
    return review_hold(
        actor=actor,
        action=ACTION,
        rule=ReviewRule.Kind.TAG_REQUEST,
        reason=_("New tag “%(name)s”: %(reason)s") % {"name": name, "reason": reason},
        payload={
            "name": name,
            "type": tag_type.code if tag_type else "",
            "description": description,
            "reason": reason,
            "customer_id": customer.pk if customer is not None else None,
        },
        diff=diff,
        customer=customer,  # scopes the item: a unit's steward decides its unit's customers only
    )


def tag_request_apply(item: ReviewItem) -> None:
    """The applier (registered in kehu.tags.apps): the approver puts the tag in the library;
    the requester's customer gets it; the requester is told."""
    approver = item.reviewed_by
    assert approver is not None
    payload = item.payload
    tag = Tag.objects.filter(name=payload["name"]).first()
    if tag is None:
        tag = tag_create(
            actor=approver,
            data={
                "name": payload["name"],
                "type": payload.get("type") or None,
                "description": payload.get("description", ""),
            },
        )
    elif not tag.is_active:
        tag = tag_update(actor=approver, tag=tag, data={"is_active": True})
    customer = item.customer  # followed through merges (review_items_move)
    if customer is None and payload.get("customer_id"):
        customer = Customer.objects.filter(pk=payload["customer_id"]).first()
    if customer is not None:
        tag_apply(
            actor=item.requested_by,
            customer=customer,
            name=tag.name,
            note=_("Requested and approved"),
        )
    notification_send(
        users=[item.requested_by],
        message=_("The tag “%(name)s” you requested is in the library now.") % {"name": tag.name},
        link="/settings/tags/",
    )
