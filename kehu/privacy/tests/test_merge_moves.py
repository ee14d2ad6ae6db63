"""A merge moves the merged-away customer's consents to the survivor, and its undo moves them
back (kehu.dedupe's movers)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.dedupe.services import customer_merge, merge_undo
from kehu.privacy.models import Consent
from kehu.privacy.services.consent import consent_record

pytestmark = pytest.mark.django_db


def test_consents_move_with_a_merge_and_back_with_its_undo(
    customer_factory: Any, steward: Any
) -> None:
    survivor = customer_factory(name="深圳市华信软件有限公司", city="深圳市")
    merged = customer_factory(name="华信软件（深圳）股份有限公司", city="深圳市")
    contact = merged.contacts.first()
    consent = consent_record(
        actor=steward,
        customer=merged,
        contact=contact,
        purpose="marketing",
        channel="paper",
        basis="签字的同意书",
    )
    merge = customer_merge(actor=steward, survivor=survivor, merged=merged)
    consent.refresh_from_db()
    assert consent.customer_id == survivor.pk
    assert Consent.objects.filter(customer=survivor, purpose="marketing").count() == 1
    merge_undo(actor=steward, merge=merge)
    consent.refresh_from_db()
    assert consent.customer_id == merged.pk
