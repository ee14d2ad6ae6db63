"""Bulk actions on customers chosen in the list: assign, add or remove tags, change status.

Assigning and changing status go through customers.services.customer_bulk_update, so every
guard of a single change applies (a rep assigns only to themself, 成交 waits for approval, more
customers than the bulk rule allows wait for review as one item); tags go through the tags
services one customer at a time. All of one action happens in one transaction: a bad tag name
or a customer the user may not change stops it before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.customers import services as customer_services
from kehu.customers.models import Customer
from kehu.customers.selectors import MAX_CHOSEN, customer_get_for
from kehu.tags.services import tag_apply, tag_remove

ACTIONS = ("assign", "status", "tag", "untag")


@dataclass
class BulkResult:
    action: str
    updated: int = 0
    unchanged: int = 0
    held: list[dict[str, Any]] = field(default_factory=list)


def customers_chosen(actor: User, numbers: list[str]) -> list[Customer]:
    """The chosen customers, each one the actor may change; one error names every number that is
    not found or not theirs to change."""
    numbers = list(dict.fromkeys(str(n).strip().upper() for n in numbers if str(n).strip()))
    if not numbers:
        raise ValidationFailed({"customer_nos": [_("Choose at least one customer.")]})
    if len(numbers) > MAX_CHOSEN:
        raise ValidationFailed(
            {
                "customer_nos": [
                    _("Choose at most %(count)s customers at once.") % {"count": MAX_CHOSEN}
                ]
            }
        )
    customers, missing, refused = [], [], []
    for number in numbers:
        try:
            customers.append(customer_get_for(actor, number, for_change=True))
        except NotFound:
            missing.append(number)
        except PermissionDenied:
            refused.append(number)
    errors = []
    if missing:
        errors.append(_("Not found: %(numbers)s.") % {"numbers": "、".join(missing)})
    if refused:
        errors.append(_("You may not change: %(numbers)s.") % {"numbers": "、".join(refused)})
    if errors:
        raise ValidationFailed({"customer_nos": errors})
    return customers


def customers_bulk_act(
    *,
    actor: User,
    customer_nos: list[str],
    action: str,
    owner: str = "",
    status: str = "",
    reason: str = "",
    tags: list[str] | None = None,
) -> BulkResult:
    """Apply one action to the chosen customers (see the module's docstring); raises
    ValidationFailed naming the field, or ChangeHeld when the whole set waits for review."""
    if action not in ACTIONS:
        raise ValidationFailed(
            {"action": [_("One of: %(values)s.") % {"values": ", ".join(ACTIONS)}]}
        )
    errors: dict[str, list[str]] = {}
    names = list(dict.fromkeys(t.strip() for t in tags or [] if t and t.strip()))
    if action == "assign" and not str(owner).strip():
        errors["owner"] = [_("Choose who the customers go to.")]
    if action == "status":
        if not str(status).strip():
            errors["status"] = [_("Choose the new status.")]
        if not str(reason).strip():
            errors["reason"] = [_("Give a reason when the status changes.")]
    if action in ("tag", "untag") and not names:
        errors["tags"] = [_("Name at least one tag.")]
    if errors:
        raise ValidationFailed(errors)
    customers = customers_chosen(actor, customer_nos)
    result = BulkResult(action=action)
    if action in ("assign", "status"):
        changes = (
            {"owner": str(owner).strip()}
            if action == "assign"
            else {"status": str(status).strip(), "status_reason": str(reason).strip()}
        )
        before = {c.pk: (c.owner_id, c.status) for c in customers}
        outcome = customer_services.customer_bulk_update(
            actor=actor, customers=customers, changes=changes
        )
        held = {h["customer_no"] for h in outcome["held"]}
        after = {
            c.pk: (c.owner_id, c.status)
            for c in Customer.objects.filter(pk__in=[c.pk for c in customers])
        }
        for customer in customers:
            if customer.customer_no in held:
                continue
            if after[customer.pk] != before[customer.pk]:
                result.updated += 1
            else:
                result.unchanged += 1
        result.held = outcome["held"]
        return result
    with transaction.atomic():
        for customer in customers:
            changed = False
            for name in names:
                if action == "tag":
                    changed |= bool(tag_apply(actor=actor, customer=customer, name=name))
                else:
                    changed |= tag_remove(actor=actor, customer=customer, name=name)
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result
