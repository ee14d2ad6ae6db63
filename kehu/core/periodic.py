"""Periodic work on the task worker: a task that queues its own next run.

`periodic_ensure(task, every_seconds=…)` queues `task` to run that many seconds from now unless a
run is already waiting; the task calls it again when it has done its work, and `kehu db_worker`
calls it when it starts (kehu.portal.management.commands.db_worker), so one chain of runs goes
on while a worker runs, however many workers there are (the check and the queueing race only
when two workers start at the same instant; a second run does no harm, the work is idempotent).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus


def queued_already(task: Any) -> bool:
    """Is a run of this task queued and not started yet? Known on the database backend only;
    elsewhere (RQ) False: a second run does no harm, the work is idempotent."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def periodic_ensure(
    task: Any, *, every_seconds: int, now: datetime | None = None, **kwargs: Any
) -> bool:
    """Queue the next run of `task` (a django-tasks Task, with `kwargs`) in every_seconds, unless
    one waits already or every_seconds is 0; returns whether it queued one."""
    if every_seconds <= 0 or queued_already(task):
        return False
    moment = (now or timezone.now()) + timedelta(seconds=every_seconds)
    task.using(run_after=moment).enqueue(**kwargs)
    return True
