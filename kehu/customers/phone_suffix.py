"""Customers by the last digits of a phone: the blind index of the last 4 digits (kehu.core.crypto)
finds the few candidates, whose decrypted numbers are then compared."""

from __future__ import annotations

from kehu.contacts.models import Contact
from kehu.core.crypto import blind

from .models import Customer


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def customer_ids_by_phone_suffix(digits: str) -> list[int]:
    """Customers whose phone or a contact's mobile ends with digits (4 or more): the blind index
    of the last 4 digits finds the few candidates, whose decrypted numbers are then compared."""
    tail = blind("tail", digits)
    if not tail:
        return []
    ids = {
        pk
        for pk, phone in Customer.objects.filter(phone_tail_bidx=tail).values_list("pk", "phone")
        if _digits(phone.split(";", 1)[0]).endswith(digits)
    }
    contacts = Contact.objects.filter(mobile_tail_bidx=tail).values_list("customer_id", "mobile")
    ids.update(pk for pk, mobile in contacts if _digits(mobile).endswith(digits))
    return sorted(ids)
