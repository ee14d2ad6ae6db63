"""Contacts change through their customer: the guards run here, then the contact's own service
writes the row, then the customer's completeness, reachability and search entries follow."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.contacts.models import Contact
from kehu.contacts.services import contact_add, contact_change, contact_remove
from kehu.contacts.validators import contact_clean
from kehu.core.crypto import blind
from kehu.core.errors import ChangeHeld, ValidationFailed
from kehu.core.versioning import version_check, version_pop
from kehu.review.models import ReviewItem
from kehu.review.services import review_hold

from ..custom_fields import (
    custom_field_labels,
    custom_fields_clean,
    custom_fields_diff,
    custom_fields_merge,
)
from ..display import customer_diff
from ..models import Customer, CustomField
from .derived import assert_reachable, customer_refresh_quality
from .review_rules import contact_change_hold
from .write import json_ready


def contact_values_clean(
    data: dict[str, Any], *, creating: bool, current: Contact | None = None, require: bool = True
) -> dict[str, Any]:
    """contact_clean and the contact's custom fields, every bad field at once; `custom_fields`
    in the result is the record's whole dict after the change. Required custom fields are
    required on creation unless not `require` (a web-form lead has nothing to fill them)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        values = contact_clean(data, creating=creating)
    except ValidationFailed as exc:
        errors = dict(exc.errors)
    if "custom_fields" in data or (creating and require):
        custom, custom_errors = custom_fields_clean(
            CustomField.Entity.CONTACT,
            data.get("custom_fields"),
            creating=creating,
            require=require,
        )
        errors.update(custom_errors)
        if "custom_fields" in data:
            old = current.custom_fields if current is not None else {}
            values["custom_fields"] = custom_fields_merge(old, custom)
    if errors:
        raise ValidationFailed(errors)
    return values


@transaction.atomic
def contact_same_person(customer: Customer, values: dict[str, Any]) -> None:
    """ValidationFailed naming the field when the customer already has this person: a contact
    with the same mobile or e-mail, or of the same name when nothing else tells them apart (two
    saves of one form, a card scanned twice)."""
    theirs = Contact.objects.filter(customer=customer)
    for field, index, kind in (
        ("mobile", "mobile_bidx", "phone"),
        ("email", "email_bidx", "email"),
    ):
        token = blind(kind, values.get(field))
        same = theirs.filter(**{index: token}).first() if token else None
        if same is not None:
            raise ValidationFailed(
                {
                    field: _("%(name)s, a contact of this customer, already has this %(field)s.")
                    % {
                        "name": same.name,
                        "field": _("mobile") if field == "mobile" else _("e-mail"),
                    }
                }
            )
    details = ("mobile", "landline", "email", "wechat", "qq")
    name = values.get("name")
    if name and not any(values.get(key) for key in details):
        same = theirs.filter(name=name).first()
        if same is not None:
            raise ValidationFailed(
                {
                    "name": _(
                        "This customer already has a contact named %(name)s. If this is another "
                        "person, give their mobile or e-mail to tell them apart."
                    )
                    % {"name": name}
                }
            )


def contact_create(
    *, actor: User | None, customer: Customer, data: dict[str, Any], source: str | None = None
) -> Contact:
    values = contact_values_clean(data, creating=True, require=source != "system")
    contact_same_person(customer, values)
    contact = contact_add(
        actor=actor,
        customer=customer,
        values=values,
        source=source,
        custom_labels=custom_field_labels(CustomField.Entity.CONTACT),
    )
    customer_refresh_quality(customer)
    return contact


def contact_update(
    *,
    actor: User | None,
    contact: Contact,
    data: dict[str, Any],
    source: str | None = None,
    approved: ReviewItem | None = None,
) -> Contact:
    """Change a contact. `version` in data: the version the editor started from (another one is
    a VersionConflict, 409); without it the change is not checked (last write wins)."""
    data = dict(data)
    expected = version_pop(data)
    item = None
    with transaction.atomic():
        contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
        version_check(contact, expected)
        values = contact_values_clean(data, creating=False, current=contact)
        hold = (
            None
            if approved
            else contact_change_hold(
                actor=actor, contact=contact, customer=contact.customer, values=values
            )
        )
        if hold is not None:
            assert actor is not None
            plain = {k: v for k, v in values.items() if k != "custom_fields"}
            before = {k: getattr(contact, k) for k in plain}
            custom = (
                data.get("custom_fields") if isinstance(data.get("custom_fields"), dict) else {}
            )
            changed = {k: values.get("custom_fields", {}).get(k) for k in custom or {}}
            item = review_hold(
                actor=actor,
                action=ReviewItem.Action.CONTACT_UPDATE,
                rule=hold.rule,
                reason=hold.reason,
                customer=contact.customer,
                payload={"contact_id": contact.pk, "data": json_ready(data)},
                diff=customer_diff(before, plain, model=Contact)
                + custom_fields_diff(CustomField.Entity.CONTACT, contact.custom_fields, changed),
            )
        else:
            contact_change(
                actor=actor,
                contact=contact,
                values=values,
                source=source,
                custom_labels=custom_field_labels(CustomField.Entity.CONTACT),
            )
            assert_reachable(contact.customer)
            customer_refresh_quality(contact.customer)
    if item is not None:
        raise ChangeHeld(
            _("This change waits for review by your manager (#%(id)s): %(reason)s")
            % {"id": item.pk, "reason": item.reason},
            pending_id=item.pk,
        )
    return contact


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact) -> None:
    """Remove a contact entered by mistake. People who left are marked, not deleted."""
    customer = contact.customer
    contact_remove(actor=actor, contact=contact)
    assert_reachable(customer)
    customer_refresh_quality(customer)


def apply_contact_update(item: ReviewItem) -> None:
    contact = Contact.objects.filter(pk=item.payload.get("contact_id")).first()
    if contact is None:
        raise ValidationFailed({"contact": [_("The contact no longer exists.")]})
    contact_update(
        actor=item.requested_by, contact=contact, data=item.payload.get("data") or {}, approved=item
    )
