"""Consent gating (issue 19): marketing exports and segment actions reach only customers with a
live consent for the purpose.

The privacy app (kehu.privacy) holds the consents and sits above the apps that export, so it
registers its look-up here in its AppConfig.ready(), as segments register theirs
(customers/segment_filter.py): `grep register_consent_gate` finds the one caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed, one_of

from .models import Customer

# The purposes a list may be gated by (kehu.privacy.models.Consent.Purpose's values).
PURPOSES = ("marketing", "service", "analysis", "sensitive", "third_party", "cross_border")

# (customers, purpose) -> those of them with a live consent for the purpose.
Gate = Callable[[QuerySet[Customer], str], QuerySet[Customer]]
_gates: list[Gate] = []


def register_consent_gate(gate: Gate) -> None:
    if gate not in _gates:
        _gates.append(gate)


# (actor, customer, contact, purposes, channel, basis) -> None: records one consent per purpose
# (kehu.privacy's consent_record), raising ValidationFailed naming the field.
Recorder = Callable[..., None]
_recorders: list[Recorder] = []


def register_consent_recorder(recorder: Recorder) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def consent_basis_record(
    *,
    actor: Any,
    customer: Customer,
    contact: Any,
    purposes: Sequence[str],
    channel: str,
    basis: str,
) -> None:
    """Record the consent the user states on a capture path (a business card, issue 19): one
    consent per purpose, with the basis; the purposes and a missing basis are checked first."""
    if not purposes:
        return
    unknown = [p for p in purposes if p not in PURPOSES]
    if unknown:
        raise ValidationFailed({"consent_purposes": [one_of(PURPOSES)]})
    if not basis.strip():
        raise ValidationFailed(
            {"consent_basis": [_("Say on what basis the person agreed (how and when).")]}
        )
    for recorder in _recorders:
        recorder(
            actor=actor,
            customer=customer,
            contact=contact,
            purposes=list(purposes),
            channel=channel,
            basis=basis,
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
