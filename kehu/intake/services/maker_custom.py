"""The decision maker's custom fields when an import updates a customer it matched (issue 15):
which of the row's values differ from the contact's, writing them through the contacts'
service (contact_update: the same rules and audit as the API), and putting them back on a
revert."""

from __future__ import annotations

from typing import Any

from kehu.accounts.models import User
from kehu.contacts.models import Contact
from kehu.core.errors import DomainError
from kehu.customers.models import CustomField
from kehu.customers.services import contact_update

from ..validators import MAKER_CUSTOM_TARGET

PREFIX = MAKER_CUSTOM_TARGET  # decision_maker.custom_fields.<key>, as the import's targets


def maker_custom_changes(
    maker_values: dict[str, Any] | None, maker: Contact | None
) -> dict[str, Any]:
    """{decision_maker.custom_fields.<key>: new value} of the row's custom values that differ
    from the current decision maker's (all of them for a decision maker still to be made)."""
    given = (maker_values or {}).get("custom_fields") or {}
    current = (maker.custom_fields or {}) if maker is not None else {}
    return {f"{PREFIX}{key}": value for key, value in given.items() if current.get(key) != value}


def maker_custom_labels(changes: dict[str, Any]) -> list[str]:
    """The changed fields as the report names them: 决策人·<label>."""
    labels = dict(
        CustomField.objects.filter(entity=CustomField.Entity.CONTACT).values_list("key", "label")
    )
    keys = [name.removeprefix(PREFIX) for name in changes if name.startswith(PREFIX)]
    return [f"决策人·{labels.get(key, key)}" for key in keys]


def maker_custom_apply(
    *, actor: User | None, maker: Contact | None, changes: dict[str, Any]
) -> dict[str, Any] | None:
    """Write the changed values on the decision maker (ValidationFailed, ChangeHeld as
    contact_update raises them); returns its values before, for a revert (None: nothing done)."""
    values = {k.removeprefix(PREFIX): v for k, v in changes.items() if k.startswith(PREFIX)}
    if maker is None or not values:
        return None
    before = {key: (maker.custom_fields or {}).get(key) for key in values}
    contact_update(actor=actor, contact=maker, data={"custom_fields": values}, source="import")
    return {"id": maker.pk, "custom_fields": before}


def maker_custom_restore(*, actor: User | None, before: dict[str, Any] | None) -> None:
    """Put back the decision maker's custom values an import changed (a revert)."""
    if not before:
        return
    maker = Contact.objects.filter(pk=int(before.get("id") or 0)).first()
    if maker is None:
        return
    data = {"custom_fields": dict(before.get("custom_fields") or {})}
    try:
        contact_update(actor=actor, contact=maker, data=data, source="import")
    except DomainError:
        pass  # a value that may not come back (a field made required since): kept as it is
