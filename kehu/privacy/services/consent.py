"""Recording and withdrawing consent (issue 19): every write audited, never a value of the
person in the entry beyond the purpose and channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import PendingEntry, audit_record, audit_record_many
from kehu.contacts.models import Contact
from kehu.core.errors import Conflict, ValidationFailed, one_of
from kehu.customers.consent_gate import ConsentBasis, LawfulBasis, service_only_message
from kehu.customers.models import Customer
from kehu.intake.capture.models import Lead

from ..models import Consent

if TYPE_CHECKING:
    from kehu.intake.models import ImportRun


def _choice(value: Any, choices: type[models.TextChoices], name: str) -> str:
    if value not in choices.values:
        raise ValidationFailed({name: [one_of(choices.values)]})
    return str(value)


@transaction.atomic
def consent_record(
    *,
    actor: User | None,
    customer: Customer,
    purpose: str,
    channel: str,
    contact: Contact | None = None,
    basis: str = "",
    wording_version: str = "",
    given_at: datetime | None = None,
    lead: Lead | None = None,
    lawful_basis: str = LawfulBasis.CONSENT,
) -> Consent:
    """Record one consent; the basis is what the user states (a signed form, a call on a date).
    Imports and card captures record theirs with channel import / card and a basis."""
    errors: dict[str, list[str]] = {}
    try:
        purpose = _choice(purpose, Consent.Purpose, "purpose")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        channel = _choice(channel, Consent.Channel, "channel")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact_id"] = [_("This contact belongs to another customer.")]
    if channel in (Consent.Channel.IMPORT, Consent.Channel.CARD) and not basis.strip():
        errors["basis"] = [_("Say on what basis the person agreed (how and when).")]
    if lawful_basis not in LawfulBasis.values or lawful_basis == LawfulBasis.NONE:
        errors["lawful_basis"] = [one_of([v for v in LawfulBasis.values if v != "none"])]
    elif lawful_basis != LawfulBasis.CONSENT and purpose != "service":
        errors["lawful_basis"] = [service_only_message()]
    if len(wording_version) > 40:
        errors["wording_version"] = [_("At most 40 characters.")]
    if given_at is not None and given_at > timezone.now():
        errors["given_at"] = [_("Consent cannot be given in the future.")]
    if errors:
        raise ValidationFailed(errors)
    consent = Consent.objects.create(
        customer=customer,
        contact=contact,
        purpose=purpose,
        channel=channel,
        basis=basis.strip(),
        lawful_basis=lawful_basis,
        wording_version=wording_version.strip(),
        given_at=given_at or timezone.now(),
        lead=lead,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_RECORDED,
        target=consent,
        customer_id=customer.pk,
        changes={
            "purpose": purpose,
            "channel": channel,
            "contact_id": contact.pk if contact else None,
            "wording_version": consent.wording_version,
            "lawful_basis": lawful_basis,
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User | None, consent: Consent, note: str = "") -> Consent:
    """End a live consent (a withdrawn one is a 409)."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent was withdrawn already."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_note = note.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawal_note"])
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_WITHDRAWN,
        target=consent,
        customer_id=consent.customer_id,
        changes={"purpose": consent.purpose},
    )
    return consent


@transaction.atomic
def consent_withdraw_lead(
    *, actor: User | None, lead: Lead, purpose: str, note: str = ""
) -> Consent:
    """Withdraw the consent a web-form lead carries for one purpose: recorded as a consent of
    the lead's, withdrawn at once (the lead keeps the wording it agreed to)."""
    consent = consent_record(
        actor=actor,
        customer=lead.customer,
        contact=lead.contact,
        purpose=purpose,
        channel=Consent.Channel.WEB_FORM,
        basis=lead.consent_purpose,
        given_at=lead.consent_at,
        lead=lead,
    )
    return consent_withdraw(actor=actor, consent=consent, note=note)


def consents_record_basis(
    *,
    actor: User | None,
    customer: Customer,
    contact: Contact | None,
    choice: ConsentBasis,
    channel: str,
) -> None:
    """The capture paths' consent (kehu.customers.consent_gate.consent_basis_record): one
    consent per purpose of the checked choice, with its lawful basis and the basis stated."""
    for purpose in choice.purposes:
        consent_record(
            actor=actor,
            customer=customer,
            contact=contact,
            purpose=purpose,
            channel=channel,
            basis=choice.basis,
            wording_version=choice.wording_version,
            lawful_basis=choice.lawful_basis,
        )


@transaction.atomic
def consents_record_bulk(
    *,
    actor: User | None,
    people: Sequence[tuple[int, int | None]],
    choice: ConsentBasis,
    channel: str,
    import_run: ImportRun | None = None,
) -> int:
    """The import's consent (kehu.customers.consent_gate.consent_basis_record_bulk): one
    consent per (customer id, contact id or None) and purpose of the checked choice, written
    in bulk with one audit entry each, in the caller's transaction (the import's batch)."""
    now = timezone.now()
    consents = [
        Consent(
            customer_id=customer_id,
            contact_id=contact_id,
            purpose=purpose,
            channel=channel,
            basis=choice.basis,
            lawful_basis=choice.lawful_basis,
            wording_version=choice.wording_version,
            given_at=now,
            import_run=import_run,
            recorded_by=actor,
        )
        for customer_id, contact_id in people
        for purpose in choice.purposes
    ]
    Consent.objects.bulk_create(consents, batch_size=1000)
    audit_record_many(
        actor=actor,
        entries=[
            PendingEntry(
                action=AuditAction.CONSENT_RECORDED,
                target=consent,
                changes={
                    "purpose": consent.purpose,
                    "channel": channel,
                    "contact_id": consent.contact_id,
                    "wording_version": consent.wording_version,
                    "lawful_basis": consent.lawful_basis,
                    "import_run": import_run.pk if import_run is not None else None,
                },
            )
            for consent in consents
        ],
    )
    return len(consents)
