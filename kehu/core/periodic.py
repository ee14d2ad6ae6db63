"""Periodic work on the task worker: a task that queues its own next run.

`periodic_ensure(task, every_seconds=…)` queues `task` to run that many seconds from now unless a
run is already waiting; the task calls it again when it has done its work, and the worker calls
it when it starts (kehu.portal.management.commands.db_worker `periodic_start`).

Exactly once per period, however many workers start: before queueing, a `PeriodClaim` row
(task and arguments, period number) is inserted under a unique constraint. The period number is
the run's moment divided by the period (`every_seconds`, or `period_seconds` for a run at a fixed
hour): two workers that start within one period race for one row and only the winner queues;
a run queues the next period's, so one chain goes on. This holds on both task backends (the
database's, and RQ on Redis, where "is one waiting?" cannot be asked cheaply).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from .models import PeriodClaim

CLAIMS_KEPT = timedelta(days=60)  # older claims are deleted as new ones are made


def queued_already(task: Any) -> bool:
    """Is a run of this task queued and not started yet? Known on the database backend only;
    elsewhere (RQ) False: the period claims keep the periodic runs single, and the other
    callers' work is idempotent."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def waiting_runs(task: Any) -> list[datetime | None]:
    """When each queued run of `task` that has not started is due (None: at once), on either
    backend: the database's table, or RQ's queue and its scheduled-job registry in Redis."""
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        return list(
            DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)
            .order_by("run_after")
            .values_list("run_after", flat=True)
        )
    import django_rq
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue(task.queue_name)
    runs: list[datetime | None] = [
        None for job in queue.get_jobs() if job.func_name == task.module_path
    ]
    registry = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]
    for job_id in registry.get_job_ids():
        job = queue.fetch_job(job_id)
        if job is not None and job.func_name == task.module_path:
            runs.append(registry.get_scheduled_time(job_id))
    return runs


def period_key(task: Any, kwargs: dict[str, Any]) -> str:
    """The claim's key: the task's path, and its arguments when it has any."""
    arguments = json.dumps(kwargs, sort_keys=True, default=str) if kwargs else ""
    return f"{task.module_path}{arguments}"[:255]


def period_claim(key: str, *, moment: datetime, period_seconds: int) -> bool:
    """Claim the period that `moment` falls in for `key`: True for the one caller that wins it,
    False for every other (whatever its process or host)."""
    period = int(moment.timestamp()) // max(1, period_seconds)
    try:
        with transaction.atomic():
            PeriodClaim.objects.create(key=key, period=period)
    except IntegrityError:
        return False
    PeriodClaim.objects.filter(claimed_at__lt=timezone.now() - CLAIMS_KEPT).delete()
    return True


def periodic_ensure(
    task: Any,
    *,
    every_seconds: int,
    now: datetime | None = None,
    period_seconds: int | None = None,
    **kwargs: Any,
) -> bool:
    """Queue the next run of `task` (a django-tasks Task, with `kwargs`) in every_seconds, unless
    one waits already, another worker queued this period's run, or every_seconds is 0; returns
    whether it queued one. `period_seconds` (default every_seconds) is the period a run is
    single in: a nightly run at a fixed hour passes a day."""
    if every_seconds <= 0 or queued_already(task):
        return False
    moment = (now or timezone.now()) + timedelta(seconds=every_seconds)
    with transaction.atomic():
        if not period_claim(
            period_key(task, kwargs), moment=moment, period_seconds=period_seconds or every_seconds
        ):
            return False
        task.using(run_after=moment).enqueue(**kwargs)
    return True


def seconds_to_hour(hour: int, now: datetime | None = None) -> int:
    """Seconds from now to the next time the local clock shows `hour`:00 (0: never, hour < 0)."""
    if hour < 0:
        return 0
    now = timezone.localtime(now or timezone.now())
    moment = now.replace(hour=hour % 24, minute=0, second=0, microsecond=0)
    if moment <= now:
        moment += timedelta(days=1)
    return max(1, int((moment - now).total_seconds()))
