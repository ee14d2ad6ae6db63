"""Reading an uploaded file on the task worker (`kehu db_worker`): a request only keeps the file
and queues this; the import page and GET /api/v1/imports/{id} show the rows read so far, then the
mapping step (or why the file was refused)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from kehu.accounts.models import User
from kehu.core.errors import ValidationFailed
from kehu.core.jobs import job_finish, job_progress, job_running, job_start
from kehu.core.models import Job

from .models import ImportRun
from .services import import_inspect, import_queued, import_refuse


@task()
def import_read(job_id: int, run_id: int) -> dict[str, int]:
    """Read an uploaded file's format, header and rows (within the limits) for its mapping."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.status != ImportRun.Status.INSPECTING:
        job_finish(job_id, result={"rows": run.total_rows})  # read already
        return {"rows": run.total_rows}
    job_running(job_id, total=0)
    try:
        run = import_inspect(run, on_progress=lambda rows: job_progress(job_id, done=rows))
    except ValidationFailed:
        run.refresh_from_db()
        job_finish(job_id, error=run.message)
        return {"rows": 0}
    except Exception as exc:
        import_refuse(
            run, {"file": [_("The file could not be read (%(error)s).") % {"error": exc}]}
        )
        job_finish(job_id, error=str(exc))
        raise
    job_progress(job_id, done=run.total_rows)
    job_finish(job_id, result={"rows": run.total_rows})
    return {"rows": run.total_rows}


def import_read_queue(*, actor: User, run: ImportRun) -> Job:
    """Queue the reading of an uploaded file (on commit)."""
    with transaction.atomic():
        job = job_start(
            kind="intake.read",
            title=f"Reading #{run.pk}: {run.original_name}",
            actor=actor,
            task=import_read,
            run_id=run.pk,
        )
        import_queued(run=run, job=job, commit=False)
    run.job = job
    return job
