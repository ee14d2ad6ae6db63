"""Follow-up tasks (跟进任务): the one write path (create, reassign, complete, close, move).

People create them (a next action), and so do the freshness rules (complete the information,
verify the customer). Reminders and workflows will build on the same two services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.assignees import assert_assignable, clean_user_field
from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import PendingEntry, audit_record, audit_record_many
from kehu.core.cleaning import FieldCleaner
from kehu.core.errors import InvalidTransition
from kehu.core.validators import build_aliases, parse_choice, parse_date
from kehu.customers.models import Customer

from ..models import FollowUp

KIND_ALIASES = build_aliases(
    FollowUp.Kind,
    {
        "complete_info": ["补全信息", "补全"],
        "verify": ["验证客户", "验证"],
        "next_action": ["下一步", "下一步行动", "跟进"],
        "other": ["其他"],
    },
)


# --- Writes


def followup_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a task payload (kind and title required; note, due_date, owner); raise
    ValidationFailed naming every field that is wrong."""
    c = FieldCleaner(data)
    c.field("kind", lambda text: parse_choice(text, KIND_ALIASES))
    if not c.values.get("kind") and "kind" not in c.errors:
        kinds = "、".join(str(label) for label in FollowUp.Kind.labels)
        c.error("kind", _("Choose the kind of task: %(kinds)s.") % {"kinds": kinds})
    c.field("title", max_length=200)
    if not c.values.get("title") and "title" not in c.errors:
        c.error("title", _("Say what is to be done."))
    c.field("note", max_length=2000)
    c.field("due_date", parse_date, empty=None)
    if c.has("owner") and c.raw("owner"):
        clean_user_field(c, "owner")
    c.raise_if_errors()
    return c.values


@transaction.atomic
def followup_create(
    *,
    actor: User | None,
    customer: Customer,
    kind: str,
    title: str,
    owner: User | None = None,
    due_date: date | None = None,
    note: str = "",
    source: str | None = None,
) -> FollowUp:
    """A task for `owner` (default: the customer's owner), who must work on the customer
    (kehu.accounts.assignees); one audit entry."""
    assert_assignable(customer, owner=owner)
    task = FollowUp.objects.create(
        customer=customer,
        owner=owner if owner is not None else customer.owner,
        kind=kind,
        title=title[:200],
        note=note,
        due_date=due_date,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.FOLLOWUP_CREATED,
        target=task,
        changes={"kind": kind, "title": task.title, "owner": str(task.owner or "")},
        source=source,
    )
    return task


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
