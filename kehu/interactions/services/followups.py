"""Follow-up tasks (跟进任务): the one write path (create, reassign, complete, close, move).

People create them (a next action), and so do the freshness rules (complete the information,
verify the customer). Reminders and workflows will build on the same two services.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.assignees import assert_assignable, clean_user_field, may_work_on
from kehu.accounts.mentions import mentions_notify
from kehu.accounts.models import User
from kehu.accounts.services import notification_send
from kehu.audit.actions import AuditAction
from kehu.audit.services import PendingEntry, audit_record, audit_record_many
from kehu.core.cleaning import FieldCleaner
from kehu.core.company import company_settings
from kehu.core.errors import InvalidTransition
from kehu.core.validators import build_aliases, parse_choice, parse_date, parse_datetime
from kehu.customers.models import Customer

from ..models import BehaviourEvent, FollowUp

if TYPE_CHECKING:
    from ..models import Interaction

# A task due on a day without a time is reminded at this hour of that day (the assignee's zone).
REMIND_HOUR = 9
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")

KIND_ALIASES = build_aliases(
    FollowUp.Kind,
    {
        "complete_info": ["补全信息", "补全"],
        "verify": ["验证客户", "验证"],
        "next_action": ["下一步", "下一步行动", "跟进"],
        "visit": ["拜访"],
        "meeting": ["会议", "开会"],
        "other": ["其他"],
    },
)


# --- Writes


def parse_time_of_day(raw: str) -> time:
    """'14:30' (or 14：30) as a time of day."""
    match = _TIME.match(raw.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise DjangoValidationError(_("Enter a time such as 14:30."), code="invalid_time")
    return time(int(match.group(1)), int(match.group(2)))


def _clean_due(c: FieldCleaner) -> None:
    """due_date, due_time (local, with due_date) and due_at (a moment) into c.values: due_at
    wins and sets due_date; a time without a day is an error."""
    c.field("due_date", parse_date, empty=None)
    c.field("due_time", parse_time_of_day, empty=None)
    c.field("due_at", parse_datetime, empty=None)
    due_time = c.values.pop("due_time", None)
    if due_time is not None and "due_at" not in c.values:
        day = c.values.get("due_date")
        if day is None:
            c.error("due_time", _("Give the day too."))
        else:
            c.values["due_at"] = timezone.make_aware(datetime.combine(day, due_time))
    if c.values.get("due_at") is not None:
        c.values["due_date"] = timezone.localdate(c.values["due_at"])
    elif "due_date" in c.values and c.has("due_date") and "due_at" not in c.values:
        c.values["due_at"] = None  # a new day without a time: an all-day task


def followup_clean(data: dict[str, Any], *, creating: bool = True) -> dict[str, Any]:
    """Validate a task payload (kind and title required when creating; note, due_date, due_time,
    due_at, owner); raise ValidationFailed naming every field that is wrong."""
    c = FieldCleaner(data)
    c.field("kind", lambda text: parse_choice(text, KIND_ALIASES))
    if creating and not c.values.get("kind") and "kind" not in c.errors:
        kinds = "、".join(str(label) for label in FollowUp.Kind.labels)
        c.error("kind", _("Choose the kind of task: %(kinds)s.") % {"kinds": kinds})
    c.field("title", max_length=200)
    if (creating or c.has("title")) and not c.values.get("title") and "title" not in c.errors:
        c.error("title", _("Say what is to be done."))
    c.field("note", max_length=2000)
    _clean_due(c)
    if c.has("owner") and c.raw("owner"):
        clean_user_field(c, "owner")
    elif c.has("owner") and not creating:
        c.error("owner", _("Choose whom the task is for."))
    c.raise_if_errors()
    return c.values


def followup_remind_at(task: FollowUp) -> datetime | None:
    """When the task's reminder fires: its time, else REMIND_HOUR on its day in the assignee's
    time zone (the company's when they chose none); None without a due day."""
    if task.due_at is not None:
        return task.due_at
    if task.due_date is None:
        return None
    zone_name = (task.owner.time_zone if task.owner else "") or company_settings().time_zone
    moment = datetime.combine(task.due_date, time(REMIND_HOUR))
    return timezone.make_aware(moment, ZoneInfo(zone_name))


@transaction.atomic
def followup_create(
    *,
    actor: User | None,
    customer: Customer,
    kind: str,
    title: str,
    owner: User | None = None,
    due_date: date | None = None,
    due_at: datetime | None = None,
    note: str = "",
    interaction: Interaction | None = None,
    source: str | None = None,
    event: BehaviourEvent | None = None,
) -> FollowUp:
    """A task for `owner` (default: the customer's owner), who must work on the customer
    (kehu.accounts.assignees); one audit entry. @mentions in the note notify those colleagues."""
    assert_assignable(customer, owner=owner)
    task = FollowUp(
        customer=customer,
        owner=owner if owner is not None else customer.owner,
        kind=kind,
        title=title[:200],
        note=note,
        due_date=timezone.localdate(due_at) if due_at is not None else due_date,
        due_at=due_at,
        interaction=interaction,
        event=event,
        created_by=actor,
    )
    task.remind_at = followup_remind_at(task)
    task.save()
    changes: dict[str, Any] = {"kind": kind, "title": task.title, "owner": str(task.owner or "")}
    if task.due_date is not None:
        changes["due_date"] = task.due_date.isoformat()
    audit_record(
        actor=actor,
        action=AuditAction.FOLLOWUP_CREATED,
        target=task,
        changes=changes,
        source=source,
    )
    if note and actor is not None:
        mentions_notify(actor=actor, customer=customer, text=note, what=task.title)
    return task


def _due_text(task: FollowUp) -> str:
    if task.due_at is not None:
        return timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
    return task.due_date.isoformat() if task.due_date else ""


@transaction.atomic
def followup_update(
    *, actor: User, follow_up: FollowUp, values: dict[str, Any], source: str | None = None
) -> FollowUp:
    """Change a task (followup_clean(creating=False)'s values): a new assignee is a
    reassignment ("followup.reassigned", the new assignee is told), a new due day or time a
    snooze ("followup.snoozed", the reminder fires again), title, note or kind a change
    ("followup.updated"). A done task is not changed (InvalidTransition)."""
    task = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("owner", "customer")
        .get(pk=follow_up.pk)
    )
    if task.done_at is not None:
        raise InvalidTransition(_("This task is done already."))
    owner = values.get("owner")
    if owner is not None and owner.pk != task.owner_id:
        assert_assignable(task.customer, owner=owner)
        audit_record(
            actor=actor,
            action=AuditAction.FOLLOWUP_REASSIGNED,
            target=task,
            changes={"owner": [str(task.owner or ""), str(owner)]},
            source=source,
        )
        task.owner = owner
        if owner.pk != actor.pk:
            notification_send(
                users=[owner],
                message=_("%(user)s gave you a task: %(title)s (%(customer)s).")
                % {"user": actor.label, "title": task.title, "customer": task.customer.name},
                link=f"/customers/{task.customer.customer_no}/#tasks",
            )
    if "due_date" in values or "due_at" in values:
        before = _due_text(task)
        if "due_date" in values:
            task.due_date = values["due_date"]
        task.due_at = values.get("due_at")
        if task.due_date is None:
            task.due_at = None
        after = _due_text(task)
        if after != before:
            task.reminded_at = None  # a new time: remind again
            audit_record(
                actor=actor,
                action=AuditAction.FOLLOWUP_SNOOZED,
                target=task,
                changes={"due_date": [before, after]},
                source=source,
            )
    changes = {
        key: [getattr(task, key), values[key]]
        for key in ("kind", "title", "note")
        if key in values and values[key] is not None and values[key] != getattr(task, key)
    }
    for key, (_before, after) in changes.items():
        setattr(task, key, after)
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.FOLLOWUP_UPDATED,
            target=task,
            changes=changes,
            source=source,
        )
    task.remind_at = followup_remind_at(task)
    task.save()
    if "note" in changes:
        mentions_notify(actor=actor, customer=task.customer, text=task.note, what=task.title)
    return task


def followup_for_interaction(*, actor: User | None, interaction: Interaction) -> FollowUp | None:
    """The interaction's next action as its task (kind next_action), once: what (next_action),
    who (next_action_owner, else whoever performed it, else the customer's owner), when
    (next_action_due). Logging it creates the task; changing the interaction changes the open
    task to match; a done task stays as it was; no next action, no task."""
    existing = FollowUp.objects.filter(
        interaction=interaction, kind=FollowUp.Kind.NEXT_ACTION
    ).first()
    if not interaction.next_action:
        return existing
    customer = interaction.customer
    owner = interaction.next_action_owner or interaction.performed_by or customer.owner
    if owner is not None and not may_work_on(owner, customer):
        owner = customer.owner
    title = interaction.next_action[:200]
    if existing is None:
        return followup_create(
            actor=actor,
            customer=customer,
            kind=FollowUp.Kind.NEXT_ACTION,
            title=title,
            owner=owner,
            due_date=interaction.next_action_due,
            interaction=interaction,
        )
    if existing.done_at is not None or actor is None:
        return existing
    values: dict[str, Any] = {}
    if existing.title != title:
        values["title"] = title
    if owner is not None and owner.pk != existing.owner_id:
        values["owner"] = owner
    if existing.due_date != interaction.next_action_due:
        values["due_date"] = interaction.next_action_due
    if not values:
        return existing
    return followup_update(actor=actor, follow_up=existing, values=values)


@transaction.atomic
def followups_reassign(
    *, actor: User, plan: Mapping[int, User | None], note: str = "", source: str | None = None
) -> int:
    """Give each task of `plan` ({task id: new assignee, or None}) its new assignee in bulk (a
    hand-over, the team pool): one UPDATE per assignee and one "followup.reassigned" audit
    entry each, in the caller's transaction. Returns how many changed."""
    tasks = list(
        FollowUp.objects.select_for_update(of=("self",))
        .filter(pk__in=list(plan))
        .select_related("owner")
        .order_by("pk")
    )
    groups: dict[int | None, list[int]] = {}
    entries = []
    for task in tasks:
        owner = plan[task.pk]
        owner_id = owner.pk if owner is not None else None
        if owner_id == task.owner_id:
            continue
        groups.setdefault(owner_id, []).append(task.pk)
        entries.append(
            PendingEntry(
                action=AuditAction.FOLLOWUP_REASSIGNED,
                target=task,
                changes={"owner": [str(task.owner or ""), str(owner or "")]},
                note=note,
            )
        )
    for owner_id, ids in groups.items():
        FollowUp.objects.filter(pk__in=ids).update(owner_id=owner_id)
    audit_record_many(actor=actor, entries=entries, source=source)
    return len(entries)


@transaction.atomic
def followup_complete(
    *, actor: User | None, follow_up: FollowUp, note: str = "", source: str | None = None
) -> FollowUp:
    """Mark the task done (once: completing a done task is an InvalidTransition)."""
    task = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if task.done_at is not None:
        raise InvalidTransition(_("This task is done already."))
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by"])
    if note and actor is not None:
        mentions_notify(actor=actor, customer=task.customer, text=note, what=task.title)
    audit_record(
        actor=actor, action=AuditAction.FOLLOWUP_COMPLETED, target=task, note=note, source=source
    )
    return task


def followup_close_open(
    *, actor: User | None, customer_id: int, kind: str, note: str, source: str | None = None
) -> int:
    """Complete every open task of this kind on the customer (the reason for it went away)."""
    closed = 0
    for task in FollowUp.objects.filter(customer_id=customer_id, kind=kind, done_at__isnull=True):
        followup_complete(actor=actor, follow_up=task, note=note, source=source)
        closed += 1
    return closed


@transaction.atomic
def followups_move(*, actor: User, ids: Iterable[int], customer: Customer) -> list[int]:
    """Give these tasks to `customer` (kehu.dedupe's merge, or its undo); assignees stay. One
    "followup.moved" audit entry each. Returns the ids moved."""
    tasks = list(FollowUp.objects.filter(pk__in=list(ids)).exclude(customer=customer))
    if not tasks:
        return []
    numbers = dict(
        Customer.objects.filter(pk__in={t.customer_id for t in tasks}).values_list(
            "pk", "customer_no"
        )
    )
    FollowUp.objects.filter(pk__in=[t.pk for t in tasks]).update(customer=customer)
    entries = []
    for task in tasks:
        old = numbers.get(task.customer_id)
        task.customer = customer  # the entry belongs to the customer's history it joins
        entries.append(
            PendingEntry(
                action=AuditAction.FOLLOWUP_MOVED,
                target=task,
                changes={"customer": [old, customer.customer_no]},
            )
        )
    audit_record_many(actor=actor, entries=entries)
    return [task.pk for task in tasks]
