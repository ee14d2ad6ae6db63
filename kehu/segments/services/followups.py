"""A segment's recurring follow-up rule: "reps must follow up this segment weekly".

Once per period (weekly, every two weeks, monthly) the rule makes a task for each customer of
the segment that the segment's owner may change (a rep: their own; a manager: their team's; an
administrator: all), assigned to the customer's owner, unless a task of this rule is still
open for that customer. The tasks are inserted in batches (interactions' followups_bulk_create,
one audit entry each) with a link row each (SegmentTask); the segment notes the period it did,
so a second run in the period does nothing. The worker runs it every
KEHU_SEGMENT_FOLLOWUP_SECONDS (tasks.py), or cron: `kehu segments_followup`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kehu.accounts.models import Role, User
from kehu.accounts.policy import scope_for
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_filter
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups_bulk import followups_bulk_create

from ..models import Segment, SegmentTask
from ..validators import segment_params

logger = logging.getLogger(__name__)

# Roles whose segments may carry a rule: those who change customers (the tasks go to the
# owners of the customers the segment's owner may change).
FOLLOWUP_ROLES = frozenset({Role.REP, Role.MANAGER, Role.STEWARD, Role.ADMIN})
EPOCH = date(2024, 1, 1)  # a Monday: every-two-weeks periods count from here
BATCH = 2000
SOURCE = "segment_rule"


def period_start(cadence: str, today: date) -> date:
    """The first day of the period `today` falls in."""
    if cadence == Segment.Cadence.MONTHLY:
        return today.replace(day=1)
    monday = today - timedelta(days=today.weekday())
    if cadence == Segment.Cadence.BIWEEKLY:
        return monday - timedelta(days=7 * (((monday - EPOCH).days // 7) % 2))
    return monday


def segments_followup_run(*, now: datetime | None = None) -> dict[str, int]:
    """Every segment with a rule whose period has not been done yet: its tasks."""
    today = timezone.localdate(now or timezone.now())
    done = {"segments": 0, "tasks": 0, "failed": 0}
    pending = Segment.objects.exclude(followup_cadence="").order_by("pk")
    for segment in pending.select_related("owner"):
        period = period_start(segment.followup_cadence, today)
        if segment.followup_period == period:
            continue
        try:
            created = segment_followup_generate(segment_id=segment.pk, today=today)
        except ValidationFailed as exc:  # the filter no longer holds (a tag was deleted)
            logger.warning("Segment %s: its filter failed: %s", segment.pk, exc.errors)
            done["failed"] += 1
            continue
        if created is not None:
            done["segments"] += 1
            done["tasks"] += created
    return done


@transaction.atomic
def segment_followup_generate(*, segment_id: int, today: date) -> int | None:
    """This period's tasks of one segment; None when the period is done already (another run
    got there first: the segment row is locked while it works)."""
    segment = Segment.objects.select_for_update().select_related("owner").get(pk=segment_id)
    if not segment.followup_cadence:
        return None
    period = period_start(segment.followup_cadence, today)
    if segment.followup_period == period:
        return None
    owner = segment.owner
    created = 0
    if owner.is_active and owner.role in FOLLOWUP_ROLES:
        created = _generate(segment, owner, period, today)
    segment.followup_period = period
    segment.save(update_fields=["followup_period"])
    audit_record(
        actor=None,
        action=AuditAction.SEGMENT_FOLLOWUPS_CREATED,
        target=segment,
        changes={"period": period.isoformat(), "tasks": created},
        source=SOURCE,
    )
    return created


def _generate(segment: Segment, owner: User, period: date, today: date) -> int:
    customers = customer_filter(
        scope_for(owner, Customer.objects.all(), for_write=True),
        {**segment_params(segment.query), "_user": owner},
    )
    open_tasks = SegmentTask.objects.filter(segment=segment, follow_up__done_at__isnull=True)
    rows = list(
        customers.filter(owner__isnull=False, owner__is_active=True)
        .exclude(pk__in=open_tasks.values("customer_id"))
        .order_by("pk")
        .values_list("pk", "owner_id")
    )
    owners = {u.pk: u for u in User.objects.filter(pk__in={o for _c, o in rows})}
    due = today + timedelta(days=segment.followup_due_days)
    created = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        tasks = [
            FollowUp(
                customer_id=customer_id,
                owner=owners[owner_id],
                kind=FollowUp.Kind.OTHER,
                title=segment.followup_title,
                note=segment.name,
                due_date=due,
            )
            for customer_id, owner_id in chunk
        ]
        made = followups_bulk_create(actor=None, tasks=tasks, source=SOURCE)
        SegmentTask.objects.bulk_create(
            [
                SegmentTask(
                    segment=segment, follow_up=task, customer_id=task.customer_id, period=period
                )
                for task in made
            ],
            batch_size=BATCH,
        )
        created += len(made)
    return created
