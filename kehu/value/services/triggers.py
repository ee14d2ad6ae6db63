"""Behaviour triggers: at least min_count events of a kind within window_days (optionally only
for customers at a lifecycle stage) create a review task for the owner, linked to the event
that completed the count; once per trigger window (no second firing for the same trigger and
customer on an event less than window_days after the one that fired).

Evaluated when events arrive (the audit log's listener queues a run over the new events) and
nightly over the last window; both load the candidates' events in one query per trigger."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.interactions.models import BehaviourEvent, FollowUp
from kehu.interactions.services.followups import followup_create

from ..models import BehaviourTrigger, TriggerFiring


def _fire(
    trigger: BehaviourTrigger, customer: Customer, event: BehaviourEvent, now: datetime
) -> None:
    with transaction.atomic():
        TriggerFiring.objects.create(
            trigger=trigger,
            customer=customer,
            event=event,
            event_at=event.occurred_at,
            fired_at=now,
        )
        if customer.owner_id is None:
            return
        try:
            followup_create(
                actor=None,
                customer=customer,
                kind=FollowUp.Kind.OTHER,
                title=f"{trigger.task_title}: {customer.name}",
                note=trigger.name,
                due_date=timezone.localdate(now),
                event=event,
                source=AuditEntry.Source.RULE,
            )
        except ValidationFailed:
            pass


def trigger_evaluate(
    trigger: BehaviourTrigger, *, now: datetime, since_id: int | None = None
) -> int:
    window = timedelta(days=trigger.window_days)
    events = BehaviourEvent.objects.filter(kind=trigger.event_kind, occurred_at__lte=now)
    recent = (
        events.filter(pk__gt=since_id)
        if since_id is not None
        else events.filter(occurred_at__gte=now - window - timedelta(days=1))
    )
    customers = Customer.objects.filter(pk__in=recent.values("customer_id"))
    if trigger.lifecycle:
        customers = customers.filter(value__lifecycle=trigger.lifecycle)
    customers_by_id = {c.pk: c for c in customers.select_related("owner")}
    if not customers_by_id:
        return 0
    earliest = recent.filter(customer_id__in=customers_by_id).order_by("occurred_at").first()
    if earliest is None:
        return 0
    fired_until = dict(
        TriggerFiring.objects.filter(trigger=trigger, customer_id__in=customers_by_id)
        .values("customer_id")
        .annotate(last=Max("event_at"))
        .values_list("customer_id", "last")
    )
    by_customer: dict[int, list[BehaviourEvent]] = defaultdict(list)
    for event in events.filter(
        customer_id__in=customers_by_id, occurred_at__gte=earliest.occurred_at - window
    ).order_by("customer_id", "occurred_at", "id"):
        by_customer[event.customer_id].append(event)
    fired = 0
    for customer_id, rows in by_customer.items():
        last = fired_until.get(customer_id)
        first = 0
        for i, event in enumerate(rows):
            while rows[first].occurred_at < event.occurred_at - window:
                first += 1
            if i - first + 1 < trigger.min_count:
                continue
            if last is not None and event.occurred_at - last < window:
                continue
            _fire(trigger, customers_by_id[customer_id], event, now)
            last = event.occurred_at
            fired += 1
    return fired


def triggers_run(*, now: datetime | None = None, since_id: int | None = None) -> int:
    now = now or timezone.now()
    return sum(
        trigger_evaluate(trigger, now=now, since_id=since_id)
        for trigger in BehaviourTrigger.objects.filter(is_enabled=True)
    )
