"""Background work of the workflow, run by `kehu db_worker`.

- events_wake(): the audit log's listener (kehu.audit.events), called after each commit that
  wrote entries; it queues workflow_events unless one is queued and not started yet, so an
  import of 100,000 rows queues a handful of tasks, not one per entry.
- workflow_events: event rules and webhook subscriptions over the new entries.
- workflow_tick: the same plus the time rules; `kehu workflow_tick --enqueue` from cron.
- webhook_deliver: one attempt of a delivery; a failed one is queued again after its back-off.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import TaskResultStatus, task

from .services.engine import events_process, workflow_tick
from .services.webhooks import delivery_attempt


@task()
def workflow_events() -> int:
    return events_process()


@task()
def workflow_tick_task() -> dict[str, int]:
    return workflow_tick()


@task()
def webhook_deliver(delivery_id: int) -> str:
    delivery = delivery_attempt(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.next_attempt_at is not None:
        webhook_deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery_id)
    return str(delivery.status)


def _queued_already() -> bool:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=workflow_events.module_path, status=TaskResultStatus.READY
    ).exists()


def events_wake() -> None:
    """After a commit that wrote audit entries: make sure a workflow_events task is queued."""
    if not _queued_already():
        workflow_events.enqueue()
