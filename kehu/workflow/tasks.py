"""Background work of the workflow, run by `kehu db_worker`.

- events_wake(): the audit log's listener (kehu.audit.events), called after each commit that
  wrote entries; it queues workflow_events unless one is queued and not started yet, so an
  import of 100,000 rows queues a handful of tasks, not one per entry.
- workflow_events: event rules and webhook subscriptions over the new entries.
- workflow_tick_task: the same plus the time rules, every KEHU_WORKFLOW_TICK_SECONDS while
  `kehu db_worker` runs (tick_schedule), or from cron (`kehu workflow_tick [--enqueue]`).
- webhook_deliver: one attempt of a delivery; a failed one is queued again after its back-off.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kehu.core.periodic import periodic_ensure, queued_already

from .services.engine import EVENT_LIMIT, events_process, workflow_tick
from .services.webhooks import delivery_attempt


@task()
def workflow_events() -> int:
    done = events_process()
    if done >= EVENT_LIMIT:  # more than one run's worth (an import): continue in a new run
        workflow_events.enqueue()
    return done


@task()
def workflow_tick_task(repeat: bool = False) -> dict[str, int]:
    """The events and the time rules; `repeat`: queue the next tick (the worker's schedule)."""
    try:
        return workflow_tick()
    finally:
        if repeat:
            tick_schedule()


def tick_schedule() -> bool:
    """Queue the next periodic tick, KEHU_WORKFLOW_TICK_SECONDS from now, unless one is queued
    already (`kehu db_worker` calls this when it starts; each tick queues the next)."""
    return periodic_ensure(
        workflow_tick_task, every_seconds=settings.KEHU_WORKFLOW_TICK_SECONDS, repeat=True
    )


@task()
def webhook_deliver(delivery_id: int) -> str:
    delivery = delivery_attempt(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.next_attempt_at is not None:
        webhook_deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery_id)
    return str(delivery.status)


def events_wake() -> None:
    """After a commit that wrote audit entries: make sure a workflow_events task is queued."""
    if not queued_already(workflow_events):
        workflow_events.enqueue()
