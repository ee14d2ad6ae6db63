"""A data subject's rights (issue 19): export what is held about them, correct it, erase it.

Erasure anonymises in place: the rows stay (so counts, order amounts and revenue keep their
totals), the identity goes: an individual customer's name and numbers, the person's contacts,
what was written in their interactions, their web-form leads, and the change log's before and
after values about them and the read log's labels and queries naming them
(kehu.audit.services.redact: tombstones the hash chain and the read seals still verify).
The search index is rewritten for every row touched, so no search finds the person again.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.services import notifications_scrub
from kehu.audit.actions import AuditAction, action_label
from kehu.audit.models import AuditEntry
from kehu.audit.services import TOMBSTONE, audit_reads_redact, audit_record, audit_redact
from kehu.contacts.models import Contact
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.services import (
    CUSTOMER_PERSONAL_FIELDS,
    contact_update,
    customer_anonymise,
    customer_update,
)
from kehu.intake.capture.services import leads_anonymise
from kehu.interactions.services import follow_ups_scrub, interactions_anonymise
from kehu.opportunities.services import orders_anonymise
from kehu.reports.services import report_rows_scrub

from ..models import Erasure, RetentionPolicy, SubjectRequest
from ..selectors import Holdings, assert_privacy_role, holdings_complete

# Keys of the change log's before/after values that hold a person's identity (an entry about
# the erased person loses them whatever they say).
PERSONAL_AUDIT_FIELDS = frozenset(
    {
        "name", "name_pinyin", "gender", "mobile", "landline", "email", "wechat", "qq",
        "address", "phone", "phone_unusable", "phone_partial", "notes", "summary", "topic",
        "next_action", "message", "credit_code", "custom_fields", "decision_maker",
    }
)  # fmt: skip


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _value(getattr(obj, field)) for field in fields}


CUSTOMER_EXPORT = (
    "customer_no", "kind", "name", "phone", "email", "province", "city", "district", "address",
    "status", "notes", "custom_fields", "created_at",
)  # fmt: skip
CONTACT_EXPORT = (
    "id", "name", "gender", "title", "department", "mobile", "landline", "email", "wechat", "qq",
    "address", "custom_fields", "created_at",
)  # fmt: skip
LEAD_EXPORT = ("id", "name", "company", "email", "mobile", "province", "message", "consent_purpose",
               "consent_at", "created_at")  # fmt: skip
INTERACTION_EXPORT = ("interaction_no", "occurred_at", "method", "topic", "summary", "next_action")
ORDER_EXPORT = ("order_no", "amount", "status", "notes", "created_at")
CONSENT_EXPORT = (
    "id",
    "purpose",
    "channel",
    "basis",
    "wording_version",
    "given_at",
    "withdrawn_at",
)


def person_data(held: Holdings) -> dict[str, Any]:
    """Everything held about the person, machine-readable (the export's JSON)."""
    return {
        "exported_at": timezone.now().isoformat(),
        "customers": [_row(c, CUSTOMER_EXPORT) for c in held.customers],
        "contacts": [
            {**_row(c, CONTACT_EXPORT), "customer_no": c.customer.customer_no}
            for c in held.contacts
        ],
        "web_form_leads": [_row(lead, LEAD_EXPORT) for lead in held.leads],
        "interactions": [_row(i, INTERACTION_EXPORT) for i in held.interactions],
        "orders": [_row(o, ORDER_EXPORT) for o in held.orders],
        "consents": [_row(c, CONSENT_EXPORT) for c in held.consents],
        "change_log": [
            {
                "seq": e.seq,
                "time": e.created_at.isoformat(),
                "action": e.action,
                "action_label": action_label(e.action),
                "changes": e.changes,
            }
            for e in held.audit_entries
        ],
    }


@transaction.atomic
def person_export(*, actor: User, request: SubjectRequest, held: Holdings) -> dict[str, Any]:
    """The export of an access request; audited with the counts (never the data)."""
    assert_privacy_role(actor)
    data = person_data(held)
    audit_record(
        actor=actor,
        action=AuditAction.PRIVACY_PERSON_EXPORTED,
        target=request,
        changes={"counts": held.counts()},
    )
    return data


@transaction.atomic
def person_correct(
    *,
    actor: User,
    request: SubjectRequest,
    held: Holdings,
    contact_id: int | None,
    customer_no: str,
    values: dict[str, Any],
) -> Contact | Customer:
    """Correct one row of the person's through its own service (the same guards and audit as
    an edit): a contact (contact_id) or an individual customer (customer_no)."""
    assert_privacy_role(actor)
    if not values:
        raise ValidationFailed({"values": [_("Give the fields to correct.")]})
    result: Contact | Customer
    if contact_id is not None:
        contact = next((c for c in held.contacts if c.pk == contact_id), None)
        if contact is None:
            raise ValidationFailed({"contact_id": [_("Not one of this person's contacts.")]})
        result = contact_update(actor=actor, contact=contact, data=values)
    else:
        customer = next((c for c in held.customers if c.customer_no == customer_no), None)
        if customer is None:
            raise ValidationFailed(
                {"customer_no": [_("Not one of this person's customer records.")]}
            )
        result = customer_update(actor=actor, customer=customer, data=values)
    audit_record(
        actor=actor,
        action=AuditAction.PRIVACY_PERSON_CORRECTED,
        target=request,
        changes={"fields": sorted(values)},
    )
    return result


def _erase_rows(
    *,
    actor: User | None,
    held: Holdings,
    request: SubjectRequest | None = None,
    policy: RetentionPolicy | None = None,
) -> dict[str, int]:
    """Anonymise the rows of `held`, then the change log's values about them; record erasures."""
    individuals = {c.pk: c for c in held.customers}
    by_customer: dict[int, list[Contact]] = defaultdict(list)
    for contact in held.contacts:
        if contact.customer_id not in individuals:
            by_customer[contact.customer_id].append(contact)
    phones_emails = {v.casefold() for v in held.identifiers}
    erased_contacts: set[int] = set()
    interactions = 0
    for customer in individuals.values():
        erased_contacts |= set(customer.contacts.values_list("pk", flat=True))
        customer_anonymise(actor=actor, customer=customer, whole=True, note="erasure")
        interactions += interactions_anonymise(
            customer_id=customer.pk, contact_ids=None, tombstone=TOMBSTONE
        )
        orders_anonymise(customer_id=customer.pk, tombstone=TOMBSTONE)
    for customer_id, contacts in by_customer.items():
        customer = Customer.objects.get(pk=customer_id)
        fields = [
            f
            for f in CUSTOMER_PERSONAL_FIELDS
            if f in ("phone", "email", "address")
            and getattr(customer, f).casefold() in phones_emails
        ]
        ids = [c.pk for c in contacts]
        erased_contacts |= set(ids)
        customer_anonymise(
            actor=actor, customer=customer, contact_ids=ids, whole=False, fields=fields,
            note="erasure",
        )  # fmt: skip
        interactions += interactions_anonymise(
            customer_id=customer_id, contact_ids=ids, tombstone=TOMBSTONE
        )
    leads = leads_anonymise(lead_ids=[lead.pk for lead in held.leads], tombstone=TOMBSTONE)
    # Tasks and notifications typed about the person (回访林晓梅, its reminder) name them.
    follow_ups_scrub(
        customer_ids=[*individuals, *by_customer],
        identifiers=held.identifiers,
        tombstone=TOMBSTONE,
    )
    notifications_scrub(identifiers=held.identifiers, tombstone=TOMBSTONE)
    # The worker's stored reports (health, churn, dormancy) list customers by name.
    listed: dict[str, str | None] = dict.fromkeys(
        Customer.objects.filter(pk__in=list(by_customer)).values_list("customer_no", flat=True)
    )
    listed.update(
        Customer.objects.filter(pk__in=list(individuals)).values_list("customer_no", "name")
    )
    report_rows_scrub(customers=listed)
    # The change log: entries about the person lose every personal value; other entries of the
    # customers they belong to lose any text that names them.
    targets = {("customers.customer", str(pk)) for pk in individuals}
    targets |= {("contacts.contact", str(pk)) for pk in erased_contacts}
    targets |= {("capture.lead", str(lead.pk)) for lead in held.leads}
    targets |= {("interactions.interaction", str(i.pk)) for i in held.interactions}
    about = [
        e
        for e in held.audit_entries
        if (e.target_type, e.target_id) in targets or e.customer_id in individuals
    ]
    around = AuditEntry.objects.filter(customer_id__in=list(by_customer)).exclude(
        pk__in=[e.pk for e in about]
    )
    note = f"request #{request.pk}" if request else (f"policy #{policy.pk}" if policy else "")
    redacted = 0
    entry = audit_redact(
        actor=actor,
        entries=about,
        fields=PERSONAL_AUDIT_FIELDS,
        identifiers=held.identifiers,
        targets=targets,
        note=note,
    )
    redacted += len(entry.changes["entries"]) if entry else 0
    entry = audit_redact(
        actor=actor, entries=list(around), fields=(), identifiers=held.identifiers, note=note
    )
    redacted += len(entry.changes["entries"]) if entry else 0
    # The read log: reads of an erased individual (labelled with their name), and for a
    # request any label or search query that holds one of the person's identifiers (a scan of
    # the read log: a retention policy erasing customer after customer looks up by customer).
    audit_reads_redact(
        actor=actor,
        customer_ids=set(individuals),
        identifiers=held.identifiers,
        note=note,
        texts=request is not None,
    )
    now = timezone.now()
    marks = [(Erasure.Kind.CUSTOMER, pk) for pk in individuals]
    marks += [(Erasure.Kind.CONTACT, pk) for pk in erased_contacts]
    marks += [(Erasure.Kind.LEAD, lead.pk) for lead in held.leads]
    for kind, pk in marks:
        Erasure.objects.update_or_create(
            kind=kind,
            object_id=pk,
            defaults={"request": request, "policy": policy, "erased_at": now},
        )
    return {
        "customers": len(individuals),
        "contacts": len(erased_contacts),
        "leads": leads,
        "interactions": interactions,
        "audit_entries": redacted,
    }


@transaction.atomic
def person_erase(*, actor: User, request: SubjectRequest, held: Holdings) -> dict[str, int]:
    """Erase the person of an erasure request (found by its phone, e-mail or name); the request
    loses those identifiers too and is done. Returns what was anonymised."""
    assert_privacy_role(actor)
    if request.kind != SubjectRequest.Kind.ERASURE:
        raise ValidationFailed({"kind": [_("Only an erasure request erases.")]})
    if held.is_empty:
        raise ValidationFailed({"request": [_("Nothing is held about this person.")]})
    counts = _erase_rows(actor=actor, held=held, request=request)
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    request.phone = TOMBSTONE if request.phone else ""
    request.email = TOMBSTONE if request.email else ""
    request.name = TOMBSTONE if request.name else ""
    request.status = SubjectRequest.Status.DONE
    request.completed_at = timezone.now()
    request.handled_by = actor
    request.result = {"erased": counts}
    request.save()
    audit_record(
        actor=actor, action=AuditAction.PRIVACY_PERSON_ERASED, target=request, changes=counts
    )
    return counts


def customers_anonymise_for_policy(
    *, policy: RetentionPolicy, customers: list[Customer]
) -> dict[str, int]:
    """A retention policy's anonymisation: the same erasure as a request's, per customer (the
    customer and all its contacts are the people)."""
    totals: dict[str, int] = defaultdict(int)
    for customer in customers:
        contacts = list(Contact.objects.filter(customer=customer).select_related("customer"))
        held = Holdings(
            customers=[customer] if customer.kind == Customer.Kind.INDIVIDUAL else [],
            contacts=contacts,
        )
        holdings_complete(held)
        held.identifiers |= {
            v for v in (customer.phone, customer.email, customer.address) if len(v) >= 2
        }
        with transaction.atomic():
            if customer.kind != Customer.Kind.INDIVIDUAL:
                customer_anonymise(actor=None, customer=customer, whole=True, contact_ids=[])
            for key, value in _erase_rows(actor=None, held=held, policy=policy).items():
                totals[key] += value
            Erasure.objects.update_or_create(
                kind=Erasure.Kind.CUSTOMER,
                object_id=customer.pk,
                defaults={"policy": policy, "erased_at": timezone.now()},
            )
    return dict(totals)
