"""The one write path for duplicates: check, store scan results, decide, merge, undo, rules."""

from __future__ import annotations

import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import scope_for
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.contacts.models import Contact
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kehu.core.gates import gate_check
from kehu.core.jobs import job_start
from kehu.core.models import Job
from kehu.customers.models import Customer
from kehu.customers.services import (
    MERGE_FIELDS,
    contacts_pairing,
    customer_absorb,
    customer_contacts_absorb,
    customer_contacts_restore,
    customer_merge_check,
    customer_restore,
)
from kehu.interactions.models import BehaviourEvent, FollowUp, Interaction
from kehu.interactions.services import events_move, interaction_contacts_move, interactions_move
from kehu.interactions.services.followups import followups_move
from kehu.opportunities.models import Opportunity, Order
from kehu.opportunities.services import opportunities_move, orders_move
from kehu.tags.models import CustomerTag, TagChange
from kehu.tags.services import customer_tags_move, customer_tags_restore, tag_changes_move

from . import tasks
from .models import DuplicatePair, Merge
from .movers import contact_moves, movers, repoint_contact
from .picks import merge_picks, merge_values
from .records import merge_record
from .scan import CandidatePair, scan_customers

STEWARD_ROLES = (Role.STEWARD, Role.ADMIN)

SCAN_JOB = "dedupe.scan"


def require_steward(actor: User) -> None:
    if actor.role not in STEWARD_ROLES:
        raise PermissionDenied(_("Only a data steward or an administrator may do this."))


def _ordered(a: Customer, b: Customer) -> tuple[Customer, Customer]:
    return (a, b) if a.pk < b.pk else (b, a)


# --- Scan results.


@transaction.atomic
def pairs_store(*, pairs: list[CandidatePair], source: str = DuplicatePair.Source.SCAN) -> int:
    """Insert new candidate pairs, refresh open ones; decided pairs are never proposed again."""
    existing = {
        (a, b): (pk, status)
        for pk, a, b, status in DuplicatePair.objects.values_list(
            "pk", "customer_a_id", "customer_b_id", "status"
        )
    }
    valid = set(Customer.objects.values_list("pk", flat=True))
    new, changed = [], []
    for pair in pairs:
        if pair.id_a not in valid or pair.id_b not in valid:
            continue
        known = existing.get((pair.id_a, pair.id_b))
        if known is None:
            new.append(
                DuplicatePair(
                    customer_a_id=pair.id_a,
                    customer_b_id=pair.id_b,
                    score=pair.score,
                    weight=pair.weight,
                    explanation=pair.explanation(),
                    source=source,
                )
            )
        elif known[1] == DuplicatePair.Status.OPEN:
            changed.append(
                DuplicatePair(
                    pk=known[0],
                    score=pair.score,
                    weight=pair.weight,
                    explanation=pair.explanation(),
                )
            )
    DuplicatePair.objects.bulk_create(new, batch_size=2000)
    DuplicatePair.objects.bulk_update(changed, ["score", "weight", "explanation"], batch_size=2000)
    return len(new)


def dedupe_scan_run(*, progress: Any = None) -> dict[str, Any]:
    """Scan the whole database and store the pairs (the background task calls this)."""
    pairs = scan_customers(progress=progress)
    decided = set(
        DuplicatePair.objects.exclude(status=DuplicatePair.Status.OPEN).values_list(
            "customer_a_id", "customer_b_id"
        )
    )
    pairs = [p for p in pairs if (p.id_a, p.id_b) not in decided]
    created = pairs_store(pairs=pairs)
    return {"pairs": len(pairs), "new": created}


def scan_pairs_undecided(pairs: list[CandidatePair]) -> list[CandidatePair]:
    """Leave out pairs a steward has already decided (not a duplicate, merged)."""
    decided = set(
        DuplicatePair.objects.exclude(status=DuplicatePair.Status.OPEN).values_list(
            "customer_a_id", "customer_b_id"
        )
    )
    return [p for p in pairs if (p.id_a, p.id_b) not in decided]


# --- Decisions.


@transaction.atomic
def pair_mark_not_duplicate(*, actor: User, pair: DuplicatePair, note: str = "") -> DuplicatePair:
    """Remember that these two are different companies; the pair is never proposed again."""
    require_steward(actor)
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    pair.status = DuplicatePair.Status.NOT_DUPLICATE
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DEDUPE_NOT_DUPLICATE,
        target=pair.customer_a,
        changes={"other": pair.customer_b.customer_no},
        note=note,
    )
    return pair


@transaction.atomic
def pair_mark_for(*, actor: User, customer_a: Customer, customer_b: Customer) -> DuplicatePair:
    """The pair row of two customers (created if the check or scan has not found it yet)."""
    a, b = _ordered(customer_a, customer_b)
    pair, _created = DuplicatePair.objects.get_or_create(
        customer_a=a, customer_b=b, defaults={"score": 0.0, "source": DuplicatePair.Source.CHECK}
    )
    return pair


# --- Merge and undo. Every row moves through the service of the app that owns it (issue 13);
# the customers' part is kehu/customers/services/merge.py (its docstring gives the order).

# Rows of apps below dedupe that belong to a customer: (label, model to read, service to move).
CHILDREN: tuple[tuple[str, Any, Any], ...] = (
    ("interactions.interaction", Interaction, interactions_move),
    ("interactions.behaviourevent", BehaviourEvent, events_move),
    ("interactions.followup", FollowUp, followups_move),
    ("opportunities.opportunity", Opportunity, opportunities_move),
    ("opportunities.order", Order, orders_move),
    ("tags.tagchange", TagChange, tag_changes_move),
)


def _ids(model: Any, **lookup: Any) -> list[int]:
    return list(model.objects.filter(**lookup).order_by("pk").values_list("pk", flat=True))


def _check(actor: User, survivor: Customer, merged: Customer, values: dict[str, Any]) -> None:
    """The customers' guards, with a field's error named as the API's `fields.<name>`."""
    try:
        customer_merge_check(actor=actor, survivor=survivor, merged=merged, values=values)
    except ValidationFailed as exc:
        raise ValidationFailed(
            {f"fields.{k}" if k in MERGE_FIELDS else k: v for k, v in exc.errors.items()}
        ) from exc


def _contact_links(contact_id: int) -> dict[str, list[int]]:
    """{label: ids} of the rows pointing at a contact: interactions, events, registered ones."""
    links = {
        "interactions.interaction": _ids(Interaction, contact_id=contact_id),
        "interactions.behaviourevent": _ids(BehaviourEvent, contact_id=contact_id),
        **contact_moves(contact_id),
    }
    return {label: ids for label, ids in links.items() if ids}


def _links_move(actor: User, links: dict[str, list[int]], contact: Contact) -> None:
    interaction_contacts_move(
        actor=actor,
        interactions=links.get("interactions.interaction", []),
        events=links.get("interactions.behaviourevent", []),
        contact=contact,
    )
    repoint_contact(actor=actor, rows=links, contact=contact)


def _pairs_forget(customer: Customer) -> list[dict[str, Any]]:
    """The customer's pairs go with it; kept (as rows) for an undo to bring back."""
    pairs = DuplicatePair.objects.filter(
        models.Q(customer_a=customer) | models.Q(customer_b=customer)
    )
    rows: list[dict[str, Any]] = _json_ready(list(pairs.values()))
    pairs.delete()
    return rows


def _pairs_restore(rows: list[dict[str, Any]]) -> None:
    fields = ("score", "weight", "explanation", "source", "status", "decided_by_id")
    for row in rows:
        a, b = row["customer_a_id"], row["customer_b_id"]
        if Customer.objects.filter(pk__in=[a, b]).count() == 2:
            DuplicatePair.objects.get_or_create(
                customer_a_id=a, customer_b_id=b, defaults={k: row[k] for k in fields if k in row}
            )


@transaction.atomic
def customer_merge(
    *,
    actor: User,
    survivor: Customer,
    merged: Customer,
    choices: dict[str, str] | None = None,
) -> Merge:
    """Fold `merged` into `survivor` in one transaction: the fields picked (kehu/dedupe/picks.py),
    the same person on both sides as one contact, every row of every app moved, the search index
    changed with it; `merged` is deleted and its number leads to the survivor until an undo."""
    require_steward(actor)
    both = {survivor.pk, merged.pk}
    changeable = scope_for(actor, Customer.objects.filter(pk__in=both), for_write=True)
    if changeable.count() != len(both):  # a unit's steward merges only the unit's customers
        raise PermissionDenied(_("You may not change this customer."))
    gate_check("merge", actor)  # e.g. a training certificate first (kehu.training)
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    merged = Customer.objects.select_for_update().get(pk=merged.pk)
    values = merge_values(survivor, merged, merge_picks(survivor, merged, choices, actor=actor))
    _check(actor, survivor, merged, values)
    merge = Merge.objects.create(
        survivor=survivor,
        merged_customer_id=merged.pk,
        merged_customer_no=merged.customer_no,
        performed_by=actor,
    )
    pairs = contacts_pairing(survivor, merged)
    links = []
    for kept, other in pairs:  # before the fold deletes `other` (their links are SET_NULL)
        links.append(_contact_links(other.pk))
        _links_move(actor, links[-1], kept)
    contacts = customer_contacts_absorb(actor=actor, survivor=survivor, merged=merged, pairs=pairs)
    for fold, fold_links in zip(contacts["folded"], links, strict=True):
        fold["links"] = fold_links
    moved: dict[str, list[int]] = {"contacts.contact": contacts["moved"]}
    for label, model, move in CHILDREN:
        moved[label] = move(actor=actor, ids=_ids(model, customer=merged), customer=survivor)
    moved["tags.customertag"], dropped_tags = customer_tags_move(
        actor=actor, ids=_ids(CustomerTag, customer=merged), customer=survivor
    )
    for mover in movers():
        moved[mover.label] = mover.move(
            actor=actor, ids=mover.rows_of_customer(merged.pk), customer=survivor
        )
    dropped_pairs = _pairs_forget(merged)
    # An earlier merge into `merged`: its number now leads to the survivor, and it waits for
    # this one to be undone before it can be.
    Merge.objects.filter(survivor=merged).update(survivor=survivor, superseded_by=merge)
    absorbed = customer_absorb(actor=actor, survivor=survivor, merged=merged, values=values)
    moved.update(absorbed["moved"])
    merge.merged_snapshot = absorbed["merged"]
    merge.survivor_changes = absorbed["changes"]
    merge.survivor_before = {name: change[0] for name, change in absorbed["changes"].items()}
    merge.moved = {label: ids for label, ids in moved.items() if ids}
    merge.contacts = _json_ready(contacts)
    merge.dropped = {
        "tags.customertag": dropped_tags,
        "dedupe.duplicatepair": dropped_pairs,
        **absorbed["dropped"],
    }
    merge.save()
    return merge


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()  # full microseconds, so undo restores the exact value
    return str(value)


def _json_ready(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_json_default))


@transaction.atomic
def merge_undo(*, actor: User, merge: Merge) -> Customer:
    """Bring the merged customer back as it was: its fields and number, its contacts (folded
    ones apart again), every row it had, its pairs and search entries; the survivor's fields
    as they were before the merge (a field changed since keeps that change)."""
    require_steward(actor)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict(_("This merge has already been undone."))
    later = merge.superseded_by
    if later is not None and later.undone_at is None:
        raise Conflict(
            _("%(no)s was merged into another customer since: undo that merge first.")
            % {"no": later.merged_customer_no}
        )
    if Customer.objects.filter(pk=merge.merged_customer_id).exists():
        raise Conflict(_("The merged customer exists again; nothing to undo."))
    survivor = Customer.objects.select_for_update().get(pk=merge.survivor_id)
    if not scope_for(actor, Customer.objects.filter(pk=survivor.pk), for_write=True).exists():
        raise PermissionDenied(_("You may not change this customer."))
    record = merge_record(merge, survivor)
    note = _("Merge of %(merged)s into %(survivor)s undone") % {
        "merged": merge.merged_customer_no,
        "survivor": survivor.customer_no,
    }
    customer = customer_restore(
        actor=actor,
        survivor=survivor,
        merged=record.merged,
        changes=record.changes,
        moved=record.moved,
        dropped=record.dropped,
        note=note,
    )
    customer_contacts_restore(
        actor=actor, customer=customer, survivor=survivor, record=record.contacts
    )
    for fold in record.contacts.get("folded", []):
        contact = Contact.objects.get(pk=fold["merged"]["id"])
        _links_move(actor, fold.get("links", {}), contact)
    for label, _model, move in CHILDREN:
        move(actor=actor, ids=record.moved.get(label, []), customer=customer)
    customer_tags_move(actor=actor, ids=record.moved.get("tags.customertag", []), customer=customer)
    customer_tags_restore(actor=actor, rows=record.dropped.get("tags.customertag", []))
    for mover in movers():
        mover.move(actor=actor, ids=record.moved.get(mover.label, []), customer=customer)
    _pairs_restore(record.dropped.get("dedupe.duplicatepair", []))
    Merge.objects.filter(superseded_by=merge).update(survivor=customer, superseded_by=None)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    return customer


def merge_survivor_id(customer_no: str) -> int | None:
    """Where a merged-away number leads while its merge stands (registered with
    kehu.customers.merged in apps.py, for the old addresses to redirect)."""
    return (
        Merge.objects.filter(merged_customer_no=customer_no, undone_at__isnull=True)
        .order_by("-id")
        .values_list("survivor_id", flat=True)
        .first()
    )


def dedupe_scan_start(*, actor: User) -> Job:
    """Queue a scan of the whole database (the task worker runs it; its Job shows progress).
    One at a time: while one is queued or running, that one is the answer (Conflict)."""
    require_steward(actor)
    running = Job.objects.filter(
        kind=SCAN_JOB, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
    ).first()
    if running is not None:
        raise Conflict(_("A duplicate scan is running already (job #%(id)s).") % {"id": running.pk})
    return job_start(kind=SCAN_JOB, title=_("Duplicate scan"), actor=actor, task=tasks.dedupe_scan)


# --- Rules and actions (administrators).


# The duplicate policy (matching rules, the action per context) belongs to customers, whose
# write path applies it: kehu.customers.services.duplicates (match_rule_save,
# duplicate_action_set); the rules page and API call them there.


def duplicate_item_apply(item: Any) -> None:
    """A duplicate the on-save check queued, confirmed by the steward: its pairs join the
    steward's list of pairs to merge (kehu.review approves it; registered in apps.py)."""
    customer = Customer.objects.filter(pk=item.payload.get("customer_id")).first()
    if customer is None:
        return
    for other in Customer.objects.filter(pk__in=item.payload.get("matches") or []):
        a, b = _ordered(customer, other)
        DuplicatePair.objects.get_or_create(
            customer_a=a,
            customer_b=b,
            defaults={"score": 1.0, "source": DuplicatePair.Source.CHECK},
        )
