"""Follow-up tasks a rule makes many at once (a segment's recurring follow-up rule): one
insert, one audit entry each, reminders set as followup_create sets them."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import PendingEntry, audit_record_many

from ..models import FollowUp
from .followups import followup_remind_at

BATCH = 1000


@transaction.atomic
def followups_bulk_create(
    *, actor: User | None, tasks: list[FollowUp], source: str | None = None
) -> list[FollowUp]:
    """Insert `tasks` (unsaved, each with its customer and owner set; the caller chose the
    customers and their owners, who work on them) and audit each."""
    for task in tasks:
        task.title = task.title[:200]
        task.created_by = actor
        task.remind_at = followup_remind_at(task)
    created = FollowUp.objects.bulk_create(tasks, batch_size=BATCH)
    entries = []
    for task in created:
        changes: dict[str, Any] = {
            "kind": task.kind,
            "title": task.title,
            "owner": str(task.owner or ""),
        }
        if task.due_date is not None:
            changes["due_date"] = task.due_date.isoformat()
        entries.append(
            PendingEntry(action=AuditAction.FOLLOWUP_CREATED, target=task, changes=changes)
        )
    audit_record_many(actor=actor, entries=entries, source=source)
    return created
