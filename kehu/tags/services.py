"""Applying and removing tags: atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text
from kehu.customers.models import Customer

from .models import CustomerTag, Tag


def _tag_name(raw: Any) -> str:
    name = clean_text(raw)
    if not name:
        raise ValidationFailed({"tag": [_("Name the tag.")]})
    if len(name) > 50:
        raise ValidationFailed({"tag": [_("A tag has at most 50 characters.")]})
    return name


@transaction.atomic
def tag_apply(
    *, actor: User | None, customer: Customer, name: str, source: str | None = None
) -> bool:
    """Put the tag on the customer (creating the tag if new); False when it was there already."""
    tag, _created = Tag.objects.get_or_create(name=_tag_name(name))
    _link, created = CustomerTag.objects.get_or_create(
        customer=customer,
        tag=tag,
        defaults={"added_by": actor},
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_TAGGED,
            target=customer,
            changes={"tags": [None, tag.name]},
            source=source,
        )
    return created


@transaction.atomic
def tag_remove(*, actor: User, customer: Customer, name: str) -> bool:
    """Take the tag off the customer; False when it was not there."""
    deleted, _ = CustomerTag.objects.filter(customer=customer, tag__name=_tag_name(name)).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_UNTAGGED,
            target=customer,
            changes={"tags": [name, None]},
        )
    return bool(deleted)


# --- Merges: tags given to another customer (kehu.dedupe's merge and its undo)


@transaction.atomic
def customer_tags_move(
    *, actor: User, ids: Iterable[int], customer: Customer
) -> tuple[list[int], list[dict[str, Any]]]:
    """Give these tag links to `customer`. A tag the customer has already is not put on twice:
    that link is removed and returned (id, tag, who added it, when) for an undo to restore.
    Returns (moved ids, removed links); each tag the customer gains is a "customer.tagged" entry."""
    links = list(
        CustomerTag.objects.filter(pk__in=list(ids))
        .exclude(customer=customer)
        .select_related("tag")
        .order_by("pk")
    )
    has = set(CustomerTag.objects.filter(customer=customer).values_list("tag_id", flat=True))
    moved, removed = [], []
    for link in links:
        if link.tag_id in has:
            removed.append(
                {
                    "id": link.pk,
                    "customer_id": link.customer_id,
                    "tag_id": link.tag_id,
                    "added_by_id": link.added_by_id,
                    "added_at": link.added_at.isoformat(),
                }
            )
        else:
            has.add(link.tag_id)
            moved.append(link)
    if removed:
        CustomerTag.objects.filter(pk__in=[r["id"] for r in removed]).delete()
    if moved:
        CustomerTag.objects.filter(pk__in=[link.pk for link in moved]).update(customer=customer)
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_TAGGED,
            target=customer,
            changes={"tags": [None, ", ".join(link.tag.name for link in moved)]},
        )
    return [link.pk for link in moved], removed


@transaction.atomic
def customer_tags_restore(*, actor: User, rows: Iterable[dict[str, Any]]) -> int:
    """Put back links customer_tags_move removed (an undone merge), as they were."""
    restored = 0
    for row in rows:
        if CustomerTag.objects.filter(pk=row["id"]).exists():
            continue
        if not Customer.objects.filter(pk=row["customer_id"]).exists():
            continue
        link = CustomerTag(
            pk=row["id"],
            customer_id=row["customer_id"],
            tag_id=row["tag_id"],
            added_by_id=row.get("added_by_id"),
        )
        link.save(force_insert=True)
        CustomerTag.objects.filter(pk=link.pk).update(
            added_at=datetime.fromisoformat(row["added_at"])
        )
        restored += 1
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_TAGGED,
            target=Customer.objects.get(pk=row["customer_id"]),
            changes={"tags": [None, Tag.objects.get(pk=row["tag_id"]).name]},
        )
    return restored
