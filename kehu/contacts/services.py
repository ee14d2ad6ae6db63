"""Row writes of contacts: validated values in, audited rows and search entries out.

Called by kehu.customers.services (the customer is the aggregate root: it runs the guards and
keeps the customer's completeness and reachability) and by the merge; edges never call these
directly (import-linter forbids it).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, diff_fields
from kehu.core.crypto import blind_values
from kehu.core.normalize import name_pinyin
from kehu.core.search_index import search_index_contact, search_unindex
from kehu.core.versioning import version_next

from .models import Contact

CONTACT_AUDIT_FIELDS = (
    "name", "gender", "title", "department", "mobile", "landline", "email", "wechat", "qq",
    "address", "contact_type", "decision_role", "is_primary", "has_left", "left_on",
)  # fmt: skip
# Fields a merge may fill on the surviving contact from the merged one when they are empty.
MERGE_FILL_FIELDS = (
    "gender", "title", "department", "mobile", "landline", "email", "wechat", "qq", "address",
    "decision_role",
)  # fmt: skip


def contact_snapshot(
    contact: Contact, custom_labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """The audited fields; custom field values under their labels ({key: label} given by the
    customers' services, which own the definitions), else under their keys."""
    snapshot = {field: getattr(contact, field) for field in CONTACT_AUDIT_FIELDS}
    labels = custom_labels or {}
    for key, value in (contact.custom_fields or {}).items():
        snapshot[labels.get(key, key)] = value
    return snapshot


def _unset_other_primaries(contact: Contact) -> None:
    Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
        pk=contact.pk
    ).update(is_primary=False, version=version_next())


@transaction.atomic
def contact_add(
    *,
    actor: User | None,
    customer: Any,
    values: dict[str, Any],
    source: str | None = None,
    audit: bool = True,
    custom_labels: dict[str, str] | None = None,
) -> Contact:
    """A new contact. `audit=False` when the caller's own entry lists it (a new customer's
    decision maker is part of "customer.created")."""
    contact = Contact(customer=customer, name_pinyin=name_pinyin(values.get("name", "")))
    for key, value in values.items():
        setattr(contact, key, value)
    contact.save()
    if contact.is_primary:
        _unset_other_primaries(contact)
    search_index_contact(contact)
    if not audit:
        return contact
    audit_record(
        actor=actor,
        action=AuditAction.CONTACT_CREATED,
        target=contact,
        changes=diff_fields({}, contact_snapshot(contact, custom_labels)),
        source=source,
    )
    return contact


@transaction.atomic
def contact_change(
    *,
    actor: User | None,
    contact: Contact,
    values: dict[str, Any],
    source: str | None = None,
    custom_labels: dict[str, str] | None = None,
) -> dict[str, list[Any]]:
    """Apply the values; returns the audited changes ({} when nothing changed)."""
    before = contact_snapshot(contact, custom_labels)
    if values.get("has_left") and not contact.has_left and not values.get("left_on"):
        values = {**values, "left_on": timezone.localdate()}
    for key, value in values.items():
        setattr(contact, key, value)
    contact.name_pinyin = name_pinyin(contact.name)
    contact.save()
    if contact.is_primary:
        _unset_other_primaries(contact)
    search_index_contact(contact)
    changes = diff_fields(before, contact_snapshot(contact, custom_labels))
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.CONTACT_UPDATED,
            target=contact,
            changes=changes,
            source=source,
        )
    return changes


@transaction.atomic
def contact_remove(*, actor: User | None, contact: Contact, note: str = "") -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CONTACT_DELETED,
        target=contact,
        changes=diff_fields(contact_snapshot(contact), {}),
        note=note,
    )
    search_unindex("contact", [contact.pk])
    contact.delete()


@transaction.atomic
def contacts_move(
    *,
    actor: User | None,
    contacts: Iterable[Contact],
    customer: Any,
    primary: Collection[int] = (),
) -> list[int]:
    """Give these contacts to another customer (a merge, or its undo); re-indexed under its name.

    The customer keeps its own primary contact: a moved one is primary only if its id is in
    `primary` (an undo giving a customer back its own)."""
    moved = []
    for contact in contacts:
        old_customer_id = contact.customer_id
        contact.customer = customer
        contact.is_primary = contact.pk in primary
        contact.save(update_fields=["customer", "is_primary", "updated_at"])
        search_index_contact(contact)
        audit_record(
            actor=actor,
            action=AuditAction.CONTACT_MOVED,
            target=contact,
            changes={"customer": [old_customer_id, customer.pk]},
        )
        moved.append(contact.pk)
    return moved


@transaction.atomic
def contact_fold(*, actor: User | None, survivor: Contact, merged: Contact) -> dict[str, list[Any]]:
    """The same person on both sides of a merge: fill the survivor's empty fields from the
    merged contact, then remove the merged one. Interactions must be re-pointed first."""
    values = {
        field: getattr(merged, field)
        for field in MERGE_FILL_FIELDS
        if not getattr(survivor, field) and getattr(merged, field)
    }
    changes = contact_change(actor=actor, contact=survivor, values=values) if values else {}
    contact_remove(
        actor=actor, contact=merged, note=f"merged into contact {survivor.pk} ({survivor.name})"
    )
    return changes


def json_default(value: Any) -> Any:
    """For json.dumps: times to the microsecond (Django's encoder keeps milliseconds only)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def contact_record(contact: Contact) -> dict[str, Any]:
    """Every column of the contact, JSON-ready: what contact_unfold needs to bring it back."""
    record: dict[str, Any] = json.loads(
        json.dumps(
            {f.attname: getattr(contact, f.attname) for f in Contact._meta.concrete_fields},
            default=json_default,
        )
    )
    return record


@transaction.atomic
def contact_unfold(*, actor: User | None, record: dict[str, Any]) -> Contact:
    """Undo contact_fold: bring the merged contact back (a merge's undo), same id, every field as
    it was (contact_record); re-indexed and audited."""
    values = {
        f.attname: f.to_python(record[f.attname])
        for f in Contact._meta.concrete_fields
        if f.attname in record
    }
    contact = Contact(**values)
    contact.version += 1  # a form opened before the merge is stale
    contact.save(force_insert=True)
    Contact.objects.filter(pk=contact.pk).update(  # auto_now(_add) stamped them afresh
        created_at=values["created_at"], updated_at=values["updated_at"]
    )
    search_index_contact(contact)
    audit_record(
        actor=actor,
        action=AuditAction.CONTACT_RESTORED,
        target=contact,
        changes=diff_fields({}, contact_snapshot(contact)),
    )
    return contact


def contacts_bulk_add(contacts: list[Contact]) -> None:
    """Insert new contacts of new customers in one statement per batch (an import). Not audited
    one by one: the customer's own "customer.created" entry lists its decision maker."""
    from kehu.core.bulk import insert_rows, reserve_ids

    for contact, pk in zip(contacts, reserve_ids(Contact, len(contacts)), strict=True):
        contact.pk = pk
        if not contact.name_pinyin:
            contact.name_pinyin = name_pinyin(contact.name)
    insert_rows(Contact, contacts, with_ids=True)


def contact_values_restore(*, contact: Contact, values: dict[str, Any]) -> None:
    """Put back values an import overwrote (its revert; the customer's entry records it)."""
    Contact.objects.filter(pk=contact.pk).update(
        **blind_values(Contact, values), version=version_next()
    )
    contact.refresh_from_db()
    search_index_contact(contact)


# Personal fields of a contact that erasure (kehu.privacy) empties; the name becomes the tombstone.
CONTACT_PERSONAL_FIELDS = (
    "name_pinyin", "gender", "mobile", "landline", "email", "wechat", "qq", "address",
    "phone_unusable", "phone_partial",
)  # fmt: skip


def contacts_anonymise(*, contact_ids: Collection[int], tombstone: str) -> int:
    """Erase the contacts' identity in place: the rows (and what points at them) stay, with the
    tombstone for a name and no number, address or custom value. The caller (the customer's
    anonymisation) audits it, without the values."""
    contacts = list(Contact.objects.select_for_update().filter(pk__in=list(contact_ids)))
    for contact in contacts:
        contact.name = tombstone
        for field in CONTACT_PERSONAL_FIELDS:
            setattr(contact, field, "")
        contact.custom_fields = {}
        contact.save(update_fields=["name", *CONTACT_PERSONAL_FIELDS, "custom_fields"])
        search_index_contact(contact)
    return len(contacts)
