"""Background work of kehu.value, run by `kehu db_worker`.

- changes_wake(): the change log's listener (kehu.audit.events), called after each commit that
  wrote entries: it queues value_changes unless one is queued and not started yet.
- value_changes: recompute the customers the new entries touched (their orders, interactions,
  status, budget; a merge's survivor); past FULL_RUN_FROM customers, everyone, set-based.
- value_nightly: every customer, every KEHU_VALUE_RECOMPUTE_SECONDS (default a day) while the
  worker runs (value_schedule, called when it starts), or `kehu value_recompute` from cron.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kehu.core.periodic import periodic_ensure, queued_already

from .services.events import FULL_RUN_FROM, cursor_advance, touched_customers
from .services.nightly import values_recompute_all
from .services.single import values_recompute


def changes_process() -> int:
    """The customers touched since the cursor, recomputed; returns how many."""
    done = 0
    while True:
        ids, last = touched_customers()
        if last is None:
            return done
        if len(ids) >= FULL_RUN_FROM:
            done += values_recompute_all()["customers"]
        else:
            done += values_recompute(ids)
        cursor_advance(last)


@task()
def value_changes() -> int:
    return changes_process()


@task()
def value_nightly(repeat: bool = False) -> dict[str, object]:
    try:
        return values_recompute_all()
    finally:
        if repeat:
            value_schedule()


def value_schedule() -> bool:
    return periodic_ensure(
        value_nightly, every_seconds=settings.KEHU_VALUE_RECOMPUTE_SECONDS, repeat=True
    )


def changes_wake() -> None:
    if not queued_already(value_changes):
        value_changes.enqueue()
