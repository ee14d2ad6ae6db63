"""Logging interactions and ingesting behaviour events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.assignees import assert_assignable, clean_user_field
from kehu.accounts.mentions import mentions_notify
from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.audit.services import (
    PendingEntry,
    audit_record,
    audit_record_many,
    diff_fields,
    identifier_forms,
    text_names,
)
from kehu.core.cleaning import FieldCleaner
from kehu.core.errors import ValidationFailed
from kehu.core.numbering import next_in_sequence, sequences_set
from kehu.core.search_index import (
    interaction_document,
    search_index_bulk,
    search_index_interaction,
    search_unindex,
)
from kehu.core.validators import parse_choice, parse_date, parse_datetime
from kehu.customers.models import Contact, Customer
from kehu.customers.services.quality import (
    customer_interactions_changed,
    customers_last_interaction_set,
)

from ..models import BehaviourEvent, FollowUp, Interaction
from ..validators import (
    EVENT_KIND_ALIASES,
    FEEDBACK_ALIASES,
    METHOD_ALIASES,
    STANDARD_REQUIRED,
    interaction_standard_missing,
)
from .followups import followup_close_open, followup_for_interaction

RULE = AuditEntry.Source.RULE

AUDIT_FIELDS = (
    "occurred_at", "method", "topic", "summary", "feedback", "next_action",
    "next_action_owner_id", "next_action_due", "performed_by_id", "contact_id",
)  # fmt: skip


def interaction_clean(
    data: dict[str, Any], *, customer: Customer, creating: bool
) -> dict[str, Any]:
    c = FieldCleaner(data)
    c.field("occurred_at", parse_datetime, empty=None)
    c.field("method", lambda t: parse_choice(t, METHOD_ALIASES))
    c.field("topic", max_length=200)
    c.field("feedback", lambda t: parse_choice(t, FEEDBACK_ALIASES))
    c.field("next_action", max_length=300)
    c.field("next_action_due", parse_date, empty=None)
    c.multiline("summary", max_length=10_000)
    clean_user_field(c, "performed_by")
    clean_user_field(c, "next_action_owner")
    if "contact_id" in data and data.get("contact_id") not in (None, ""):
        contact = Contact.objects.filter(pk=data["contact_id"], customer=customer).first()
        if contact is None:
            c.error("contact_id", _("This contact does not belong to the customer."))
        else:
            c.values["contact"] = contact
    elif "contact_id" in data:
        c.values["contact"] = None
    # The field standard's four: required when logging, never blanked by a change (an older
    # record that lacks one keeps the gap until someone fills it in).
    for name in interaction_standard_missing(c.values):
        if name not in c.errors and (creating or name in data):
            c.error(name, str(STANDARD_REQUIRED[name]))
    if creating:
        if not c.values.get("method") and "method" not in c.errors:
            c.error("method", _("Choose how the interaction happened."))
        if not c.values.get("occurred_at") and "occurred_at" not in c.errors:
            c.values["occurred_at"] = timezone.now()
    elif (
        "occurred_at" in data and not c.values.get("occurred_at") and "occurred_at" not in c.errors
    ):
        c.error("occurred_at", _("When did it happen?"))
    if "method" in data and not c.values.get("method") and "method" not in c.errors:
        c.error("method", _("Choose how the interaction happened."))
    occurred = c.values.get("occurred_at")
    if occurred and occurred > timezone.now() + timedelta(minutes=5):
        c.error(
            "occurred_at", _("An interaction cannot be in the future; plan it as a next action.")
        )
    c.raise_if_errors()
    return c.values


def _touch_customer(customer: Customer, actor: User | None = None) -> None:
    """After an interaction is logged, changed or removed: the customer's last interaction, and
    a 待验证 customer that is no longer stale is fresh again, its open verify tasks done."""
    latest = customer.interactions.aggregate(latest=Max("occurred_at"))["latest"]
    became_fresh = customer_interactions_changed(
        actor=actor, customer=customer, latest=latest, note="Interaction logged", source=RULE
    )
    if became_fresh:
        followup_close_open(
            actor=actor,
            customer_id=customer.pk,
            kind=FollowUp.Kind.VERIFY,
            note="Interaction logged",
            source=RULE,
        )


@transaction.atomic
def interaction_log(*, actor: User | None, customer: Customer, data: dict[str, Any]) -> Interaction:
    """Record an interaction: HD + customer number + sequence; late if entered >24 h after."""
    values = interaction_clean(data, customer=customer, creating=True)
    assert_assignable(
        customer,
        performed_by=values.get("performed_by"),
        next_action_owner=values.get("next_action_owner"),
    )
    values.setdefault("performed_by", actor)
    seq = next_in_sequence(f"HD{customer.customer_no}")
    now = timezone.now()
    interaction = Interaction.objects.create(
        customer=customer,
        interaction_no=f"HD{customer.customer_no}{seq:04d}",
        is_late_entry=now - values["occurred_at"] > timedelta(hours=settings.KEHU_LATE_ENTRY_HOURS),
        created_by=actor,
        **values,
    )
    _touch_customer(customer, actor)  # last interaction; 待验证 -> fresh again
    search_index_interaction(interaction)
    audit_record(
        actor=actor,
        action=AuditAction.INTERACTION_LOGGED,
        target=interaction,
        changes=diff_fields({}, {f: getattr(interaction, f) for f in AUDIT_FIELDS}),
    )
    followup_for_interaction(actor=actor, interaction=interaction)  # its next action, a task
    if actor is not None and interaction.summary:
        mentions_notify(
            actor=actor, customer=customer, text=interaction.summary, what=interaction.topic
        )
    return interaction


@transaction.atomic
def interaction_update(
    *, actor: User, interaction: Interaction, data: dict[str, Any]
) -> Interaction:
    values = interaction_clean(data, customer=interaction.customer, creating=False)
    assert_assignable(
        interaction.customer,
        **{
            key: values[key]
            for key in ("performed_by", "next_action_owner")
            if values.get(key) is not None and values[key] != getattr(interaction, key)
        },
    )
    before = {f: getattr(interaction, f) for f in AUDIT_FIELDS}
    for key, value in values.items():
        setattr(interaction, key, value)
    # Late means recorded more than KEHU_LATE_ENTRY_HOURS after it happened, whatever the edit.
    late_after = timedelta(hours=settings.KEHU_LATE_ENTRY_HOURS)
    interaction.is_late_entry = interaction.created_at - interaction.occurred_at > late_after
    interaction.save()
    _touch_customer(interaction.customer, actor)
    search_index_interaction(interaction)
    changes = diff_fields(before, {f: getattr(interaction, f) for f in AUDIT_FIELDS})
    if changes:
        audit_record(
            actor=actor, action=AuditAction.INTERACTION_UPDATED, target=interaction, changes=changes
        )
    followup_for_interaction(actor=actor, interaction=interaction)
    if interaction.summary != before["summary"]:
        mentions_notify(
            actor=actor,
            customer=interaction.customer,
            text=interaction.summary,
            what=interaction.topic,
            before=before["summary"] or "",
        )
    return interaction


@transaction.atomic
def interaction_delete(*, actor: User, interaction: Interaction) -> None:
    customer = interaction.customer
    audit_record(
        actor=actor,
        action=AuditAction.INTERACTION_DELETED,
        target=interaction,
        changes=diff_fields({f: getattr(interaction, f) for f in AUDIT_FIELDS}, {}),
    )
    search_unindex("interaction", [interaction.pk])
    interaction.delete()
    _touch_customer(customer, actor)


# --- Behaviour events


@transaction.atomic
def events_ingest(
    *, actor: User, events: list[dict[str, Any]], customers: Any
) -> list[BehaviourEvent]:
    """Validate a whole batch, then store it; one bad event rejects the batch, naming its index.

    `customers` is the queryset of customers the caller may attach events to.
    """
    if len(events) > settings.KEHU_EVENT_BATCH_MAX:
        raise ValidationFailed(
            {
                "events": [
                    _("At most %(count)s events per batch.")
                    % {"count": settings.KEHU_EVENT_BATCH_MAX}
                ]
            }
        )
    numbers = {str(e.get("customer_no") or "").strip().upper() for e in events}
    externals = {str(e.get("external_id") or "").strip() for e in events}
    known = {
        c.customer_no: c
        for c in customers.filter(Q(customer_no__in=numbers) | Q(external_id__in=externals - {""}))
    }
    by_external = {c.external_id: c for c in known.values() if c.external_id}
    errors: dict[str, list[str]] = {}
    rows: list[BehaviourEvent] = []
    for index, raw in enumerate(events):
        prefix = f"events[{index}]."
        c = FieldCleaner(raw, prefix=prefix)
        c.field("kind", lambda t: parse_choice(t, EVENT_KIND_ALIASES))
        c.field("occurred_at", parse_datetime, empty=None)
        number = str(raw.get("customer_no") or "").strip().upper()
        external = str(raw.get("external_id") or "").strip()
        customer = known.get(number) or by_external.get(external)
        if customer is None:
            c.error("customer_no", _("No such customer."))
        if not c.values.get("kind") and f"{prefix}kind" not in c.errors:
            c.error("kind", _("The event kind is required."))
        if not c.values.get("occurred_at") and f"{prefix}occurred_at" not in c.errors:
            c.error("occurred_at", _("When did it happen?"))
        properties = raw.get("properties") or {}
        if not isinstance(properties, dict):
            c.error("properties", _("Properties must be an object."))
        contact = None
        if raw.get("contact_id") and customer is not None:
            contact = Contact.objects.filter(pk=raw["contact_id"], customer=customer).first()
            if contact is None:
                c.error("contact_id", _("This contact does not belong to the customer."))
        if c.errors:
            errors.update(c.errors)
            continue
        rows.append(
            BehaviourEvent(
                customer=customer,
                contact=contact,
                kind=c.values["kind"],
                occurred_at=c.values["occurred_at"],
                properties=properties,
            )
        )
    if errors:
        raise ValidationFailed(errors)
    created = BehaviourEvent.objects.bulk_create(rows, batch_size=500)
    audit_record(
        actor=actor,
        action=AuditAction.EVENTS_INGESTED,
        changes={"count": len(created)},
        note=f"{len(created)} behaviour events",
    )
    return created


# --- Merges: rows pointed at another customer or contact (kehu.dedupe's merge and its undo)


def _customer_numbers(ids: Iterable[int | None]) -> dict[int, str]:
    return dict(
        Customer.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "customer_no")
    )


@transaction.atomic
def interactions_move(*, actor: User, ids: Iterable[int], customer: Customer) -> list[int]:
    """Give these interactions to `customer` (a merge, or its undo): re-indexed under its name,
    one "interaction.moved" audit entry each. Returns the ids moved (gone ones are skipped).
    The customers' last-interaction times are the merge's to set (kehu.customers.services)."""
    rows = list(Interaction.objects.filter(pk__in=list(ids)).exclude(customer=customer))
    if not rows:
        return []
    numbers = _customer_numbers(row.customer_id for row in rows)
    Interaction.objects.filter(pk__in=[row.pk for row in rows]).update(customer=customer)
    entries = []
    for row in rows:
        old = numbers.get(row.customer_id)
        row.customer = customer
        search_index_interaction(row)
        entries.append(
            PendingEntry(
                action=AuditAction.INTERACTION_MOVED,
                target=row,
                changes={"customer": [old, customer.customer_no]},
            )
        )
    audit_record_many(actor=actor, entries=entries)
    return [row.pk for row in rows]


@transaction.atomic
def events_move(*, actor: User, ids: Iterable[int], customer: Customer) -> list[int]:
    """Give these behaviour events to `customer`; one audit entry for the batch (events are
    ingested in batches, not audited one by one)."""
    moved = list(
        BehaviourEvent.objects.filter(pk__in=list(ids))
        .exclude(customer=customer)
        .values_list("pk", flat=True)
    )
    if moved:
        BehaviourEvent.objects.filter(pk__in=moved).update(customer=customer)
        audit_record(
            actor=actor, action=AuditAction.EVENTS_MOVED, target=customer, changes={"events": moved}
        )
    return moved


@transaction.atomic
def interaction_contacts_move(
    *, actor: User, interactions: Iterable[int], events: Iterable[int], contact: Contact
) -> None:
    """Point these interactions and events at `contact`: two contacts of one person became one
    in a merge (or its undo points them back). Audited like any change of an interaction's
    contact."""
    rows = list(Interaction.objects.filter(pk__in=list(interactions)).exclude(contact=contact))
    if rows:
        Interaction.objects.filter(pk__in=[row.pk for row in rows]).update(contact=contact)
        audit_record_many(
            actor=actor,
            entries=[
                PendingEntry(
                    action=AuditAction.INTERACTION_UPDATED,
                    target=row,
                    changes={"contact_id": [row.contact_id, contact.pk]},
                )
                for row in rows
            ],
        )
    event_ids = list(
        BehaviourEvent.objects.filter(pk__in=list(events))
        .exclude(contact=contact)
        .values_list("pk", flat=True)
    )
    if event_ids:
        BehaviourEvent.objects.filter(pk__in=event_ids).update(contact=contact)
        audit_record(
            actor=actor,
            action=AuditAction.EVENTS_MOVED,
            target=contact,
            changes={"events": event_ids, "contact_id": [None, contact.pk]},
        )


@transaction.atomic
def interactions_bulk_add(*, interactions: list[Interaction]) -> int:
    """Insert interactions of new customers (the training sandbox), numbered by the caller
    (HD + customer number + sequence): the HD counters follow, the customers get their last
    interaction, and the search index its entries."""
    Interaction.objects.bulk_create(interactions, batch_size=2000)
    last: dict[str, int] = {}
    latest: dict[int, Any] = {}
    for interaction in interactions:
        key = interaction.interaction_no[:-4]
        last[key] = max(last.get(key, 0), int(interaction.interaction_no[-4:]))
        current = latest.get(interaction.customer_id)
        if current is None or interaction.occurred_at > current:
            latest[interaction.customer_id] = interaction.occurred_at
    sequences_set(last)
    customers_last_interaction_set(latest)
    search_index_bulk(interaction_document(i, customer=i.customer) for i in interactions)
    return len(interactions)


@transaction.atomic
def events_bulk_add(*, events: list[BehaviourEvent]) -> int:
    """Insert behaviour events of new customers (the training sandbox)."""
    BehaviourEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


# --- Erasure (issue 19): what was said with or about a person goes, the dated record stays.


@transaction.atomic
def interactions_anonymise(
    *, customer_id: int, contact_ids: Iterable[int] | None, tombstone: str
) -> int:
    """Anonymise the texts of the customer's interactions (only those with the given contacts
    unless None), of its follow-ups and behaviour events (when the whole customer goes)."""
    interactions = Interaction.objects.select_for_update().filter(customer_id=customer_id)
    if contact_ids is not None:
        interactions = interactions.filter(contact_id__in=list(contact_ids))
    anonymised: list[int] = []
    for interaction in interactions:
        for field in ("topic", "summary", "next_action"):
            if getattr(interaction, field):
                setattr(interaction, field, tombstone)
        interaction.save(update_fields=["topic", "summary", "next_action"])
        search_index_interaction(interaction)
        anonymised.append(interaction.pk)
    # A task's title is what was typed as the next action (or by hand): the whole customer's
    # tasks lose their texts, a contact's those made from the interactions with them.
    tasks = FollowUp.objects.filter(customer_id=customer_id)
    if contact_ids is not None:
        tasks = tasks.filter(interaction_id__in=anonymised)
    tasks.update(title=tombstone)
    tasks.exclude(note="").update(note=tombstone)
    if contact_ids is None:
        BehaviourEvent.objects.filter(customer_id=customer_id).update(properties={})
    return len(anonymised)


@transaction.atomic
def follow_ups_scrub(
    *, customer_ids: Iterable[int], identifiers: Iterable[str], tombstone: str
) -> int:
    """The tasks of these customers whose title or note names the erased person (their name,
    phone, e-mail, ...) lose that text; returns how many tasks changed."""
    forms = identifier_forms(identifiers)
    if not forms:
        return 0
    naming = Q()
    for form in forms:
        naming |= Q(title__icontains=form) | Q(note__icontains=form)
    changed = 0
    tasks = FollowUp.objects.select_for_update().filter(naming, customer_id__in=list(customer_ids))
    for task in tasks:
        fields = [f for f in ("title", "note") if text_names(getattr(task, f), forms)]
        for field in fields:
            setattr(task, field, tombstone)
        if fields:
            task.save(update_fields=fields)
            changed += 1
    return changed
