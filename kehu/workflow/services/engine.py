"""The rule engine: event rules read the change log after a cursor; time rules test every
customer (or task, or opportunity) in one query per rule. A rule fires once per (rule, target,
occurrence): an occurrence is an audit entry for an event rule and the moment the state began
for a time rule (the last touch, the day a task fell due), so it fires again only after the
state has ended and begun anew.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.core.middleware import current_source, set_source
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp
from kehu.opportunities.models import Opportunity

from ..conditions import conditions_q, customer_matches
from ..models import EventCursor, Rule, RuleFiring, Webhook
from .actions import Target, action_apply, batch_of, batch_returns_apply
from .webhooks import deliveries_for_entry

logger = logging.getLogger(__name__)
# A stored condition whose value its field cannot hold (saved before conditions were checked)
UNTESTABLE = (ValidationError, ValueError, TypeError)

Trigger = Rule.Trigger
CURSOR_KEY = "workflow-events"
EVENT_BATCH = 200  # entries per transaction: on SQLite the cursor's lock holds every writer
EVENT_LIMIT = 50_000  # entries per task run; the task queues itself again for the rest
TIME_BATCH = 500
CLOSED_STAGES = (Opportunity.Stage.WON, Opportunity.Stage.LOST)
EVENT_TRIGGERS = (
    Trigger.STATUS_CHANGED,
    Trigger.STAGE_CHANGED,
    Trigger.CUSTOMER_CREATED,
    Trigger.FIELD_CHANGED,
    Trigger.LIFECYCLE_CHANGED,
)
STAGE_ACTIONS = ("opportunity.stage_changed", AuditAction.OPPORTUNITY_UPDATED.value)
POOL_ENTRY_ACTIONS = (
    AuditAction.CUSTOMER_CREATED.value,
    AuditAction.CUSTOMER_RETURNED.value,
    AuditAction.CUSTOMER_POOLED.value,
)


# --- Targets


def _customer_link(customer: Customer) -> str:
    return reverse("customer-detail", args=[customer.customer_no])


def customer_target(customer: Customer) -> Target:
    return Target(
        obj=customer,
        customer=customer,
        owner_id=customer.owner_id,
        label=f"{customer.name}（{customer.customer_no}）",
        link=_customer_link(customer),
    )


def opportunity_target(opportunity: Opportunity) -> Target:
    customer = opportunity.customer
    return Target(
        obj=opportunity,
        customer=customer,
        owner_id=opportunity.owner_id,
        label=f"{opportunity.title}（{customer.name}）",
        link=_customer_link(customer),
    )


def task_target(task: FollowUp) -> Target:
    customer = task.customer
    return Target(
        obj=task,
        customer=customer,
        owner_id=task.owner_id,
        label=f"{task.title}（{customer.name}）",
        link=_customer_link(customer),
    )


# --- Firing


def rule_fire(
    rule: Rule,
    target: Target,
    *,
    occurrence: str,
    state_at: datetime | None = None,
    state_on: date | None = None,
) -> bool:
    """Fire `rule` on `target` once for `occurrence`: record the firing, apply the actions (in
    one savepoint: an action that fails undoes the others and is noted), keep the rule's
    "last fired". False when it fired for this occurrence already."""
    obj = target.obj
    try:
        with transaction.atomic():
            firing = RuleFiring.objects.create(
                rule=rule,
                target_type=obj._meta.label_lower,
                target_id=obj.pk,
                occurrence=occurrence[:64],
                state_at=state_at,
                state_on=state_on,
                customer_id=target.customer.pk if target.customer else None,
            )
    except IntegrityError:
        return False
    notes: list[str] = []
    source = current_source()
    try:
        set_source(AuditEntry.Source.RULE)  # what the actions write is the rule's doing
        with transaction.atomic():
            for action in rule.actions:
                note = action_apply(rule.name, action, target)
                if note:
                    notes.append(note)
    except Exception as exc:  # one target's failure never stops the others
        logger.warning("Rule %s on %s failed: %s", rule.pk, target.label, exc)
        notes = [f"failed: {exc}"]
    finally:
        set_source(source)
    RuleFiring.objects.filter(pk=firing.pk).update(outcome="; ".join(notes)[:300])
    Rule.objects.filter(pk=rule.pk).update(
        fire_count=F("fire_count") + 1,
        last_fired_at=timezone.now(),
        last_fired_label=target.label[:255],
        last_fired_link=target.link[:300],
    )
    return True


# --- Event rules: the change log after the cursor


def _change(entry: AuditEntry, field: str) -> list[Any] | None:
    value = (entry.changes or {}).get(field)
    return value if isinstance(value, list) and len(value) == 2 else None


def _ends_match(change: list[Any], params: dict[str, Any]) -> bool:
    before, after = change
    return (not params.get("from") or before == params["from"]) and (
        not params.get("to") or after == params["to"]
    )


def event_matches(rule: Rule, entry: AuditEntry) -> bool:
    """Does this audit entry trigger this event rule (conditions aside)?"""
    action, params = entry.action, rule.params or {}
    if rule.trigger == Trigger.CUSTOMER_CREATED:
        return action == AuditAction.CUSTOMER_CREATED
    if rule.trigger == Trigger.STATUS_CHANGED:
        change = _change(entry, "status")
        return (
            action == AuditAction.CUSTOMER_UPDATED
            and change is not None
            and _ends_match(change, params)
        )
    if rule.trigger == Trigger.LIFECYCLE_CHANGED:  # kehu.value's recomputation (issue 17)
        change = _change(entry, "lifecycle")
        return (
            action == AuditAction.VALUE_LIFECYCLE_CHANGED
            and change is not None
            and _ends_match(change, params)
        )
    if rule.trigger == Trigger.STAGE_CHANGED:
        change = _change(entry, "stage")
        return action in STAGE_ACTIONS and change is not None and _ends_match(change, params)
    if rule.trigger == Trigger.FIELD_CHANGED:
        if action != AuditAction.CUSTOMER_UPDATED:
            return False
        field = params.get("field")
        return bool(entry.changes) and (not field or field in (entry.changes or {}))
    return False


def _entry_target(entry: AuditEntry) -> Target | None:
    if entry.target_type == "opportunities.opportunity":
        opportunity = (
            Opportunity.objects.select_related("customer").filter(pk=entry.target_id).first()
        )
        return opportunity_target(opportunity) if opportunity else None
    customer = Customer.objects.filter(pk=entry.customer_id).first() if entry.customer_id else None
    return customer_target(customer) if customer else None


def _cursor_locked() -> EventCursor:
    EventCursor.objects.get_or_create(key=CURSOR_KEY)
    return EventCursor.objects.select_for_update().get(key=CURSOR_KEY)


def events_process(*, limit: int = EVENT_LIMIT) -> int:
    """Evaluate event rules and webhook subscriptions on the log's entries after the cursor, in
    batches, each batch in one transaction holding the cursor row (SELECT … FOR UPDATE; on
    SQLite the IMMEDIATE transaction), so that several workers take each entry exactly once.
    Entries a rule wrote (source "rule") trigger no rule (no loops), but go to webhooks."""
    done = 0
    while done < limit:
        with transaction.atomic():
            cursor = _cursor_locked()
            entries = list(
                AuditEntry.objects.filter(seq__gt=cursor.last_seq).order_by("seq")[:EVENT_BATCH]
            )
            if not entries:
                break
            rules = list(Rule.objects.filter(is_enabled=True, trigger__in=EVENT_TRIGGERS))
            webhooks = list(Webhook.objects.filter(is_enabled=True))
            for entry in entries:
                if entry.source != AuditEntry.Source.RULE:
                    _rules_on_entry(rules, entry)
                if webhooks:
                    deliveries_for_entry(webhooks, entry)
            cursor.last_seq = entries[-1].seq
            cursor.save(update_fields=["last_seq", "updated_at"])
        done += len(entries)
    return done


def _rules_on_entry(rules: list[Rule], entry: AuditEntry) -> None:
    matching = [rule for rule in rules if event_matches(rule, entry)]
    if not matching:
        return
    target = _entry_target(entry)
    if target is None:
        return
    target.event, target.audit_seq = entry.action, entry.seq
    for rule in matching:
        customer_id = target.customer.pk if target.customer else None
        try:
            matches = customer_matches(customer_id, rule.conditions)
        except UNTESTABLE as exc:  # one rule's bad condition never holds up the log
            logger.warning("Rule %s: its conditions cannot be tested: %s", rule.pk, exc)
            continue
        if matches:
            rule_fire(rule, target, occurrence=f"seq:{entry.seq}")


# --- Time rules: one query per rule over all customers


def _customers(rule: Rule) -> QuerySet[Customer]:
    return (
        Customer.objects.filter(conditions_q(rule.conditions))
        if rule.conditions
        else (Customer.objects.all())
    )


def _not_fired(rule: Rule, model_label: str, state: str, column: str) -> Exists:
    return Exists(
        RuleFiring.objects.filter(
            rule=rule,
            target_type=model_label,
            target_id=OuterRef("pk"),
            **{column: OuterRef(state)},
        )
    )


def no_interaction_candidates(rule: Rule, now: datetime) -> QuerySet[Customer]:
    """Owned customers whose last interaction (else their creation) is older than N days."""
    cutoff = now - timedelta(days=rule.params.get("days", 90))
    return (
        _customers(rule)
        .filter(owner__isnull=False)
        .annotate(state=Coalesce("last_interaction_at", "created_at"))
        .filter(state__lt=cutoff)
        .exclude(_not_fired(rule, "customers.customer", "state", "state_at"))
    )


def lead_unclaimed_candidates(rule: Rule, now: datetime) -> QuerySet[Customer]:
    """Customers in a team pool (a team, no owner) since more than N hours: since the last
    time they were created, returned or put into the pool (from the change log)."""
    cutoff = now - timedelta(hours=rule.params.get("hours", 48))
    pooled = (
        AuditEntry.objects.filter(customer_id=OuterRef("pk"), action__in=POOL_ENTRY_ACTIONS)
        .order_by("-id")
        .values("created_at")[:1]
    )
    return (
        _customers(rule)
        .filter(owner__isnull=True, team__isnull=False)
        .annotate(state=Coalesce(Subquery(pooled), "created_at"))
        .filter(state__lt=cutoff)
        .exclude(_not_fired(rule, "customers.customer", "state", "state_at"))
    )


def task_overdue_candidates(rule: Rule, today: date) -> QuerySet[FollowUp]:
    cutoff = today - timedelta(days=rule.params.get("days", 0))
    tasks = FollowUp.objects.filter(done_at__isnull=True, due_date__lt=cutoff)
    if rule.conditions:
        tasks = tasks.filter(customer__in=_customers(rule).values("pk"))
    return tasks.annotate(state=F("due_date")).exclude(
        _not_fired(rule, "interactions.followup", "state", "state_on")
    )


def opportunity_overdue_candidates(rule: Rule, today: date) -> QuerySet[Opportunity]:
    cutoff = today - timedelta(days=rule.params.get("days", 0))
    opportunities = Opportunity.objects.exclude(stage__in=CLOSED_STAGES).filter(
        expected_close_date__lt=cutoff
    )
    if rule.conditions:
        opportunities = opportunities.filter(customer__in=_customers(rule).values("pk"))
    return opportunities.annotate(state=F("expected_close_date")).exclude(
        _not_fired(rule, "opportunities.opportunity", "state", "state_on")
    )


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), TIME_BATCH):
        yield ids[start : start + TIME_BATCH]


def _fire_all(rule: Rule, rows: Iterable[tuple[int, Any]], model: str) -> int:
    """Fire the rule on each (id, state) row, a batch of targets per transaction; a batch whose
    bulk returns to the pool fail is undone whole (its firings too) and tried on the next tick."""
    states = dict(rows)
    fired = 0
    for ids in _chunks(sorted(states)):
        try:
            with transaction.atomic():
                fired += _fire_chunk(rule, ids, states, model)
        except Exception as exc:  # one batch never stops the others
            logger.warning("Rule %s: a batch failed, tried again next tick: %s", rule.pk, exc)
    return fired


def _fire_chunk(rule: Rule, ids: list[int], states: dict[int, Any], model: str) -> int:
    targets: list[Target]
    if model == "customer":
        targets = [customer_target(c) for c in Customer.objects.filter(pk__in=ids)]
    elif model == "task":
        tasks = FollowUp.objects.select_related("customer").filter(pk__in=ids)
        targets = [task_target(task) for task in tasks]
    else:
        opportunities = Opportunity.objects.select_related("customer").filter(pk__in=ids)
        targets = [opportunity_target(o) for o in opportunities]
    customer_ids = [t.customer.pk for t in targets if t.customer is not None]
    with batch_of(customer_ids) as batch:
        fired = _fire_batch(rule, targets, states)
        source = current_source()
        try:
            set_source(AuditEntry.Source.RULE)
            batch_returns_apply(batch)
        finally:
            set_source(source)
    return fired


def _fire_batch(rule: Rule, targets: list[Target], states: dict[int, Any]) -> int:
    fired = 0
    for target in targets:
        state = states[target.obj.pk]
        is_moment = isinstance(state, datetime)
        fired += rule_fire(
            rule,
            target,
            occurrence=state.isoformat(),
            state_at=state if is_moment else None,
            state_on=None if is_moment else state,
        )
    return fired


def _id_and_state(rows: QuerySet[Any]) -> list[tuple[int, Any]]:
    """(id, state) of each candidate: the state ("state" annotation) is the occurrence."""
    values: Any = rows.order_by()
    return list(values.values_list("pk", "state"))


def _time_candidates(rule: Rule, now: datetime, today: date) -> tuple[list[Any], str]:
    """The (id, state) rows a time rule would fire on, and their model."""
    rows: QuerySet[Any]
    if rule.trigger == Trigger.NO_INTERACTION:
        rows, model = no_interaction_candidates(rule, now), "customer"
    elif rule.trigger == Trigger.LEAD_UNCLAIMED:
        rows, model = lead_unclaimed_candidates(rule, now), "customer"
    elif rule.trigger == Trigger.TASK_OVERDUE:
        rows, model = task_overdue_candidates(rule, today), "task"
    else:
        rows, model = opportunity_overdue_candidates(rule, today), "opportunity"
    return _id_and_state(rows), model


def time_rules_run(*, now: datetime | None = None) -> dict[str, int]:
    """Every enabled time rule once: {rule id as text: how many targets it fired on}."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counts: dict[str, int] = {}
    for rule in Rule.objects.filter(is_enabled=True).exclude(trigger__in=EVENT_TRIGGERS):
        try:
            candidates, model = _time_candidates(rule, now, today)
        except UNTESTABLE as exc:  # a value the field cannot hold: this rule only
            logger.warning("Rule %s: its conditions cannot be tested: %s", rule.pk, exc)
            continue
        counts[str(rule.pk)] = _fire_all(rule, candidates, model)
    return counts


def workflow_tick(*, now: datetime | None = None) -> dict[str, int]:
    """What the worker runs periodically: the events not yet seen, then the time rules."""
    events = events_process()
    counts = time_rules_run(now=now)
    return {"events": events, "fired": sum(counts.values())}
