"""Many customers at once: a bulk change (one guard for the whole set, then each customer
through customer_update), and the import's creates (batched inserts, still audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.services import PendingEntry, audit_record_many, diff_fields
from kehu.contacts.models import Contact
from kehu.contacts.services import contacts_bulk_add
from kehu.core.bulk import insert_rows, reserve_ids
from kehu.core.errors import ChangeHeld
from kehu.core.search_index import SearchDocument, search_index_bulk
from kehu.review.models import ReviewItem
from kehu.review.services import review_hold

from ..models import Customer, CustomerStatusChange
from .review_rules import bulk_change_hold
from .write import (
    customer_snapshot,
    customer_update,
    json_ready,
    maker_changes,
    relation_labels,
)


def customer_bulk_update(
    *, actor: User, customers: list[Customer], changes: dict[str, Any]
) -> dict[str, Any]:
    """Change several customers at once. More than the bulk rule allows waits for review as one
    item; otherwise each customer goes through customer_update (and meets its guards: a held
    change for one customer is listed under `held`, the others apply)."""
    hold = bulk_change_hold(actor=actor, count=len(customers), changes=changes)
    if hold is not None:
        item = review_hold(
            actor=actor,
            action=ReviewItem.Action.BULK_UPDATE,
            rule=hold.rule,
            reason=hold.reason,
            payload={"customer_ids": [c.pk for c in customers], "changes": json_ready(changes)},
            diff=[
                {
                    "field": "customers",
                    "label": _("customers"),
                    "before": "",
                    "after": "、".join(c.customer_no for c in customers[:50]),
                }
            ],
        )
        raise ChangeHeld(
            _("This change waits for review by your manager (#%(id)s): %(reason)s")
            % {"id": item.pk, "reason": hold.reason},
            pending_id=item.pk,
        )
    updated, held = [], []
    with transaction.atomic():
        for customer in customers:
            try:
                customer_update(actor=actor, customer=customer, data=dict(changes))
            except ChangeHeld as exc:
                held.append({"customer_no": customer.customer_no, "pending_id": exc.pending_id})
            else:
                updated.append(customer.customer_no)
    return {"updated": len(updated), "held": held}


def apply_bulk_update(item: ReviewItem) -> None:
    changes = item.payload.get("changes") or {}
    for customer in Customer.objects.filter(pk__in=item.payload.get("customer_ids") or []):
        customer_update(
            actor=item.requested_by, customer=customer, data=dict(changes), approved=item
        )


@transaction.atomic
def customers_bulk_create(
    *,
    actor: User | None,
    items: list[tuple[Customer, Contact | None]],
    reason: str,
    documents: list[SearchDocument] | None = None,
    source: str = "import",
) -> None:
    """Insert new customers (numbered, cleaned and guarded by the caller) with their decision
    makers, status history, search documents and one audit entry each ("customer.created",
    listing the decision maker too), in batches: the import's write path."""
    if not items:
        return
    customers = [customer for customer, _maker in items]
    for customer, pk in zip(customers, reserve_ids(Customer, len(customers)), strict=True):
        customer.pk = pk
    insert_rows(Customer, customers, with_ids=True)
    makers = []
    for customer, maker in items:
        if maker is not None:
            maker.customer = customer
            makers.append(maker)
    contacts_bulk_add(makers)
    by_id = {id(c): m for c, m in items}
    actor_id = actor.pk if actor is not None else None
    insert_rows(
        CustomerStatusChange,
        [
            CustomerStatusChange(
                customer_id=c.pk, from_status="", to_status=c.status, reason=reason,
                changed_by_id=actor_id,
            )
            for c in customers
        ],
        with_ids=False,
    )  # fmt: skip
    if documents is not None:
        search_index_bulk(documents)
    entries = []
    labels = relation_labels(customers)
    for customer in customers:
        changes = diff_fields({}, customer_snapshot(customer, labels))
        maker = by_id.get(id(customer))
        if maker is not None:
            changes.update(maker_changes(maker))
        entries.append(
            PendingEntry(action="customer.created", target=customer, changes=changes, note=reason)
        )
    audit_record_many(actor=actor, entries=entries, source=source)
