"""What a user sees of phones, e-mails and ID numbers: whole or masked (138****5678).

Whole for the customer's owner and the owner's manager (kehu.accounts.policy.can_see_pii);
everyone else sees the mask, and may ask for the value through customers.access.pii_reveal.
"""

from __future__ import annotations

from typing import Any

from kehu.accounts.policy import can_see_pii, sees_amount_bands
from kehu.core.personal import mask_kinds
from kehu.core.validators import (
    amount_band,
    format_phone,
    mask_email,
    mask_identifier,
    mask_phone,
)

from .models import Contact, Customer

# Field -> how it is masked (the field registry, kehu.core.personal, says). Customers and
# contacts share the names; an ID number is masked wherever a payload carries one.
PII_FIELDS: dict[str, str] = {
    **mask_kinds("customers.customer", "contacts.contact"),
    "id_number": "identifier",
}


def mask_value(field: str, value: str) -> str:
    kind = PII_FIELDS.get(field)
    if not value or kind is None:
        return value
    if kind == "phone":
        return mask_phone(value)
    if kind == "email":
        return mask_email(value)
    return mask_identifier(value)


def customer_of(obj: Customer | Contact) -> Customer:
    return obj if isinstance(obj, Customer) else obj.customer


def pii_value(user: Any, obj: Customer | Contact, field: str, *, pretty: bool = False) -> str:
    """The value as this user may see it: whole for the owner and their manager, else masked."""
    value = getattr(obj, field) or ""
    if can_see_pii(user, customer_of(obj)):
        return format_phone(value) if pretty and PII_FIELDS.get(field) == "phone" else value
    return mask_value(field, value)


FINANCE_FIELDS = ("budget_amount", "amount", "expected_amount", "unit_price")


def mask_changes(user: Any, customer: Customer, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's {field: [before, after]} as this user may see it (history views)."""
    whole = can_see_pii(user, customer)
    bands = sees_amount_bands(user)
    masked: dict[str, Any] = {}
    for name, value in (changes or {}).items():
        base = name.rsplit(".", 1)[-1]  # "decision_maker.mobile": the decision maker's mobile
        if base in PII_FIELDS and not whole:
            value = _map(value, lambda v, n=base: mask_value(n, v) if isinstance(v, str) else v)
        elif base in FINANCE_FIELDS and bands:
            value = _map(value, lambda v: amount_band(v) if v not in (None, "") else v)
        masked[name] = value
    return masked


def _map(value: Any, fn: Any) -> Any:
    if isinstance(value, list):
        return [fn(v) for v in value]
    return fn(value)
