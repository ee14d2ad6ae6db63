"""Consent gating (issue 19): marketing exports and segment actions reach only customers with a
live consent for the purpose.

The privacy app (kehu.privacy) holds the consents and sits above the apps that export, so it
registers its look-up here in its AppConfig.ready(), as segments register theirs
(customers/segment_filter.py): `grep register_consent_gate` finds the one caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kehu.core.errors import ValidationFailed, one_of

from .models import Customer


class ConsentPurpose(models.TextChoices):
    """What a consent is for (kehu.privacy.models.Consent.Purpose is this class). PIPL asks for
    separate consent to process sensitive personal information and to hand data to third
    parties or abroad: those are purposes of their own."""

    MARKETING = "marketing", pgettext_lazy("consent purpose", "Marketing")
    SERVICE = "service", pgettext_lazy("consent purpose", "Service")
    ANALYSIS = "analysis", pgettext_lazy("consent purpose", "Analysis")
    SENSITIVE = "sensitive", gettext_lazy("Sensitive personal information (separate consent)")
    THIRD_PARTY = "third_party", gettext_lazy("Transfer to third parties (separate consent)")
    CROSS_BORDER = "cross_border", gettext_lazy("Transfer abroad (separate consent)")


# The purposes a list may be gated by.
PURPOSES = tuple(ConsentPurpose.values)

# (customers, purpose) -> those of them with a live consent for the purpose.
Gate = Callable[[QuerySet[Customer], str], QuerySet[Customer]]
_gates: list[Gate] = []


def register_consent_gate(gate: Gate) -> None:
    if gate not in _gates:
        _gates.append(gate)


class LawfulBasis(models.TextChoices):
    """The lawful basis the user records for the people an import or a card capture brings in
    (issue 19). Only consent covers marketing, analysis and PIPL's separate consents; a contract
    or an existing customer relationship covers service (PIPL art. 13 (2): what performing the
    contract needs). "none" records nothing: those people stay out of every gated list."""

    CONSENT = "consent", gettext_lazy("Consent obtained")
    CONTRACT = "contract", gettext_lazy("Contract or business relationship")
    EXISTING_CUSTOMER = "existing_customer", gettext_lazy("Existing customer")
    NONE = "none", gettext_lazy("None recorded")


# The purposes a basis other than consent covers.
NON_CONSENT_PURPOSES = ("service",)


def service_only_message() -> str:
    return _(
        "A contract or an existing customer relationship covers service only; "
        "marketing, analysis and the separate consents need consent."
    )


@dataclass(frozen=True)
class ConsentBasis:
    """A checked basis choice: what to record for each person brought in."""

    lawful_basis: str = LawfulBasis.NONE
    purposes: tuple[str, ...] = ()
    basis: str = ""  # how and when, as the user states it
    wording_version: str = ""

    @property
    def records_anything(self) -> bool:
        return self.lawful_basis != LawfulBasis.NONE and bool(self.purposes)


def consent_basis_clean(
    *,
    lawful_basis: str = "",
    purposes: Sequence[str] = (),
    basis: str = "",
    wording_version: str = "",
) -> ConsentBasis:
    """Check a basis choice; ValidationFailed names consent_lawful_basis, consent_purposes,
    consent_basis or consent_wording_version. Without a lawful basis: consent when purposes are
    ticked (the card form before the choice existed), else none. Consent needs at least one
    purpose; contract and existing customer cover service only (the default purpose)."""
    purposes = list(dict.fromkeys(p for p in purposes if p))
    basis, wording_version = basis.strip(), wording_version.strip()
    lawful_basis = lawful_basis or (LawfulBasis.CONSENT if purposes else LawfulBasis.NONE)
    errors: dict[str, list[str]] = {}
    if lawful_basis not in LawfulBasis.values:
        raise ValidationFailed({"consent_lawful_basis": [one_of(LawfulBasis.values)]})
    if any(p not in PURPOSES for p in purposes):
        errors["consent_purposes"] = [one_of(PURPOSES)]
    elif lawful_basis == LawfulBasis.NONE and purposes:
        errors["consent_purposes"] = [
            _("With no basis recorded, tick no purpose (or choose the basis).")
        ]
    elif lawful_basis == LawfulBasis.CONSENT and not purposes:
        errors["consent_purposes"] = [_("Tick the purposes the people agreed to.")]
    elif lawful_basis in (LawfulBasis.CONTRACT, LawfulBasis.EXISTING_CUSTOMER):
        if any(p not in NON_CONSENT_PURPOSES for p in purposes):
            errors["consent_purposes"] = [service_only_message()]
        purposes = purposes or list(NON_CONSENT_PURPOSES)
    if lawful_basis != LawfulBasis.NONE and not basis:
        errors["consent_basis"] = [_("Say on what basis the person agreed (how and when).")]
    if len(wording_version) > 40:
        errors["consent_wording_version"] = [_("At most 40 characters.")]
    if len(basis) > 1000:
        errors["consent_basis"] = [_("At most 1000 characters.")]
    if errors:
        raise ValidationFailed(errors)
    if lawful_basis == LawfulBasis.NONE:
        return ConsentBasis()
    return ConsentBasis(lawful_basis, tuple(purposes), basis, wording_version)


def consent_basis_context(choice: ConsentBasis | None) -> dict[str, Any]:
    """What customers/partials/_consent_basis.html needs: the choices and the current one."""
    return {
        "lawful_bases": LawfulBasis.choices,
        "consent_purpose_choices": ConsentPurpose.choices,
        "consent_choice": choice or ConsentBasis(),
        "consent_purpose_labels": [
            str(ConsentPurpose(p).label) for p in (choice.purposes if choice else ())
        ],
    }


# (actor, customer, contact, choice: ConsentBasis, channel) -> None: records one consent per
# purpose (kehu.privacy's consent_record).
Recorder = Callable[..., None]
_recorders: list[Recorder] = []

# (actor, people: [(customer_id, contact_id or None)], choice, channel, import_run) -> int: one
# consent per person and purpose, in bulk (an import's batch); returns how many were recorded.
BulkRecorder = Callable[..., int]
_bulk_recorders: list[BulkRecorder] = []


def register_consent_recorder(recorder: Recorder) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def register_consent_bulk_recorder(recorder: BulkRecorder) -> None:
    if recorder not in _bulk_recorders:
        _bulk_recorders.append(recorder)


def consent_basis_record(
    *,
    actor: Any,
    customer: Customer,
    contact: Any,
    purposes: Sequence[str],
    channel: str,
    basis: str,
    lawful_basis: str = "",
    wording_version: str = "",
) -> ConsentBasis:
    """Record the basis the user states on a capture path (a business card, issue 19): one
    consent per purpose, with the basis; the choice is checked first (consent_basis_clean)."""
    choice = consent_basis_clean(
        lawful_basis=lawful_basis, purposes=purposes, basis=basis, wording_version=wording_version
    )
    if choice.records_anything:
        for recorder in _recorders:
            recorder(
                actor=actor, customer=customer, contact=contact, choice=choice, channel=channel
            )
    return choice


def consent_basis_record_bulk(
    *,
    actor: Any,
    people: Sequence[tuple[int, int | None]],
    choice: ConsentBasis,
    channel: str,
    import_run: Any = None,
) -> int:
    """The import's path: the checked choice recorded for each (customer id, contact id or
    None) brought in, in bulk; how many consents were recorded."""
    if not choice.records_anything or not people:
        return 0
    return sum(
        recorder(actor=actor, people=people, choice=choice, channel=channel, import_run=import_run)
        for recorder in _bulk_recorders
    )


def consent_gate(queryset: QuerySet[Customer], purpose: str) -> tuple[QuerySet[Customer], int]:
    """(the customers with a live consent for `purpose`, how many were left out). An unknown
    purpose is a ValidationFailed naming `purpose`; without a registered gate nothing passes."""
    if purpose not in PURPOSES:
        raise ValidationFailed({"purpose": [one_of(PURPOSES)]})
    total = queryset.count()
    gated = queryset.none()
    for gate in _gates:
        gated = gate(queryset, purpose)
        break
    return gated, total - gated.count()
