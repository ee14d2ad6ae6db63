"""Background work for imports, run by the task worker (`kehu db_worker`).

A commit or a dry run is a resumable job: when the worker is shut down it stops after its last
whole batch and is queued again (a commit continues from there, a dry run starts over); when its
worker dies, the next worker's reaper queues it again (kehu.core.jobs). The import's worker
processes are always ended before the task returns (pipeline.pool_shutdown).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_tasks import task

from kehu.accounts.models import User
from kehu.core.jobs import (
    JobInterrupted,
    job_finish,
    job_is_mine,
    job_progress,
    job_requeue,
    job_running,
    job_start,
    job_stop_requested,
)
from kehu.core.models import Job
from kehu.core.outage import is_disk_full

from .models import ImportRow, ImportRun
from .pipeline import pool_shutdown
from .services import (
    import_execute,
    import_index_catch_up,
    import_mark_stopped,
    import_paused,
    import_purge_files,
    import_queued,
)


def _actor(run: ImportRun) -> Any:
    return User.objects.filter(pk=run.created_by_id).first() if run.created_by_id else None


def _pause(job_id: int, run: ImportRun, *, dry_run: bool) -> None:
    """The worker is being stopped: queue the job again; a commit's run waits as queued."""
    position = ImportRun.objects.filter(pk=run.pk).values_list("position", flat=True).first()
    if dry_run:
        note = _("The worker was stopped; the dry run starts again when a worker runs.")
    else:
        note = _(
            "The worker was stopped after row %(position)s; the import continues from there "
            "when a worker runs."
        ) % {"position": position or 0}
    if job_requeue(job_id, stop=Job.Stop.SHUTDOWN, note=note) and not dry_run:
        import_paused(run=run, note=note)


def _disk_full_note(run: ImportRun) -> str:
    """What a full disk means for this import, and what to do (the batch was rolled back)."""
    position = ImportRun.objects.filter(pk=run.pk).values_list("position", flat=True).first()
    return _(
        "The database's disk is full: the import stopped after row %(position)s, and nothing of "
        "the batch that failed was saved. Free space on the database server (or give it a "
        "larger disk), then resume the import: it continues from row %(position)s."
    ) % {"position": position or 0}


@task()
def import_commit(job_id: int, run_id: int) -> dict[str, int]:
    """Commit (or resume) an import in batches, reporting progress on its job."""
    run = ImportRun.objects.get(pk=run_id)

    def progress(current: ImportRun, _rows: list[ImportRow]) -> None:
        job_progress(job_id, done=current.position, message=current.summary_label)

    try:
        job_running(job_id, total=run.total_rows)
        job_progress(job_id, done=run.position)
        run = import_execute(run, actor=_actor(run), on_batch=progress)
    except JobInterrupted:
        _pause(job_id, run, dry_run=False)
        return {"stopped_at": run.position}
    except Exception as exc:
        if job_stop_requested() and job_is_mine(job_id):  # its workers got the SIGTERM too
            _pause(job_id, run, dry_run=False)
            return {"stopped_at": run.position}
        if job_is_mine(job_id):  # not when another worker runs the import now
            message = _disk_full_note(run) if is_disk_full(exc) else str(exc)
            import_mark_stopped(run, message)
            job_finish(job_id, error=message)
        raise
    except (SystemExit, KeyboardInterrupt):  # a second signal: stopped mid-batch (rolled back)
        _pause(job_id, run, dry_run=False)
        raise
    finally:
        pool_shutdown()
    result = {k: getattr(run, k) for k in ("created", "updated", "skipped", "failed", "incomplete")}
    job_finish(job_id, result=result)
    return result


@task()
def import_dry_run(job_id: int, run_id: int) -> dict[str, int]:
    """Validate the whole file and find duplicates; writes nothing but the run's preview."""
    run = ImportRun.objects.get(pk=run_id)
    done = 0

    def progress(_run: ImportRun, rows: list[ImportRow]) -> None:
        nonlocal done
        done += len(rows)
        job_progress(job_id, done=done)

    try:
        job_running(job_id, total=run.total_rows)
        run = import_execute(run, actor=_actor(run), dry_run=True, on_batch=progress)
    except JobInterrupted:
        _pause(job_id, run, dry_run=True)
        return {"stopped_at": done}
    except Exception as exc:
        if job_stop_requested() and job_is_mine(job_id):
            _pause(job_id, run, dry_run=True)
            return {"stopped_at": done}
        job_finish(job_id, error=str(exc))
        raise
    except (SystemExit, KeyboardInterrupt):
        _pause(job_id, run, dry_run=True)
        raise
    finally:
        pool_shutdown()
    result = {
        k: run.preview.get(k, 0) for k in ("created", "updated", "skipped", "failed", "incomplete")
    }
    job_finish(job_id, result=result)
    return result


@task()
def import_index(job_id: int, run_id: int) -> dict[str, int]:
    """Finish a bulk import's search index (its catch-up job, queued again by the reaper when
    the process running it died); customers indexed already are skipped."""
    run = ImportRun.objects.get(pk=run_id)
    try:
        job = job_running(job_id, total=run.created)
        written = import_index_catch_up(run, job=job)
    except JobInterrupted:  # requeued by the catch-up itself
        return {"stopped": 1}
    return {"documents": written}


@task()
def import_purge(job_id: int | None = None) -> int:
    """Delete uploaded files past their retention period (schedule daily)."""
    purged = import_purge_files()
    if job_id:
        job_finish(job_id, result={"purged": purged})
    return purged


def import_queue(*, actor: User, run: ImportRun, dry_run: bool = False) -> Job:
    """Queue a dry run, a commit or a resume of `run` as a background job (on commit)."""
    from django.db import transaction

    from .services import ImportStateError, can_import
    from .services.common import refused_kind_message

    if not can_import(actor, run.kind):
        raise ImportStateError(refused_kind_message(run.kind))
    if not run.file_path:
        raise ImportStateError(_("The uploaded file is no longer kept; upload it again."))
    if dry_run:
        if run.status != ImportRun.Status.UPLOADED:
            raise ImportStateError(_("A dry run is for an import not committed yet."))
    elif run.status not in (
        ImportRun.Status.UPLOADED,
        ImportRun.Status.FAILED,
        ImportRun.Status.RUNNING,
    ):
        raise ImportStateError(_("This import is queued or finished already."))
    with transaction.atomic():
        job = job_start(
            kind="intake.dry_run" if dry_run else "intake.import",
            title=f"{'Dry run' if dry_run else 'Import'} #{run.pk}: {run.original_name}",
            actor=actor,
            task=import_dry_run if dry_run else import_commit,
            is_resumable=True,
            run_id=run.pk,
        )
        import_queued(run=run, job=job, commit=not dry_run)
    run.refresh_from_db()
    return job
