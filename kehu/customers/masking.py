"""What a user sees of phones, e-mails and ID numbers: whole or masked (138****5678).

Whole for the customer's owner and the owner's manager (kehu.accounts.policy.can_see_pii);
everyone else sees the mask, and may ask for the value through customers.access.pii_reveal.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

from kehu.accounts.policy import PII_ROLES, can_see_pii, sees_amount_bands
from kehu.core.personal import SENSITIVE, mask_kinds
from kehu.core.validators import (
    amount_band,
    format_phone,
    mask_email,
    mask_identifier,
    mask_phone,
)

from .custom_fields import FILTER_PREFIX, custom_filter_params
from .models import Contact, Customer, CustomField

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


# An e-mail address inside free text (a customer's notes, an interaction's summary).
_EMAIL_IN_TEXT = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def mask_free_text(text: str) -> str:
    """Free text (notes, a summary, a task's note) with each phone number in it (a mainland
    mobile, a landline with its area code, an international number: what phonenumbers finds
    in region CN) and each e-mail address masked as the phone and e-mail fields are
    (138****8000, w***@example.com). Digits that are no valid number (an order number, an
    amount) stay."""
    if not text:
        return text
    if "@" in text:
        text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), text)
    if sum(ch.isdigit() for ch in text) < 5:  # no number to find (the matcher takes ~1 ms)
        return text
    parts: list[str] = []
    end = 0
    for match in phonenumbers.PhoneNumberMatcher(text, "CN"):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        parts += [text[end : match.start], mask_phone(e164)]
        end = match.end
    return "".join(parts) + text[end:] if parts else text


def free_text_shown(user: Any, customer: Customer, text: str) -> str:
    """A free text about the customer as this user may see it: whole for who sees its phones
    and e-mails whole (can_see_pii, the rule of pii_value), else with them masked."""
    if not text or can_see_pii(user, customer):
        return text
    return mask_free_text(text)


def free_text_echo_kept(
    user: Any, customer: Customer, obj: Any, data: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """`data` (a change sent back through the API) without the free texts that are only the
    masked form this user was shown of obj's stored text: sending back what a GET gave must not
    overwrite the stored numbers with their masks."""
    echoed = {
        name
        for name in fields
        if isinstance(data.get(name), str)
        and data[name] != (getattr(obj, name) or "")
        and data[name] == free_text_shown(user, customer, getattr(obj, name) or "")
    }
    return {k: v for k, v in data.items() if k not in echoed} if echoed else data


def customer_of(obj: Customer | Contact) -> Customer:
    return obj if isinstance(obj, Customer) else obj.customer


def pii_value(user: Any, obj: Customer | Contact, field: str, *, pretty: bool = False) -> str:
    """The value as this user may see it: whole for the owner and their manager, else masked."""
    value = getattr(obj, field) or ""
    if can_see_pii(user, customer_of(obj)):
        return format_phone(value) if pretty and PII_FIELDS.get(field) == "phone" else value
    return mask_value(field, value)


def custom_value_shown(user: Any, customer: Customer, field: CustomField, value: Any) -> Any:
    """A custom field's value as this user may see it: one the administrator classed sensitive
    (身份证号, 银行账号: kehu.core.personal) is masked like an ID number for those who do not see
    the customer's personal data whole (can_see_pii), as phones and e-mails are."""
    if value in (None, "", []) or field.personal_class != SENSITIVE:
        return value
    if user is not None and can_see_pii(user, customer):
        return value
    if isinstance(value, list):
        return [mask_identifier(str(item)) for item in value]
    return mask_identifier(str(value))


def custom_values_shown(
    user: Any, customer: Customer, fields: list[CustomField], values: dict[str, Any] | None
) -> dict[str, Any]:
    """A record's custom values ({key: value}) with every sensitive one masked for this user."""
    by_key = {f.key: f for f in fields}
    return {
        key: custom_value_shown(user, customer, by_key[key], value) if key in by_key else value
        for key, value in (values or {}).items()
    }


def custom_out_shown(
    user: Any, customer: Customer, out: dict[str, Any], holder: Any
) -> dict[str, Any]:
    """The API's `custom_fields` ({key: value}) with sensitive values masked for this user; the
    sensitive fields are read once per request (`holder` keeps them)."""
    if not out or (user is not None and can_see_pii(user, customer)):
        return out
    sensitive = getattr(holder, "_kehu_sensitive_custom", None)
    if sensitive is None:
        sensitive = sensitive_custom_names()
        if holder is not None:
            holder._kehu_sensitive_custom = sensitive
    return {
        key: _map(value, lambda v: mask_identifier(str(v)) if v not in (None, "") else v)
        if key in sensitive
        else value
        for key, value in out.items()
    }


FINANCE_FIELDS = ("budget_amount", "amount", "expected_amount", "unit_price")
# Free texts a change log keeps (a customer's notes, an interaction's summary and next action,
# a task's title and note): the phones and e-mails in them masked as mask_free_text does.
FREE_TEXT_FIELDS = frozenset({"notes", "summary", "next_action", "title", "note"})


def sensitive_custom_names(fields: list[CustomField] | None = None) -> frozenset[str]:
    """The labels and keys under which the change log keeps sensitive custom fields' values
    (a customer's value under its label, a contact's under its key or label): of `fields`
    when given (read already), else of every field."""
    if fields is None:
        fields = list(CustomField.objects.filter(personal_class=SENSITIVE))
    names: set[str] = set()
    for field in fields:
        if field.personal_class == SENSITIVE:
            names |= {field.label, field.key}
    return frozenset(names)


def diff_rows_shown(
    user: Any,
    customer: Customer | None,
    rows: list[dict[str, Any]],
    *,
    sensitive: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """A review item's change rows ({field, label, before, after}) as this user may see them:
    a sensitive custom field's values (field "custom_fields.<key>") masked like an ID number
    for who does not see the customer's personal data whole (can_see_pii; an item about no
    customer: everyone but an administrator). `sensitive`: sensitive_custom_names(), read once
    for a list of items."""
    if customer is not None and can_see_pii(user, customer):
        return rows
    if customer is None and getattr(user, "role", None) in PII_ROLES:
        return rows
    if sensitive is None:
        sensitive = sensitive_custom_names()
    if not sensitive:
        return rows

    def masked(value: Any) -> Any:
        if value in (None, "", "—"):
            return value
        return mask_identifier(str(value))

    shown = []
    for row in rows:
        base = str(row.get("field", "")).rsplit(".", 1)[-1]
        if base in sensitive:
            row = {**row, "before": masked(row.get("before")), "after": masked(row.get("after"))}
        shown.append(row)
    return shown


def filters_sensitive_values(params: Any) -> bool:
    """Whether the list's filters (cf_<key>=value) name a sensitive custom field: such a filter
    matches only the customers the user sees whole, or it would tell who holds an ID number
    they see masked (as a phone suffix would rebuild a masked number)."""
    keys = {name[len(FILTER_PREFIX) :] for name in custom_filter_params(params)}
    return bool(keys) and bool(keys & sensitive_custom_names())


def mask_changes(
    user: Any,
    customer: Customer,
    changes: dict[str, Any],
    *,
    sensitive: frozenset[str] | None = None,
) -> dict[str, Any]:
    """An audit entry's {field: [before, after]} as this user may see it (history views);
    `sensitive` (sensitive_custom_names(), read once for a list of entries) when given."""
    whole = can_see_pii(user, customer)
    bands = sees_amount_bands(user)
    if not whole and sensitive is None and changes:
        sensitive = sensitive_custom_names()
    masked: dict[str, Any] = {}
    for name, value in (changes or {}).items():
        base = name.rsplit(".", 1)[-1]  # "decision_maker.mobile": the decision maker's mobile
        if base in PII_FIELDS and not whole:
            value = _map(value, lambda v, n=base: mask_value(n, v) if isinstance(v, str) else v)
        elif base in FREE_TEXT_FIELDS and not whole:
            value = _map(value, lambda v: mask_free_text(v) if isinstance(v, str) else v)
        elif not whole and sensitive and base in sensitive:
            value = _map(value, lambda v: mask_identifier(str(v)) if v not in (None, "") else v)
        elif base in FINANCE_FIELDS and bands:
            value = _map(value, lambda v: amount_band(v) if v not in (None, "") else v)
        masked[name] = value
    return masked


def _map(value: Any, fn: Any) -> Any:
    if isinstance(value, list):
        return [fn(v) for v in value]
    return fn(value)
