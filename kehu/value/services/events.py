"""Lifecycle changes as audit entries, and the change log's listener: after a commit that wrote
entries, a deduplicated task (kehu.value.tasks.value_changes) recomputes the customers the new
entries touched, reading the log after a cursor of its own (ValueSettings.event_seq)."""

from __future__ import annotations

from django.db import transaction

from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.audit.services import PendingEntry, audit_record_many
from kehu.customers.models import Customer

from ..settings_model import ValueSettings

BATCH = 5000
# Past this many customers in one run, the set-based recomputation of all is cheaper.
FULL_RUN_FROM = 2000
OWN_ACTIONS = (AuditAction.VALUE_LIFECYCLE_CHANGED.value, AuditAction.VALUE_SETTINGS_CHANGED.value)
TOUCHING = ("order.", "interaction.", "opportunity.", "customer.", "followup.")


def lifecycle_changes_record(changes: list[tuple[int, str, str]]) -> int:
    """One audit entry per customer whose lifecycle changed: {"lifecycle": [before, after]}."""
    written = 0
    for start in range(0, len(changes), BATCH):
        chunk = changes[start : start + BATCH]
        customers = Customer.objects.only("id", "name", "customer_no").in_bulk(
            [pk for pk, _old, _new in chunk]
        )
        entries = [
            PendingEntry(
                action=AuditAction.VALUE_LIFECYCLE_CHANGED,
                target=customers[pk],
                changes={"lifecycle": [old, new]},
            )
            for pk, old, new in chunk
            if pk in customers
        ]
        written += audit_record_many(actor=None, entries=entries, source="system")
    return written


def touched_customers(limit: int = 50_000) -> tuple[set[int], int | None]:
    """The customers of the log's entries after the cursor that may change a value row, and
    the last seq read (None: nothing new)."""
    cursor = ValueSettings.objects.get_or_create(pk=1)[0].event_seq
    top = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if cursor > top:  # the log was wiped (the training sandbox's reset): start again
        ValueSettings.objects.filter(pk=1).update(event_seq=0)
        cursor = 0
    rows = list(
        AuditEntry.objects.filter(seq__gt=cursor, customer_id__isnull=False)
        .exclude(action__in=OWN_ACTIONS)
        .order_by("seq")
        .values_list("seq", "action", "customer_id")[:limit]
    )
    if not rows:
        return set(), None
    ids = {pk for _seq, action, pk in rows if pk is not None and action.startswith(TOUCHING)}
    return ids, rows[-1][0]


def cursor_advance(seq: int) -> None:
    with transaction.atomic():
        ValueSettings.objects.filter(pk=1, event_seq__lt=seq).update(event_seq=seq)
