"""A merge (kehu.dedupe) moves a person's consents with their customer or contact, and its undo
moves them back: a consent belongs to the person, whichever record now holds them."""

from __future__ import annotations

from typing import Any

from ..models import Consent


def consents_of_customer(customer_id: int) -> list[int]:
    return list(
        Consent.objects.filter(customer_id=customer_id).order_by("pk").values_list("pk", flat=True)
    )


def consents_of_contact(contact_id: int) -> list[int]:
    return list(
        Consent.objects.filter(contact_id=contact_id).order_by("pk").values_list("pk", flat=True)
    )


def consents_move(*, actor: Any, ids: list[int], customer: Any) -> list[int]:
    moved = list(
        Consent.objects.filter(pk__in=ids).exclude(customer=customer).values_list("pk", flat=True)
    )
    Consent.objects.filter(pk__in=moved).update(customer=customer)
    return moved


def consents_move_to_contact(*, actor: Any, ids: list[int], contact: Any) -> list[int]:
    moved = list(
        Consent.objects.filter(pk__in=ids).exclude(contact=contact).values_list("pk", flat=True)
    )
    Consent.objects.filter(pk__in=moved).update(contact=contact, customer_id=contact.customer_id)
    return moved
