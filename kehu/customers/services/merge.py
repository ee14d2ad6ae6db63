"""A merge as the customer aggregate sees it: one customer absorbs another, and an undo gives the
absorbed one back. kehu.dedupe runs the merge and calls these, in one transaction:

    1. customer_merge_check      the guards, before anything is written: permission (the actor
                                 may change both), validation (known fields; the status never
                                 moves backwards), finance fields (policy.FINANCE_FIELDS)
    2. contacts_pairing          which contacts are one person on both sides (a read)
       (dedupe points the interactions, events and leads of a merged-away contact at the one
       kept: the contact's foreign keys are SET_NULL, so they must move before it goes)
    3. customer_contacts_absorb  each pair folded into one contact (empty fields filled), the
                                 other contacts moved to the survivor
       (dedupe moves interactions, tasks, opportunities, orders, tags and leads)
    4. customer_absorb           the chosen fields written on the survivor through the
                                 snapshot / status history / audit / search path of an update;
                                 status history, shares and review items moved; the merged
                                 customer deleted with its search entries; refuses if any row
                                 still points at it (nothing is ever lost by a cascade)

An undo runs customer_restore, then customer_contacts_restore, then dedupe moves the rest back.

Status never moves backwards: the furthest of the two wins, 潜在 < 意向 < 成交. 流失 ranks below
潜在: a lost customer is one somebody decided to give up, and the other record shows somebody
still works the company, so the live status wins; two lost records stay 流失.

The duplicate and review guards do not run here: the merge is the steward's decision about a
duplicate, and the status kept was decided (approved) on one of the two records already.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

from django.db import transaction
from django.db.models import Field, Model
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import assert_finance_editable, finance_fields_of, scope_for
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, diff_fields
from kehu.contacts.models import Contact
from kehu.contacts.services import (
    contact_change,
    contact_fold,
    contact_record,
    contact_unfold,
    contacts_move,
    json_default,
)
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kehu.core.normalize import (
    compact,
    company_registered,
    email_key,
    fold,
    has_cjk,
    is_role_mailbox,
    person_forms,
    phone_base,
)
from kehu.core.normalize.pinyin import name_sort_key
from kehu.core.regions import region_resolve
from kehu.core.search_index import search_unindex_customer
from kehu.core.versioning import Versioned
from kehu.review.services import review_items_move

from ..models import Customer, CustomerShare, CustomerStatusChange
from ..validators import normalize_company_name
from .derived import assert_reachable, customer_refresh_quality, customer_reindex
from .write import FINANCE_MODEL, customer_snapshot

# Fields a steward picks between (the rest stays the survivor's), by column name.
MERGE_FIELDS = (
    "name", "kind", "credit_code", "industry_id", "sub_industry_id", "size", "ownership",
    "province", "city",
    "district", "address", "phone", "email", "source_id", "first_contact_date", "status",
    "owner_id", "team_id", "budget_band", "budget_amount", "notes",
)  # fmt: skip
STATUS_RANK: dict[str, int] = {
    Customer.Status.LOST: 0,
    Customer.Status.LEAD: 1,
    Customer.Status.INTENT: 2,
    Customer.Status.WON: 3,
}


def status_furthest(*statuses: str) -> str:
    """The status furthest along of these (see the module's note on 流失)."""
    return max(statuses, key=lambda s: STATUS_RANK.get(s, 0))


def name_rank(customer: Customer) -> tuple[bool, bool, int]:
    """How surely the name is the registered full name: one beside a credit code beats one
    without; a company name with a legal form (有限公司, Co., Ltd.) beats a short one; then the
    fuller name."""
    registered = customer.kind == Customer.Kind.COMPANY and bool(company_registered(customer.name))
    return bool(customer.credit_code), registered, len(compact(fold(customer.name)))


def _json(value: Any) -> Any:
    """JSON-ready, times to the microsecond (Django's encoder keeps milliseconds only)."""
    return json.loads(json.dumps(value, default=json_default))


def _finance_changed(survivor: Customer, values: dict[str, Any]) -> set[str]:
    fields = finance_fields_of(FINANCE_MODEL)
    return {k for k in values if k in fields and values[k] != getattr(survivor, k)}


# --- 1. Guards


def customer_merge_check(
    *, actor: User | None, survivor: Customer, merged: Customer, values: dict[str, Any]
) -> None:
    """Refuse the merge before anything is written (PermissionDenied, ValidationFailed)."""
    if actor is not None:
        both = Customer.objects.filter(pk__in=[survivor.pk, merged.pk])
        if scope_for(actor, both, for_write=True).count() != 2:
            raise PermissionDenied(_("You may not change both customers."))
    if survivor.pk == merged.pk:
        raise ValidationFailed({"merged": [_("A customer cannot be merged into itself.")]})
    errors: dict[str, list[str]] = {}
    for name in set(values) - set(MERGE_FIELDS):
        errors[name] = [_("Not a field that can be merged.")]
    furthest = status_furthest(survivor.status, merged.status)
    status = values.get("status", survivor.status)
    if STATUS_RANK.get(status, 0) < STATUS_RANK[furthest]:
        errors["status"] = [
            _("A merge never moves the status backwards: the result is %(status)s.")
            % {"status": Customer.Status(furthest).label}
        ]
    if "name" in values and not str(values["name"] or "").strip():
        errors["name"] = [_("The customer's name is required.")]
    if errors:
        raise ValidationFailed(errors)
    assert_finance_editable(actor, FINANCE_MODEL, _finance_changed(survivor, values))


# --- 2-3. Contacts


def _same_person(kept: Contact, other: Contact) -> bool:
    """One person: the same mobile, the same personal e-mail, or the same name (in either
    script, 王建国 / Wang Jianguo) unless their mobiles differ."""
    if kept.mobile and phone_base(kept.mobile) == phone_base(other.mobile):
        return True
    email = email_key(kept.email)
    if email and email == email_key(other.email) and not is_role_mailbox(email):
        return True
    full, key, _surname = person_forms(kept.name)
    other_full, other_key, _other_surname = person_forms(other.name)
    same_name = bool(full and full == other_full) or bool(
        key and key == other_key and not (has_cjk(kept.name) and has_cjk(other.name))
    )  # 王建国 and 汪建国 share a pinyin key but are two people
    if not same_name:
        return False
    return not (
        kept.mobile and other.mobile and phone_base(kept.mobile) != phone_base(other.mobile)
    )


def contacts_pairing(survivor: Customer, merged: Customer) -> list[tuple[Contact, Contact]]:
    """(kept, merged-away) for each contact of `merged` who is someone `survivor` has already."""
    kept = list(Contact.objects.filter(customer=survivor).order_by("-is_primary", "has_left", "id"))
    pairs = []
    for other in Contact.objects.filter(customer=merged).order_by("id"):
        match = next((contact for contact in kept if _same_person(contact, other)), None)
        if match is not None:
            pairs.append((match, other))
    return pairs


@transaction.atomic
def customer_contacts_absorb(
    *,
    actor: User | None,
    survivor: Customer,
    merged: Customer,
    pairs: list[tuple[Contact, Contact]],
) -> dict[str, Any]:
    """Fold each pair into the kept contact (its empty fields filled), move the merged
    customer's other contacts to the survivor. Returns what customer_contacts_restore needs."""
    folded = []
    for kept, other in pairs:
        record = contact_record(other)
        filled = contact_fold(actor=actor, survivor=kept, merged=other)
        folded.append({"survivor": kept.pk, "merged": record, "filled": filled})
    rest = list(Contact.objects.filter(customer=merged).order_by("id"))
    primary = [c.pk for c in rest if c.is_primary]
    moved = contacts_move(actor=actor, contacts=rest, customer=survivor)
    return {"moved": moved, "primary": primary, "folded": folded}


@transaction.atomic
def customer_contacts_restore(
    *, actor: User | None, customer: Customer, survivor: Customer, record: dict[str, Any]
) -> dict[int, int]:
    """Undo customer_contacts_absorb: folded contacts come back (the fields they filled are
    emptied again where nobody changed them since), moved ones return. Returns {kept contact
    id: restored contact id} for the interactions to follow. Both customers are re-indexed."""
    restored: dict[int, int] = {}
    for fold_record in record.get("folded", []):
        kept = Contact.objects.filter(pk=fold_record["survivor"]).first()
        if kept is not None:
            revert = {
                name: before
                for name, (before, after) in fold_record["filled"].items()
                if getattr(kept, name) == after
            }
            if revert:
                contact_change(actor=actor, contact=kept, values=revert)
        contact = contact_unfold(actor=actor, record=fold_record["merged"])
        restored[contact.pk] = fold_record["survivor"]
    contacts_move(
        actor=actor,
        contacts=Contact.objects.filter(pk__in=record.get("moved", [])),
        customer=customer,
        primary=set(record.get("primary", [])),
    )
    customer_refresh_quality(survivor)  # the restored one has its own figures back already
    customer_reindex(survivor)
    customer_reindex(customer)
    return restored


# --- 4. The customer itself


def customer_record(customer: Customer) -> dict[str, Any]:
    """Every column of the customer, JSON-ready: what customer_restore brings back."""
    record: dict[str, Any] = _json(
        {f.attname: getattr(customer, f.attname) for f in Customer._meta.concrete_fields}
    )
    return record


def _assert_nothing_left(customer: Customer) -> None:
    """Every row pointing at a customer must have been moved before it goes: refuse (and roll
    the merge back) rather than let a cascade delete what nobody moved."""
    left = []
    for rel in Customer._meta.related_objects:
        model = cast(type[Model], rel.related_model)
        if rel.many_to_many:
            continue  # none today; a link table row would not stop the delete anyway
        if getattr(model, "MERGE_DERIVED", False):
            continue  # derived from the customer's rows (value.CustomerValue): recomputed
        if model._base_manager.filter(**{rel.field.name: customer}).exists():
            left.append(str(model._meta.verbose_name_plural))
    if left:
        raise Conflict(
            _("The merge did not move everything of %(no)s (%(what)s); nothing was changed.")
            % {"no": customer.customer_no, "what": ", ".join(left)}
        )


def _move_shares(merged: Customer, survivor: Customer) -> tuple[list[int], list[dict[str, Any]]]:
    """The merged customer's shares go to the survivor; one with a user the survivor is shared
    with already is removed (and kept for the undo)."""
    has = set(CustomerShare.objects.filter(customer=survivor).values_list("user_id", flat=True))
    moved, dropped = [], []
    for share in CustomerShare.objects.filter(customer=merged).order_by("id"):
        if share.user_id in has:
            dropped.append(_json({f.attname: getattr(share, f.attname) for f in
                                  CustomerShare._meta.concrete_fields}))  # fmt: skip
        else:
            has.add(share.user_id)
            moved.append(share.pk)
    CustomerShare.objects.filter(pk__in=[d["id"] for d in dropped]).delete()
    CustomerShare.objects.filter(pk__in=moved).update(customer=survivor)
    return moved, dropped


@transaction.atomic
def customer_absorb(
    *, actor: User | None, survivor: Customer, merged: Customer, values: dict[str, Any]
) -> dict[str, Any]:
    """Write `values` (the merged customer's, chosen per field) on the survivor, take over the
    merged customer's status history, shares and review items, and delete it; the search index
    changes in the same transaction. Returns what customer_restore needs."""
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    merged = Customer.objects.select_for_update().get(pk=merged.pk)
    customer_merge_check(actor=actor, survivor=survivor, merged=merged, values=values)
    record = customer_record(merged)
    before = customer_snapshot(survivor)
    old_status = survivor.status
    changed: dict[str, list[Any]] = {}
    for name, value in values.items():
        if getattr(survivor, name) != value:
            changed[name] = [getattr(survivor, name), value]
            setattr(survivor, name, value)
    # Custom field values the survivor lacks come from the merged customer (undone with it).
    own = survivor.custom_fields or {}
    filled = {k: v for k, v in (merged.custom_fields or {}).items() if k not in own}
    if filled:
        changed["custom_fields"] = [own, {**own, **filled}]
        survivor.custom_fields = {**own, **filled}
    if {"province", "city", "district"} & set(changed):  # the code follows the chosen names
        code = region_resolve(survivor.province, survivor.city, survivor.district).code
        if code != survivor.region_code:
            changed["region_code"] = [survivor.region_code, code]
            survivor.region_code = code
    latest = max(
        (t for t in (survivor.last_interaction_at, merged.last_interaction_at) if t), default=None
    )
    if latest != survivor.last_interaction_at:
        changed["last_interaction_at"] = [survivor.last_interaction_at, latest]
        survivor.last_interaction_at = latest
    if "name" in changed:
        survivor.name_normalized = normalize_company_name(survivor.name)
        survivor.name_sort = name_sort_key(survivor.name)
    survivor.save()
    history = list(merged.status_changes.values_list("pk", flat=True))
    CustomerStatusChange.objects.filter(pk__in=history).update(customer=survivor)
    if survivor.status != old_status:
        CustomerStatusChange.objects.create(
            customer=survivor,
            from_status=old_status,
            to_status=survivor.status,
            reason=_("Merged with %(no)s") % {"no": merged.customer_no},
            changed_by=actor,
        )
    shares, dropped_shares = _move_shares(merged, survivor)
    items = review_items_move(
        actor=actor,
        ids=list(merged.review_items.values_list("pk", flat=True)),
        customer=survivor,
    )
    _assert_nothing_left(merged)
    note = _("%(merged)s merged into %(survivor)s") % {
        "merged": merged.customer_no,
        "survivor": survivor.customer_no,
    }
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_MERGED_INTO,
        target=merged,
        changes=diff_fields(customer_snapshot(merged), {}),
        note=note,
    )
    search_unindex_customer(merged.pk)
    merged.delete()
    assert_reachable(survivor)
    customer_refresh_quality(survivor)
    customer_reindex(survivor)
    changes = diff_fields(before, customer_snapshot(survivor))
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_MERGED,
        target=survivor,
        changes={**changes, "merged": [record["customer_no"], None]},
        note=note,
    )
    return {
        "changes": _json(changed),
        "merged": record,
        "moved": {
            "customers.customerstatuschange": history,
            "customers.customershare": shares,
            "review.reviewitem": items,
        },
        "dropped": {"customers.customershare": dropped_shares},
    }


M = TypeVar("M", bound=Model)


def _restore_row(model: type[M], record: dict[str, Any]) -> M:
    values = {
        f.attname: f.to_python(record[f.attname])
        for f in model._meta.concrete_fields
        if f.attname in record
    }
    row = model(**values)
    if isinstance(row, Versioned):
        row.version += 1  # a form opened before the merge is stale
    row.save(force_insert=True)
    stamps = {k: values[k] for k in ("created_at", "updated_at") if values.get(k)}
    if stamps:  # auto_now(_add) stamped them afresh
        model._default_manager.filter(pk=row.pk).update(**stamps)
    return row


@transaction.atomic
def customer_restore(
    *,
    actor: User | None,
    survivor: Customer,
    merged: dict[str, Any],
    changes: dict[str, list[Any]],
    moved: dict[str, list[int]],
    dropped: dict[str, list[dict[str, Any]]],
    note: str = "",
) -> Customer:
    """Undo customer_absorb: the merged customer back with its number and every field, the
    survivor's fields as they were (a field changed again since the merge keeps that change),
    its status history, shares and review items back. Contacts follow (customer_contacts_restore)."""
    data = merged
    clash = (
        Customer.objects.filter(
            external_source=data.get("external_source", ""), external_id=data.get("external_id")
        )
        .exclude(external_id="")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("%(other)s now has the external id of %(no)s; change it before undoing the merge.")
            % {"other": clash.customer_no, "no": data["customer_no"]}
        )
    customer = _restore_row(Customer, data)
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    before = customer_snapshot(survivor)
    old_status = survivor.status
    for name, (was, became) in changes.items():
        field = cast(Field[Any, Any], Customer._meta.get_field(name))
        if getattr(survivor, field.attname) == field.to_python(became):
            setattr(survivor, field.attname, field.to_python(was))
    survivor.name_normalized = normalize_company_name(survivor.name)
    survivor.name_sort = name_sort_key(survivor.name)
    survivor.save()
    CustomerStatusChange.objects.filter(
        pk__in=moved.get("customers.customerstatuschange", [])
    ).update(customer=customer)
    if survivor.status != old_status:
        CustomerStatusChange.objects.create(
            customer=survivor,
            from_status=old_status,
            to_status=survivor.status,
            reason=_("Merge with %(no)s undone") % {"no": customer.customer_no},
            changed_by=actor,
        )
    CustomerShare.objects.filter(pk__in=moved.get("customers.customershare", [])).update(
        customer=customer
    )
    for share in dropped.get("customers.customershare", []):
        if not CustomerShare.objects.filter(customer=customer, user_id=share["user_id"]).exists():
            _restore_row(CustomerShare, share)
    review_items_move(actor=actor, ids=moved.get("review.reviewitem", []), customer=customer)
    customer_reindex(customer)
    customer_reindex(survivor)
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_RESTORED,
        target=customer,
        changes=diff_fields({}, customer_snapshot(customer)),
        note=note,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_MERGE_UNDONE,
        target=survivor,
        changes={
            **diff_fields(before, customer_snapshot(survivor)),
            "merged": [None, customer.customer_no],
        },
        note=note,
    )
    return customer
