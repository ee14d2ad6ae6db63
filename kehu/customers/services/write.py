"""Create, change and delete a customer: the one write path, with its guards in one order.

    1. permission   the role may do this (selectors already gave 404/403 for the row)
    2. validation   customer_clean: every bad field at once (ValidationFailed, 422)
    3. finance      policy.FINANCE_FIELDS only by roles that may (PermissionDenied, 403)
    4. duplicates   the on-save check and the admin's policy (ProbableDuplicate, 409)
    5. review       approval, then anomaly rules (ChangeHeld, 202: queued, nothing saved)
    6. write        the row, its decision maker, status history, derived fields
    7. record       audit entry (field-level before/after), search index, same transaction

An approved replay (`approved=` the review item) skips step 5 only.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.mentions import mentions_notify
from kehu.accounts.models import Role, User
from kehu.accounts.policy import assert_finance_editable, can_create_customer
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, diff_fields
from kehu.contacts.models import Contact
from kehu.contacts.selectors import decision_maker_target
from kehu.contacts.services import contact_add, contact_change, contact_snapshot
from kehu.core.errors import ChangeHeld, PermissionDenied, ValidationFailed
from kehu.core.normalize.pinyin import name_sort_key
from kehu.core.numbering import next_number
from kehu.core.search_index import search_unindex_customer
from kehu.core.versioning import version_check, version_pop
from kehu.review.models import ReviewItem
from kehu.review.services import review_hold, review_item_customer_set

from ..custom_fields import (
    custom_field_labels,
    custom_fields_diff,
    custom_fields_labelled,
    custom_fields_merge,
)
from ..display import customer_diff
from ..models import Customer, CustomerStatusChange, CustomField
from ..validators import normalize_company_name
from .clean import customer_clean
from .derived import assert_reachable, customer_refresh_quality, customer_reindex
from .duplicates import duplicate_guard, duplicate_queue
from .review_rules import Hold, customer_change_hold

CUSTOMER_AUDIT_FIELDS = (
    "kind", "name", "credit_code", "industry_id", "sub_industry_id", "size", "ownership",
    "province", "city", "district", "region_code", "address", "phone", "email", "source_id", "first_contact_date", "status",
    "owner_id", "team_id", "budget_band", "budget_amount", "external_source", "external_id",
    "notes",
)  # fmt: skip
FINANCE_MODEL = "customers.customer"


def customer_snapshot(
    customer: Customer,
    labels: dict[str, dict[int, str]] | None = None,
    custom_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Field values for the audit trail; a foreign key is recorded as its label, not its id,
    and a custom field under its label.

    `labels` ({relation name: {id: label}}) spares a bulk caller one query per relation, and
    `custom_labels` ({key: label}) the query for the custom fields' labels.
    """
    snapshot: dict[str, Any] = {}
    for field in CUSTOMER_AUDIT_FIELDS:
        model_field = customer._meta.get_field(field)
        if model_field.is_relation:
            pk = getattr(customer, field)
            if pk is None:
                snapshot[model_field.name] = None
            elif labels is not None:
                snapshot[model_field.name] = labels.get(model_field.name, {}).get(pk, str(pk))
            else:
                snapshot[model_field.name] = str(getattr(customer, model_field.name))
        else:
            snapshot[field] = getattr(customer, field)
    if customer.custom_fields:
        if custom_labels is None:
            custom_labels = custom_field_labels(CustomField.Entity.CUSTOMER)
        snapshot.update(custom_fields_labelled(customer.custom_fields, custom_labels))
    return snapshot


def relation_labels(customers: list[Customer]) -> dict[str, dict[int, str]]:
    """{relation: {id: label}} for the foreign keys of these customers (one query a relation)."""
    labels: dict[str, dict[int, str]] = {}
    for field in CUSTOMER_AUDIT_FIELDS:
        model_field = Customer._meta.get_field(field)
        related_model = model_field.related_model
        if not (isinstance(related_model, type) and issubclass(related_model, models.Model)):
            continue
        ids = {getattr(c, field) for c in customers} - {None}
        related = related_model._default_manager.filter(pk__in=ids)
        if any(f.name == "parent" for f in related_model._meta.fields):
            related = related.select_related("parent")  # an industry's label names its parent
        labels[model_field.name] = {obj.pk: str(obj) for obj in related}
    return labels


def json_ready(data: dict[str, Any]) -> dict[str, Any]:
    """A payload as JSON can keep it (for a review item to replay)."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))
    return result


def _apply(customer: Customer, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in ("decision_maker", "status_reason"):
            continue
        if key == "custom_fields":
            customer.custom_fields = custom_fields_merge(customer.custom_fields, value)
            continue
        setattr(customer, key, value)
    if "name" in values:
        customer.name_normalized = normalize_company_name(customer.name)
        customer.name_sort = name_sort_key(customer.name)
    if "owner" in values:
        customer.team = customer.owner.team if customer.owner else customer.team


def _check_external_id(customer: Customer) -> None:
    if not customer.external_id:
        return
    clash = (
        Customer.objects.filter(
            external_source=customer.external_source, external_id=customer.external_id
        )
        .exclude(external_id="")  # the unique index's condition, spelled out: SQLite then uses it
        .exclude(pk=customer.pk)
    )
    if clash.exists():
        raise ValidationFailed(
            {
                "external_id": [
                    _("External id '%(value)s' is already used.") % {"value": customer.external_id}
                ]
            }
        )


def _finance_changed(customer: Customer | None, values: dict[str, Any]) -> set[str]:
    changed = set()
    for name in ("budget_amount", "budget_band"):
        if name not in values:
            continue
        old = getattr(customer, name) if customer is not None else None
        if values[name] not in (None, "") and values[name] != old:
            changed.add(name)
        elif customer is not None and values[name] in (None, "") and old not in (None, ""):
            changed.add(name)
    return changed


def _diff(customer: Customer | None, values: dict[str, Any]) -> list[dict[str, str]]:
    shown = {
        k: v
        for k, v in values.items()
        if k not in ("decision_maker", "status_reason", "custom_fields")
    }
    before = {k: getattr(customer, k, None) for k in shown} if customer is not None else {}
    rows = customer_diff(before, shown)
    custom = values.get("custom_fields")
    if custom:
        current = customer.custom_fields if customer is not None else {}
        rows += custom_fields_diff(CustomField.Entity.CUSTOMER, current, custom)
    maker = values.get("decision_maker")
    if isinstance(maker, dict):
        current = None
        if customer is not None:
            current = decision_maker_target(list(customer.contacts.all()), maker)[0]
        rows += customer_diff(
            {f"decision_maker.{k}": getattr(current, k, None) for k in maker},
            {f"decision_maker.{k}": v for k, v in maker.items()},
            model=Contact,
        )
    if values.get("status_reason") and any(r["field"] == "status" for r in rows):
        rows.append(
            {
                "field": "status_reason",
                "label": _("reason"),
                "before": "",
                "after": values["status_reason"],
            }
        )
    return rows


def _held(item: ReviewItem) -> ChangeHeld:
    if item.rule == "approval":
        message = _("This change waits for approval by your manager (request #%(id)s).")
    else:
        message = _("This change waits for review by your manager (#%(id)s): %(reason)s")
    return ChangeHeld(message % {"id": item.pk, "reason": item.reason}, pending_id=item.pk)


def _hold(
    *,
    actor: User,
    hold: Hold,
    action: str,
    customer: Customer | None,
    data: dict[str, Any],
    values: dict[str, Any],
) -> ReviewItem:
    team_id = customer.team_id if customer is not None else None
    owner = values.get("owner")
    if customer is None and owner is not None:
        team_id = owner.team_id
    return review_hold(
        actor=actor,
        action=action,
        rule=hold.rule,
        reason=hold.reason,
        customer=customer,
        team_id=team_id,
        payload=json_ready(data),
        diff=_diff(customer, values),
    )


def customer_create(
    *,
    actor: User | None,
    data: dict[str, Any],
    source: str | None = None,
    approved: ReviewItem | None = None,
) -> Customer:
    """Create a customer (and its inline decision maker); number it CXyyyymm####.

    `allow_duplicate` in data confirms a probable duplicate the check warned about.
    """
    if actor is not None and not can_create_customer(actor):
        raise PermissionDenied(_("Your role may not create customers."))
    data = dict(data)
    allow_duplicate = bool(data.pop("allow_duplicate", False))
    item = None
    with transaction.atomic():
        values = customer_clean(data, actor=actor, creating=True, require_custom=source != "system")
        assert_finance_editable(actor, FINANCE_MODEL, _finance_changed(None, values))
        queued = duplicate_guard(
            actor=actor, data=data, context="create", allow_duplicate=allow_duplicate
        )
        hold = None if approved else customer_change_hold(actor=actor, customer=None, values=values)
        if hold is not None:
            assert actor is not None
            item = _hold(
                actor=actor,
                hold=hold,
                action=ReviewItem.Action.CUSTOMER_CREATE,
                customer=None,
                data={**data, "allow_duplicate": allow_duplicate},
                values=values,
            )
        else:
            customer = _create(actor=actor, values=values, source=source)
            if queued is not None:
                duplicate_queue(actor=actor, customer=customer, result=queued)
    if item is not None:
        raise _held(item)
    return customer


def _create(*, actor: User | None, values: dict[str, Any], source: str | None) -> Customer:
    maker_values = values.pop("decision_maker", None)
    customer = Customer(created_by=actor)
    _apply(customer, values)
    if "owner" not in values and actor is not None and actor.role in (Role.REP, Role.MANAGER):
        customer.owner = actor
        customer.team = actor.team
    _check_external_id(customer)
    customer.customer_no = next_number("CX", today=timezone.localdate())
    customer.save()
    maker = None
    if maker_values:
        maker = contact_add(
            actor=actor, customer=customer, values=maker_values, source=source, audit=False
        )
    assert_reachable(customer)
    CustomerStatusChange.objects.create(
        customer=customer,
        from_status="",
        to_status=customer.status,
        reason=values.get("status_reason") or "Created",
        changed_by=actor,
    )
    customer_refresh_quality(customer)
    customer_reindex(customer)
    changes = diff_fields({}, customer_snapshot(customer))
    if maker is not None:
        changes.update(maker_changes(maker))
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_CREATED,
        target=customer,
        changes=changes,
        source=source,
    )
    if actor is not None and customer.notes:
        mentions_notify(actor=actor, customer=customer, text=customer.notes, what="notes")
    return customer


def maker_changes(maker: Contact) -> dict[str, list[Any]]:
    """A new decision maker's fields as part of its customer's "customer.created" entry."""
    return {
        f"decision_maker.{field}": [None, value]
        for field, value in contact_snapshot(maker).items()
        if value not in (None, "", False)
    }


def customer_update(
    *,
    actor: User | None,
    customer: Customer,
    data: dict[str, Any],
    source: str | None = None,
    approved: ReviewItem | None = None,
    duplicate_context: str = "edit",
) -> Customer:
    """Change the given fields. A status change needs `status_reason`; the number never changes.

    `duplicate_context` picks the duplicate policy: "edit", or "import" for an import's update.
    `version` in data is the version the editor started from: another one is a VersionConflict
    (409) and nothing is saved; without it the change is not checked (last write wins).
    """
    if "customer_no" in data and str(data["customer_no"]).strip().upper() != customer.customer_no:
        raise ValidationFailed({"customer_no": [_("The customer number cannot be changed.")]})
    data = {k: v for k, v in data.items() if k != "customer_no"}
    expected = version_pop(data)
    allow_duplicate = bool(data.pop("allow_duplicate", False))
    item = None
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        version_check(customer, expected)
        values = customer_clean(data, actor=actor)
        if "name" in data and not values.get("name"):
            raise ValidationFailed({"name": [_("The customer's name is required.")]})
        if values.get("status", customer.status) != customer.status and not values.get(
            "status_reason"
        ):
            raise ValidationFailed({"status_reason": [_("Give a reason when the status changes.")]})
        assert_finance_editable(actor, FINANCE_MODEL, _finance_changed(customer, values))
        queued = duplicate_guard(
            actor=actor,
            data=data,
            context=duplicate_context,
            customer=customer,
            values=values,
            allow_duplicate=allow_duplicate,
        )
        hold = (
            None
            if approved
            else customer_change_hold(actor=actor, customer=customer, values=values)
        )
        if hold is not None:
            assert actor is not None
            item = _hold(
                actor=actor,
                hold=hold,
                action=ReviewItem.Action.CUSTOMER_UPDATE,
                customer=customer,
                data={**data, "allow_duplicate": allow_duplicate},
                values=values,
            )
        else:
            _update(actor=actor, customer=customer, values=values, source=source)
            if queued is not None:
                duplicate_queue(actor=actor, customer=customer, result=queued)
    if item is not None:
        raise _held(item)
    return customer


def _update(
    *, actor: User | None, customer: Customer, values: dict[str, Any], source: str | None
) -> None:
    maker_values = values.pop("decision_maker", None)
    before = customer_snapshot(customer)
    old_status, old_name = customer.status, customer.name
    _apply(customer, values)
    if customer.status != old_status:
        reason = values.get("status_reason", "")
        if not reason:
            raise ValidationFailed({"status_reason": [_("Give a reason when the status changes.")]})
        CustomerStatusChange.objects.create(
            customer=customer,
            from_status=old_status,
            to_status=customer.status,
            reason=reason,
            changed_by=actor,
        )
    _check_external_id(customer)
    customer.save()
    if maker_values:
        maker_write(actor=actor, customer=customer, values=maker_values, source=source)
    assert_reachable(customer)
    customer_refresh_quality(customer)
    customer_reindex(customer, contacts=customer.name != old_name)
    changes = diff_fields(before, customer_snapshot(customer))
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.CUSTOMER_UPDATED,
            target=customer,
            changes=changes,
            note=values.get("status_reason", "") if "status" in changes else "",
            source=source,
        )
    if actor is not None and customer.notes != (before.get("notes") or ""):
        mentions_notify(
            actor=actor,
            customer=customer,
            text=customer.notes,
            what="notes",
            before=before.get("notes") or "",
        )


def maker_write(
    *, actor: User | None, customer: Customer, values: dict[str, Any], source: str | None
) -> Contact:
    """The decision maker's values written on the contact they describe (decision_maker_target):
    the current decision maker, another contact of that name or mobile, or a new contact. A
    different person becomes the decision maker and the former one stays a contact, in no
    decision role: a change of person never rewrites one person into another."""
    target, current = decision_maker_target(list(customer.contacts.all()), values)
    if target is None and not values.get("name"):
        raise ValidationFailed(
            {"decision_maker.name": [_("The decision maker's name is required.")]}
        )
    if current is not None and target is not current:
        demoted = {"decision_role": "", "is_primary": False}
        contact_change(actor=actor, contact=current, values=demoted, source=source)
    if target is None:
        return contact_add(actor=actor, customer=customer, values=values, source=source)
    contact_change(actor=actor, contact=target, values=values, source=source)
    return target


def customer_change_status(
    *, actor: User | None, customer: Customer, status: str, reason: str
) -> Customer:
    return customer_update(
        actor=actor, customer=customer, data={"status": status, "status_reason": reason}
    )


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    if actor.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied(_("Only a manager or an administrator may delete customers."))
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_DELETED,
        target=customer,
        changes=diff_fields(customer_snapshot(customer), {}),
    )
    search_unindex_customer(customer.pk)
    customer.delete()


# --- Approved review items replay through the same functions (registered in apps.py).


def apply_customer_create(item: ReviewItem) -> None:
    customer = customer_create(actor=item.requested_by, data=item.payload, approved=item)
    review_item_customer_set(item=item, customer=customer)


def apply_customer_update(item: ReviewItem) -> None:
    if item.customer is None:
        raise ValidationFailed({"customer": [_("The customer no longer exists.")]})
    customer_update(
        actor=item.requested_by, customer=item.customer, data=item.payload, approved=item
    )
