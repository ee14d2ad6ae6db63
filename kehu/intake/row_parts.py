"""Parts of an import row's cleaning kept beside rows.py: the row's payload from its cells, the
decision maker's custom fields (contacts' fields an administrator added, issue 15) and the phones
kept aside on a record."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.normalize.text import has_cjk
from kehu.core.text import clean_multiline, clean_text
from kehu.customers.custom_fields import custom_fields_clean
from kehu.customers.models import CustomField

from .validators import MAKER_CUSTOM_TARGET, english_date

MAKER_CUSTOM = "custom_fields."
# The row payload's key for the decision maker's custom field cells ({custom_fields.<key>: text},
# empty ones too), which rows._payload sets aside for maker_custom_fields.
MAKER_CELLS = "_decision_maker_custom_fields"


def maker_custom_fields(
    payload: dict[str, Any], fields: list[CustomField]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Take the decision maker's custom field cells out of a row's payload and check them by
    the contacts' rules (custom_fields_clean, as POST /api/v1/customers/{no}/contacts does):
    ({key: stored value}, errors keyed decision_maker.custom_fields.<key>). A required field
    whose column is mapped may not be left empty; one no column fills is not asked for (the
    customer form and API create a decision maker without them too). Cells for a decision
    maker the row does not name are an error."""
    cells = payload.pop(MAKER_CELLS, {})
    given = {key.removeprefix(MAKER_CUSTOM): text for key, text in cells.items()}
    if not given:
        return {}, {}
    values, errors = custom_fields_clean(
        CustomField.Entity.CONTACT, given, creating=False, fields=fields
    )
    errors = {f"decision_maker.{key}": messages for key, messages in errors.items()}
    if not isinstance(payload.get("decision_maker"), dict):
        filled = [key for key, value in values.items() if value is not None]
        for key in filled:
            errors[f"decision_maker.{MAKER_CUSTOM}{key}"] = [
                _("Give the decision maker's name to fill in this field.")
            ]
    return {k: v for k, v in values.items() if v is not None}, errors


def keep_aside(record: Any, value: str, partial: str) -> None:
    """Keep an unusable phone on the record (Contact/Customer phone_unusable, and a masked one's
    visible digits in phone_partial for duplicate matching), where the model has those fields."""
    names = {f.name for f in type(record)._meta.concrete_fields}
    if "phone_unusable" in names and not getattr(record, "phone_unusable", ""):
        record.phone_unusable = value
    if partial and "phone_partial" in names and not getattr(record, "phone_partial", ""):
        record.phone_partial = partial


_UNITS = ("万", "千", "亿", "元", "k", "w")  # a budget cell with its own unit
# How row_payload places a mapped column's text: its kind, and the key it goes under.
_PLAIN, _DATE, _WAN, _CUSTOM, _MAKER_CUSTOM, _FIRST, _LAST, _MAKER, _FREE = range(9)
_FREE_TEXT = frozenset({"notes"})  # free text: lines and Chinese punctuation kept
_PLANS: dict[tuple[tuple[str, str], ...], list[tuple[str, int, str, str]]] = {}


def _payload_plan(mapping: dict[str, str]) -> list[tuple[str, int, str, str]]:
    """[(header, kind, target, key)] of the mapped columns, worked out once per mapping."""
    signature = tuple(mapping.items())
    plan = _PLANS.get(signature)
    if plan is not None:
        return plan
    plan = []
    for header, target in mapping.items():
        if not target:
            continue
        kind, key = _PLAIN, ""
        if target in _FREE_TEXT:
            kind = _FREE
        elif target == "first_contact_date":
            kind = _DATE
        elif target == "budget_amount_wan":
            kind, target = _WAN, "budget_amount"
        elif target.startswith("custom_fields."):
            kind, key = _CUSTOM, target.removeprefix("custom_fields.")
        elif target.startswith(MAKER_CUSTOM_TARGET):  # a contact's field (row_parts)
            kind, key = _MAKER_CUSTOM, target.removeprefix("decision_maker.")
        elif target.startswith("decision_maker."):
            key = target.removeprefix("decision_maker.")
            kind = {"first_name": _FIRST, "last_name": _LAST}.get(key, _MAKER)
        plan.append((header, kind, target, key))
    if len(_PLANS) >= 64:
        _PLANS.clear()
    _PLANS[signature] = plan
    return plan


@lru_cache(maxsize=4096)
def _english_date(text: str) -> str:
    return english_date(text)  # dates repeat; the function is pure and tries several formats


def row_payload(
    raw: dict[str, str], mapping: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The customer payload of a row, and {payload key: column} to name columns in errors."""
    payload: dict[str, Any] = {}
    maker: dict[str, str] = {}
    columns: dict[str, str] = {}
    first = last = ""
    for header, kind, target, key in _payload_plan(mapping):
        if header not in raw:
            continue
        if kind == _FREE:
            payload[target] = clean_multiline(raw[header])
            columns[target] = header
            continue
        text = clean_text(raw[header])
        if kind == _PLAIN:
            payload[target] = text
            columns[target] = header
        elif kind == _MAKER:
            columns[target] = header
            maker[key] = text
        elif kind == _DATE or kind == _WAN:
            if kind == _DATE and text:
                text = _english_date(text)
            # budget_amount_wan: a number of 万元; a cell with its own unit keeps it
            if kind == _WAN and text and not any(unit in text.lower() for unit in _UNITS):
                text = f"{text}万"
            payload[target] = text
            columns[target] = header
        elif kind == _CUSTOM:
            payload.setdefault("custom_fields", {})[key] = text
            columns[target] = header
        elif kind == _MAKER_CUSTOM:
            payload.setdefault(MAKER_CELLS, {})[key] = text
            columns[target] = header
        elif kind == _FIRST:
            columns[target] = header
            first = text
            columns.setdefault("decision_maker.name", header)
        else:  # _LAST
            columns[target] = header
            last = text
            columns["decision_maker.name"] = columns.get("decision_maker.name", header)
    if first or last:
        joined = f"{last}{first}" if has_cjk(last + first) else f"{first} {last}".strip()
        maker.setdefault("name", joined)
        if not maker["name"]:
            maker["name"] = joined
    if maker.get("name") and not any(
        k in columns for k in ("name", "external_id", "credit_code", "kind")
    ):
        # A list of people without a company column (a phone's contacts as CSV): each person is
        # an individual customer, as a vCard without a company is. A company column left empty
        # in a row stays an error, and a file keyed by external id or credit code (a partial
        # update of companies) never renames them after their contact.
        payload["name"], payload["kind"] = maker["name"], "individual"
        columns["name"] = columns.get("decision_maker.name", "")
    if any(maker.values()):
        if maker.get("name"):
            payload["decision_maker"] = {k: v for k, v in maker.items() if v}
        else:
            # A number or address without a person belongs to the customer itself.
            if maker.get("mobile") and not payload.get("phone"):
                payload["phone"] = maker["mobile"]
                columns["phone"] = columns.get("decision_maker.mobile", "")
            if maker.get("email") and not payload.get("email"):
                payload["email"] = maker["email"]
                columns["email"] = columns.get("decision_maker.email", "")
    return payload, columns
