"""Anonymisation in place (issue 19): a customer's or a contact's identity goes, the rows stay.

kehu.privacy's erasure and retention policies call these; the interactions, orders and leads of
the person are anonymised by their own apps' services. Nothing here goes through the guards of
write.py: an erased customer no longer needs to be reachable, and the audit entry names the
fields that were emptied, never their values.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import TOMBSTONE, audit_record
from kehu.contacts.services import contacts_anonymise

from ..models import Customer
from .derived import customer_reindex

# What a customer's anonymisation empties; an individual's name (a person) goes too, a company's
# name stays (it is not personal data).
CUSTOMER_PERSONAL_FIELDS = (
    "address", "phone", "email", "phone_unusable", "phone_partial", "notes",
)  # fmt: skip
INDIVIDUAL_FIELDS = ("name", "name_normalized", "name_sort", "credit_code")


def erased_name(customer: Customer) -> str:
    return f"{TOMBSTONE} {customer.customer_no}"


@transaction.atomic
def customer_anonymise(
    *,
    actor: User | None,
    customer: Customer,
    contact_ids: Collection[int] | None = None,
    whole: bool = True,
    fields: Collection[str] = (),
    note: str = "",
) -> list[str]:
    """Anonymise the customer's personal fields (when `whole`; else only `fields` of them: a
    company's phone that is the erased person's) and the given contacts (all of them when None).
    Returns the fields emptied; one audit entry without values."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    ids = (
        list(customer.contacts.values_list("pk", flat=True))
        if contact_ids is None
        else list(contact_ids)
    )
    emptied: list[str] = []
    partial = [f for f in CUSTOMER_PERSONAL_FIELDS if f in fields and getattr(customer, f)]
    if partial and not whole:
        for field in partial:
            setattr(customer, field, "")
        emptied += partial
        customer.save(update_fields=partial)
    if whole:
        for field in CUSTOMER_PERSONAL_FIELDS:
            if getattr(customer, field):
                emptied.append(field)
            setattr(customer, field, "")
        if customer.custom_fields:
            emptied.append("custom_fields")
        customer.custom_fields = {}
        fields = [*CUSTOMER_PERSONAL_FIELDS, "custom_fields"]
        if customer.kind == Customer.Kind.INDIVIDUAL:
            emptied.append("name")
            customer.name = customer.name_normalized = customer.name_sort = erased_name(customer)
            customer.credit_code = ""
            fields += INDIVIDUAL_FIELDS
        customer.save(update_fields=fields)
    contacts = contacts_anonymise(
        contact_ids=ids, tombstone=TOMBSTONE
    ) if ids else 0  # fmt: skip
    customer_reindex(customer)
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_ANONYMISED,
        target=customer,
        changes={"fields": emptied, "contacts": contacts},
        note=note,
    )
    return emptied
