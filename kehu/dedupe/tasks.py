"""Background work for duplicates, run by the task worker (`kehu db_worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kehu.core.jobs import job_finish, job_progress, job_running


@task()
def dedupe_scan(job_id: int) -> dict[str, Any]:
    """Scan every customer for duplicates, reporting progress on the Job."""
    from kehu.customers.models import Customer

    from .services import dedupe_scan_run  # services queues this task: imported when run

    try:
        total = Customer.objects.count()
        job_running(job_id, total=total)

        def progress(done: int, message: str) -> None:
            job_progress(job_id, done=min(done, total), message=message)

        result = dedupe_scan_run(progress=progress)
        job_progress(job_id, done=total, message="done")
        job_finish(job_id, result=result)
        return result
    except Exception as exc:  # the job shows the failure; the worker logs it
        job_finish(job_id, error=str(exc) or exc.__class__.__name__)
        raise
