"""Reads of the privacy app: consents, the request register, and everything held about a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import can_handle_privacy
from kehu.audit.models import AuditEntry
from kehu.contacts.models import Contact
from kehu.core.crypto import blind, blind_many
from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.validators import normalize_phone
from kehu.customers.consent_gate import LawfulBasis
from kehu.customers.models import Customer
from kehu.intake.capture.models import Lead
from kehu.interactions.models import Interaction
from kehu.opportunities.models import Order

from .models import Consent, Erasure, RetentionPolicy, SubjectRequest

# A web-form lead agreed to be contacted about products and services (the form's wording, kept
# with the lead): a live consent for these purposes until one of them is withdrawn.
LEAD_PURPOSES = (Consent.Purpose.MARKETING, Consent.Purpose.SERVICE)


def assert_privacy_role(user: Any) -> None:
    """Who works the register, finds, exports, corrects and erases people, and runs retention
    policies (kehu.accounts.policy.can_handle_privacy: the data steward and administrators)."""
    if not can_handle_privacy(user):
        raise PermissionDenied(
            _("Only a data steward or an administrator handles personal-data requests.")
        )


# --- Consents --------------------------------------------------------------------------------


def live_consent_q(purpose: str, *, customer_ref: str = "pk") -> Q:
    """Customers (rows whose `customer_ref` is the customer id) with a live consent for
    `purpose`: a consent recorded and not withdrawn, or a web-form lead's consent that no
    withdrawal for the purpose has ended."""
    live = Consent.objects.filter(
        customer_id=OuterRef(customer_ref), purpose=purpose, withdrawn_at=None
    )
    condition = Q(Exists(live))
    if purpose in LEAD_PURPOSES:
        lead = Lead.objects.filter(customer_id=OuterRef(customer_ref))
        withdrawn = Consent.objects.filter(
            customer_id=OuterRef(customer_ref), purpose=purpose, withdrawn_at__isnull=False
        )
        condition |= Q(Exists(lead)) & ~Q(Exists(withdrawn))
    return condition


def customers_with_consent(queryset: QuerySet[Customer], purpose: str) -> QuerySet[Customer]:
    """The consent gate kehu.customers.consent_gate calls (registered in apps.py)."""
    return queryset.filter(live_consent_q(purpose))


@dataclass
class ConsentRow:
    """A consent as pages and the API show it: recorded here, or carried by a web-form lead."""

    id: int | None
    customer_no: str
    contact_id: int | None
    contact_name: str
    purpose: str
    purpose_label: str
    channel: str
    channel_label: str
    basis: str
    wording_version: str
    given_at: Any
    withdrawn_at: Any
    is_live: bool
    lead_id: int | None = None
    lawful_basis: str = "consent"
    lawful_basis_label: str = ""
    import_id: int | None = None  # the import that recorded it (channel import)
    recorded_by: str = ""  # who recorded it: a name


def consents_for_customer(customer: Customer, *, contact_id: int | None = None) -> list[ConsentRow]:
    """Every consent of the customer (of one contact when given), newest first: the recorded
    ones, then web-form leads' consents that no recorded row stands for yet."""
    consents = Consent.objects.filter(customer=customer).select_related("contact", "recorded_by")
    if contact_id is not None:
        consents = consents.filter(contact_id=contact_id)
    rows = [
        ConsentRow(
            id=c.pk,
            customer_no=customer.customer_no,
            contact_id=c.contact_id,
            contact_name=c.contact.name if c.contact else "",
            purpose=c.purpose,
            purpose_label=c.get_purpose_display(),
            channel=c.channel,
            channel_label=c.get_channel_display(),
            basis=c.basis,
            wording_version=c.wording_version,
            given_at=c.given_at,
            withdrawn_at=c.withdrawn_at,
            is_live=c.is_live,
            lead_id=c.lead_id,
            lawful_basis=c.lawful_basis,
            lawful_basis_label=c.get_lawful_basis_display(),
            import_id=c.import_run_id,
            recorded_by=c.recorded_by.label if c.recorded_by else "",
        )
        for c in consents
    ]
    withdrawn = {(r.purpose, r.lead_id) for r in rows if r.lead_id is not None}
    ended = {r.purpose for r in rows if not r.is_live}
    leads = Lead.objects.filter(customer=customer).select_related("contact")
    if contact_id is not None:
        leads = leads.filter(contact_id=contact_id)
    for lead in leads:
        for purpose in LEAD_PURPOSES:
            if (purpose, lead.pk) in withdrawn:
                continue
            rows.append(
                ConsentRow(
                    id=None,
                    customer_no=customer.customer_no,
                    contact_id=lead.contact_id,
                    contact_name=lead.contact.name if lead.contact else lead.name,
                    purpose=purpose,
                    purpose_label=str(Consent.Purpose(purpose).label),
                    channel=Consent.Channel.WEB_FORM,
                    channel_label=str(Consent.Channel.WEB_FORM.label),
                    basis=lead.consent_purpose,
                    wording_version="",
                    given_at=lead.consent_at,
                    withdrawn_at=None,
                    is_live=purpose not in ended,
                    lead_id=lead.pk,
                    lawful_basis_label=str(LawfulBasis.CONSENT.label),
                )
            )
    rows.sort(key=lambda r: r.given_at, reverse=True)
    return rows


def consent_get(consent_id: int) -> Consent:
    consent = Consent.objects.filter(pk=consent_id).select_related("customer").first()
    if consent is None:
        raise NotFound()
    return consent


def lead_get(lead_id: int) -> Lead:
    lead = Lead.objects.filter(pk=lead_id).select_related("customer", "contact").first()
    if lead is None:
        raise NotFound()
    return lead


# --- The register ----------------------------------------------------------------------------


def subject_requests(*, status: str = "") -> QuerySet[SubjectRequest]:
    rows = SubjectRequest.objects.select_related("handled_by", "created_by")
    if status:
        rows = rows.filter(status=status)
    return rows


def subject_request_get(request_id: int) -> SubjectRequest:
    row = SubjectRequest.objects.filter(pk=request_id).first()
    if row is None:
        raise NotFound()
    return row


def overdue_count() -> int:
    return SubjectRequest.objects.filter(
        status=SubjectRequest.Status.OPEN, due_at__lt=timezone.now()
    ).count()


# --- Everything held about a person ------------------------------------------------------------


@dataclass
class Holdings:
    """What a search by phone, e-mail or name found: the rows that are the person (or hold their
    identity), with the identifiers that name them."""

    customers: list[Customer] = field(default_factory=list)  # individuals: the person
    contacts: list[Contact] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    audit_entries: list[AuditEntry] = field(default_factory=list)
    identifiers: set[str] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not (self.customers or self.contacts or self.leads)

    def counts(self) -> dict[str, int]:
        return {
            "customers": len(self.customers),
            "contacts": len(self.contacts),
            "leads": len(self.leads),
            "interactions": len(self.interactions),
            "orders": len(self.orders),
            "consents": len(self.consents),
            "audit_entries": len(self.audit_entries),
        }


def _phone_forms(raw: str) -> set[str]:
    raw = raw.strip()
    if not raw:
        return set()
    forms = {raw}
    try:
        forms.add(normalize_phone(raw))
    except ValidationError:  # a partial number: compare as given
        pass
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) >= 7:
        forms.add(digits)
    return forms


def person_find(*, phone: str = "", email: str = "", name: str = "") -> Holdings:
    """Everything held about the person with this phone, e-mail or name (any of them): the
    individual customers and contacts that are them, web-form leads they sent, their
    interactions, an individual's orders, their consents and the change log's entries about
    them. Erased people are not found (their identifiers are gone)."""
    held = Holdings()
    phones = _phone_forms(phone)
    email = email.strip()
    name = name.strip()
    if not (phones or email or name):
        return held
    contact_q = Q(pk__in=[])
    customer_q = Q(pk__in=[])
    lead_q = Q(pk__in=[])
    # Customers' and contacts' phones and e-mails are encrypted: found by their blind indexes
    # (kehu.core.crypto), and so are web-form leads'.
    if phones:
        tokens = blind_many("phone", phones)
        contact_q |= Q(mobile_bidx__in=tokens) | Q(landline_bidx__in=tokens)
        customer_q |= Q(phone_bidx__in=tokens)
        lead_q |= Q(mobile_bidx__in=tokens)
    if email:
        contact_q |= Q(email_bidx=blind("email", email))
        customer_q |= Q(email_bidx=blind("email", email))
        lead_q |= Q(email_bidx=blind("email", email))
    if name:
        contact_q |= Q(name=name)
        customer_q |= Q(name=name)
        lead_q |= Q(name=name)
    held.contacts = list(Contact.objects.filter(contact_q).select_related("customer"))
    # An individual customer is the person too when the contact found is them (the customer's
    # own name, or its one contact): their number is often kept on that contact only.
    themselves = [
        contact.customer_id
        for contact in held.contacts
        if contact.customer.kind == Customer.Kind.INDIVIDUAL
        and (
            contact.name == contact.customer.name
            or not contact.customer.contacts.exclude(pk=contact.pk).exists()
        )
    ]
    held.customers = list(
        Customer.objects.filter(customer_q | Q(pk__in=themselves), kind=Customer.Kind.INDIVIDUAL)
        .distinct()
        .order_by("pk")
    )
    held.leads = list(Lead.objects.filter(lead_q))
    holdings_complete(held)
    held.identifiers |= phones | {email, name}
    held.identifiers = {value for value in held.identifiers if value and len(value) >= 2}
    return held


def holdings_complete(held: Holdings) -> Holdings:
    """Given the person's customers, contacts and leads: their interactions, an individual's
    orders, their consents, the change log's entries about them, and their identifiers."""
    customer_ids = {c.pk for c in held.customers}
    contact_ids = {c.pk for c in held.contacts}
    held.interactions = list(
        Interaction.objects.filter(
            Q(customer_id__in=customer_ids) | Q(contact_id__in=contact_ids)
        ).order_by("occurred_at")
    )
    held.orders = list(Order.objects.filter(customer_id__in=customer_ids).order_by("pk"))
    held.consents = list(
        Consent.objects.filter(Q(customer_id__in=customer_ids) | Q(contact_id__in=contact_ids))
    )
    targets = (
        Q(target_type="customers.customer", target_id__in=[str(i) for i in customer_ids])
        | Q(target_type="contacts.contact", target_id__in=[str(i) for i in contact_ids])
        | Q(target_type="capture.lead", target_id__in=[str(lead.pk) for lead in held.leads])
        | Q(customer_id__in=customer_ids)
        | Q(
            target_type="interactions.interaction",
            target_id__in=[str(i.pk) for i in held.interactions],
        )
    )
    held.audit_entries = list(AuditEntry.objects.filter(targets).order_by("seq"))
    for contact in held.contacts:
        held.identifiers |= {
            contact.name,
            contact.mobile,
            contact.landline,
            contact.email,
            contact.wechat,
            contact.qq,
            contact.address,
        }
    for customer in held.customers:
        held.identifiers |= {customer.name, customer.phone, customer.email, customer.address}
    for lead in held.leads:
        held.identifiers |= {lead.name, lead.email, lead.mobile}
    held.identifiers = {value for value in held.identifiers if value and len(value) >= 2}
    return held


def erased_ids(kind: str) -> QuerySet[Erasure]:
    return Erasure.objects.filter(kind=kind)


def retention_policies() -> QuerySet[RetentionPolicy]:
    return RetentionPolicy.objects.all()


def retention_policy_get(policy_id: int) -> RetentionPolicy:
    policy = RetentionPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound()
    return policy


def is_privacy_user(user: User | Any) -> bool:
    return can_handle_privacy(user)
