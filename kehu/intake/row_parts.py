"""Parts of an import row's cleaning kept beside rows.py: the decision maker's custom fields
(contacts' fields an administrator added, issue 15) and the phones kept aside on a record."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehu.customers.custom_fields import custom_fields_clean
from kehu.customers.models import CustomField

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
