"""What an update row changes on the customer it matched, and its decision maker's values before
(for a revert): the plan's diff, apart from the plan (plan.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehu.contacts.selectors import decision_maker_target
from kehu.customers.models import Contact, Customer

from ..rows import CleanRow
from .common import MAKER_FIELDS
from .maker_custom import maker_custom_changes


def maker_of(customer: Customer) -> Contact | None:
    makers = [
        c
        for c in customer.contacts.all()
        if not c.has_left and c.decision_role == Contact.DecisionRole.DECISION_MAKER
    ]
    makers.sort(key=lambda c: (not c.is_primary, c.pk))
    return makers[0] if makers else None


def contact_before(contact: Contact | None) -> dict[str, Any] | None:
    """A contact's values an update may change, for a revert to put back."""
    if contact is None:
        return None
    fields = (*MAKER_FIELDS, "decision_role", "is_primary")
    return {"id": contact.pk, **{f: getattr(contact, f) for f in fields}}


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def row_changes(row: CleanRow, match: Customer) -> dict[str, Any]:
    """The given (non-blank) values that differ from the stored customer."""
    given = set(row.payload)
    if "budget_amount" in given:
        given.add("budget_band")
    if "name" in given:
        given.add("name_normalized")
    changes: dict[str, Any] = {}
    for key, value in row.values.items():
        if key in ("decision_maker", "status_reason", "external_source") or key not in given:
            continue
        if key == "owner":
            value = value.pk if value else None
            current = match.owner_id
        elif key in ("industry", "sub_industry", "source"):
            value = value.pk if value else None
            current = getattr(match, f"{key}_id")
        else:
            current = getattr(match, key)
        if value != current:
            changes[key] = value
    if row.maker:
        # The contact the row's decision maker is (customer_update writes it the same way): a
        # different person is another contact, never the current decision maker renamed.
        maker, former = decision_maker_target(list(match.contacts.all()), row.maker)
        for key, value in row.maker.items():
            if key in MAKER_FIELDS and value and (maker is None or getattr(maker, key) != value):
                changes[f"decision_maker.{key}"] = value
        if former is not None and maker is not former:
            new = row.maker.get("name") or (maker.name if maker is not None else "")
            changes[SWITCH] = {"new": new, "old": former.name}
        elif maker is not None and maker.decision_role != Contact.DecisionRole.DECISION_MAKER:
            changes[SWITCH] = {"new": maker.name, "old": ""}
        changes.update(maker_custom_changes(row.maker, maker))  # contacts' custom fields
    return changes


SWITCH = "decision_maker"  # in row_changes: another person becomes the decision maker


def switch_note(switch: dict[str, str] | None) -> str:
    if not switch:
        return ""
    if not switch["old"]:
        return _("%(new)s is now the decision maker.") % switch
    return _("%(new)s is now the decision maker; %(old)s stays a contact.") % switch
