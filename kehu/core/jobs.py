"""Background jobs as people see them: queue a task on commit, report progress, finish."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job


def job_start(*, kind: str, title: str, actor: Any, task: Any, **kwargs: Any) -> Job:
    """Create the Job row and enqueue `task(job_id=…, **kwargs)` once the transaction commits."""
    job = Job.objects.create(
        kind=kind, title=title, started_by=actor if getattr(actor, "pk", None) else None
    )

    def enqueue() -> None:
        result = task.enqueue(job_id=job.pk, **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def job_running(job_id: int, *, total: int) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, total=total, done=0, started_at=timezone.now()
    )


def job_progress(job_id: int, *, done: int, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(done=done, message=message)


def job_finish(job_id: int, *, result: dict[str, Any] | None = None, error: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED if error else Job.Status.SUCCEEDED,
        result=result or {},
        message=error,
        finished_at=timezone.now(),
    )
