"""Background jobs as people see them: queue a task on commit, report progress, finish; and what
happens when the process running one is stopped or dies.

- job_start creates the row (queued) and enqueues its task on commit; the task's path and
  keyword arguments stay on the row, so that the job can be enqueued again.
- job_running *claims* it: one conditional UPDATE (queued -> running, attempt + 1) that only one
  process wins, recording who runs it (host, pid, process start) and its first heartbeat.
- job_progress and job_heartbeat write the heartbeat (at least every KEHU_JOB_STALE_SECONDS);
  job_finish ends the job. All three write only while this process's attempt is the job's
  latest: a process whose job was taken over gets JobLost and never writes over the new attempt.
- When the worker is being shut down (job_stop_request, from `kehu db_worker`'s signal handler),
  a resumable job stops at its next progress report (JobInterrupted) and its task puts it back
  in the queue (job_requeue); the next worker continues it.
- A running job is stale when its process is gone from this host (or the host restarted), or,
  on another host, when it has not reported for KEHU_JOB_STALE_SECONDS (jobs_stale). job_reap
  queues a resumable one again (job_running refuses after MAX_RESUMES) and marks any other one
  failed, saying why (Job.Stop). A queued or running job whose task has ended is stale too.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Job

if TYPE_CHECKING:
    from kehu.accounts.models import User

logger = logging.getLogger(__name__)

MAX_RESUMES = 3  # a job whose worker keeps dying (out of memory on the same batch) then fails
Recorder = Callable[[Job, str, str], None]  # (job, "resumed" or "failed", why): e.g. an audit entry


class JobLost(BaseException):  # noqa: N818 - like SystemExit, not an error of the task's own
    """This process no longer runs the job: another attempt claimed it, or it has ended.

    A BaseException, so that a task's `except Exception` clean-up does not mark the job failed
    under the attempt that now runs it."""


class JobInterrupted(BaseException):  # noqa: N818
    """The worker is shutting down: the resumable job stops here, after its last whole step."""


class JobGaveUp(Exception):  # noqa: N818 - the task's usual failure path marks its data failed
    """The job was resumed MAX_RESUMES times after its worker stopped; it is not run again."""


@dataclass(frozen=True)
class _Claim:
    attempt: int
    is_resumable: bool


_claims: dict[int, _Claim] = {}  # jobs this process claimed and has not finished
_lost: set[int] = set()  # jobs this process ran until another attempt or a reaper took them
_stop = threading.Event()


# --- Who runs a job


@cache
def _machine() -> tuple[str, str, str]:
    """(host name, boot id, pid namespace) of this process; "" where Linux's /proc is missing."""

    def read(path: str, link: bool = False) -> str:
        try:
            return os.readlink(path) if link else Path(path).read_text().strip()
        except OSError:
            return ""

    return (
        socket.gethostname(),
        read("/proc/sys/kernel/random/boot_id"),
        read("/proc/self/ns/pid", link=True),
    )


def _started(pid: int) -> str | None:
    """When process `pid` of this machine started (clock ticks after boot); None if there is no
    such process (or only its zombie), "" if this system cannot say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    state, *rest = stat[stat.rindex(")") + 2 :].split()
    return None if state in ("Z", "X") else rest[18]


def _this_process() -> tuple[str, int, str]:
    """(host, pid, process key) as a job records who runs it."""
    host, boot, namespace = _machine()
    return host, os.getpid(), f"{boot}/{namespace}/{_started(os.getpid()) or ''}"


def _process_state(job: Job) -> str:
    """'gone', 'alive' or 'unknown' (another host, another pid namespace, no /proc)."""
    host, boot, namespace = _machine()
    job_boot, _, rest = job.worker_process.partition("/")
    job_namespace, _, started = rest.partition("/")
    if job.worker_host != host or job.worker_pid is None or not boot or not job_boot:
        return "unknown"
    if job_boot != boot:
        return "gone"  # this machine restarted since
    if job_namespace != namespace:
        return "unknown"  # another container on this machine
    now_started = _started(job.worker_pid)
    if now_started is None:
        return "gone"
    if now_started and started and now_started != started:
        return "gone"  # the pid was reused by a later process
    return "alive"


# --- The life of a job


def job_start(
    *,
    kind: str,
    title: str,
    actor: User | None,
    task: Any,
    is_resumable: bool = False,
    **kwargs: Any,
) -> Job:
    """Create the Job row and enqueue `task(job_id=…, **kwargs)` once the transaction commits.

    A resumable job is one whose task, run again with the same arguments, continues where the
    last run stopped (an import, by whole batches): it is queued again when its worker stops."""
    job = Job.objects.create(
        kind=kind,
        title=title,
        started_by=actor,
        task_path=task.module_path,
        task_kwargs=kwargs,
        is_resumable=is_resumable,
    )

    def enqueue() -> None:
        result = task.enqueue(job_id=job.pk, **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def job_here(
    *, kind: str, title: str, started_by_id: int | None, task: str, total: int, **kwargs: Any
) -> Job:
    """A resumable job that this process runs now (created and claimed, nothing enqueued): if
    the process dies, the reaper enqueues `task` (its dotted path) with job_id and `kwargs`."""
    job = Job.objects.create(
        kind=kind,
        title=title,
        started_by_id=started_by_id,
        task_path=task,
        task_kwargs=kwargs,
        is_resumable=True,
    )
    return job_running(job.pk, total=total)


def job_running(job_id: int, *, total: int) -> Job:
    """Claim the queued job for this process (JobLost if another process has it or it has
    ended; JobGaveUp, with the job failed, after MAX_RESUMES resumes)."""
    host, pid, process = _this_process()
    now = timezone.now()
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING,
            attempt=F("attempt") + 1,
            total=total,
            done=0,
            message="",
            heartbeat_at=now,
            worker_host=host,
            worker_pid=pid,
            worker_process=process,
            started_at=Coalesce(F("started_at"), now),
        )
        job = Job.objects.filter(pk=job_id).first()
    if not claimed or job is None:
        _lost.add(job_id)
        status = job.status if job else "missing"
        raise JobLost(f"Job {job_id} is not waiting to run ({status}): it is not run again.")
    _claims[job_id] = _Claim(job.attempt, job.is_resumable)
    _lost.discard(job_id)
    if job.resumed > MAX_RESUMES:
        raise JobGaveUp(
            _("The worker stopped %(count)d times while running this job; it is not resumed again.")
            % {"count": job.resumed}
        )
    return job


def _mine(job_id: int) -> Any:
    """The job while this process's attempt runs it, as a queryset: empty once another attempt
    claimed it or a reaper queued it again or failed it (the job alone if this process claimed
    none: a task that reports on a job without running it)."""
    if job_id in _lost:
        return Job.objects.none()
    claim = _claims.get(job_id)
    jobs = Job.objects.filter(pk=job_id)
    return jobs.filter(attempt=claim.attempt, status=Job.Status.RUNNING) if claim else jobs


def job_progress(job_id: int, *, done: int, message: str = "") -> None:
    """Report progress; it is the job's heartbeat too. Raises JobLost if another attempt took
    the job over, and JobInterrupted if the worker is shutting down and the job is resumable."""
    _beat(job_id, done=done, message=message)


def job_heartbeat(job_id: int) -> None:
    """A sign of life for a step that reports no progress (call it at least every
    KEHU_JOB_STALE_SECONDS); raises as job_progress does."""
    _beat(job_id)


def _beat(job_id: int, **fields: Any) -> None:
    claim = _claims.get(job_id)
    updated = _mine(job_id).update(heartbeat_at=timezone.now(), **fields)
    if claim is None:
        return
    if not updated:  # taken for dead (a machine frozen for longer than the stale limit)
        _claims.pop(job_id, None)
        _lost.add(job_id)
        raise JobLost(f"Job {job_id} was reaped or taken over by another worker; this one stops.")
    if claim.is_resumable and _stop.is_set():
        raise JobInterrupted(f"Job {job_id} stops: the worker is shutting down.")


def job_finish(job_id: int, *, result: dict[str, Any] | None = None, error: str = "") -> None:
    updated = _mine(job_id).update(
        status=Job.Status.FAILED if error else Job.Status.SUCCEEDED,
        result=result or {},
        message=error,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if (_claims.pop(job_id, None) is not None or job_id in _lost) and not updated:
        logger.warning("Job %s was taken over by another worker: its end is not recorded.", job_id)


def job_is_mine(job_id: int) -> bool:
    """Whether this process claimed the job and its attempt is still the latest."""
    return job_id in _claims and _mine(job_id).exists()


def _enqueue(job: Job) -> str:
    task = import_string(job.task_path)
    return str(task.enqueue(job_id=job.pk, **job.task_kwargs).id)


def _on_database_backend() -> bool:
    return bool(settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend")


def _ended_task_ids(task_result_ids: list[str]) -> set[str]:
    """Which of these task results have ended (succeeded or failed), on either backend; on RQ a
    result Redis no longer holds has ended too (RQ keeps them for minutes)."""
    if _on_database_backend():
        ended = DBTaskResult.objects.filter(
            id__in=task_result_ids,
            status__in=(TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED),
        ).values_list("id", flat=True)
        return {str(task_id) for task_id in ended}
    from django_tasks import default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    ended_ids = set()
    for task_result_id in task_result_ids:
        try:
            status = default_task_backend.get_result(task_result_id).status
        except TaskResultDoesNotExist:
            status = TaskResultStatus.FAILED
        if status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            ended_ids.add(task_result_id)
    return ended_ids


def _end_task_result(task_result_id: str, note: str) -> None:
    """The task result of a stopped attempt: failed, not 'running' for ever in the task table
    (RQ moves a task whose worker died to its failed registry itself)."""
    if task_result_id and _on_database_backend():
        DBTaskResult.objects.filter(id=task_result_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{__name__}.JobLost",
            traceback=note,
        )


def job_requeue(job_id: int, *, stop: Job.Stop, note: str) -> bool:
    """Put this process's running attempt of a resumable job back in the queue (it stopped,
    whole, for `stop`): a worker continues it. False if the job is not this process's."""
    with transaction.atomic():
        job = _mine(job_id).select_for_update().first()
        if job is None or not job.is_resumable or not job.task_path:
            return False
        task_result_id = _enqueue(job)
        _mine(job_id).update(
            status=Job.Status.QUEUED,
            stop=stop,
            stopped_at=timezone.now(),
            message=note,
            task_result_id=task_result_id,
        )
    _claims.pop(job_id, None)
    return True


def job_stop_request() -> None:
    """The worker is shutting down: resumable jobs stop at their next progress report."""
    _stop.set()


def job_stop_requested() -> bool:
    return _stop.is_set()


# --- Stale jobs


STOP_NOTES = {
    Job.Stop.SHUTDOWN: gettext_noop("The worker was stopped while running this job."),
    Job.Stop.WORKER_GONE: gettext_noop("The worker process running this job (%(who)s) is gone."),
    Job.Stop.SILENT: gettext_noop("No sign of life from the worker (%(who)s) since %(since)s."),
    Job.Stop.TASK_ENDED: gettext_noop("The task ended without finishing this job."),
}


def job_stop_note(job: Job, stop: Job.Stop) -> str:
    """Why the job stopped, in words (in the active language)."""
    since = timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
    who = _("process %(pid)s on %(host)s") % {"pid": job.worker_pid, "host": job.worker_host}
    return _(STOP_NOTES[stop]) % {"who": who, "since": since if job.heartbeat_at else "-"}


def job_is_silent(job: Job, *, now: datetime | None = None) -> bool:
    """A running job with no heartbeat for KEHU_JOB_STALE_SECONDS (the page says so in words)."""
    limit = (now or timezone.now()) - timedelta(seconds=settings.KEHU_JOB_STALE_SECONDS)
    return job.status == Job.Status.RUNNING and (job.heartbeat_at or job.created_at) < limit


def job_looks_stopped(job: Job) -> bool:
    """A running job whose worker is gone from this host or silent: the page says so in words
    before any reaper has run."""
    if job.status != Job.Status.RUNNING or job.pk in _claims:
        return False
    return job_is_silent(job) or _process_state(job) == "gone"


def jobs_stale(*, now: datetime | None = None) -> list[tuple[Job, Job.Stop]]:
    """Running jobs whose process is gone (or silent, on another host), and queued or running
    jobs whose task has ended: with why each is stale."""
    now = now or timezone.now()
    stale: list[tuple[Job, Job.Stop]] = []
    waiting = list(Job.objects.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING)))
    ended_ids = _ended_task_ids([job.task_result_id for job in waiting if job.task_result_id])
    for job in waiting:
        if job.pk in _claims:
            continue  # running in this very process
        if job.task_result_id in ended_ids:
            stale.append((job, Job.Stop.TASK_ENDED))
        elif job.status == Job.Status.RUNNING:
            state = _process_state(job)
            if state == "gone":
                stale.append((job, Job.Stop.WORKER_GONE))
            elif state == "unknown" and job_is_silent(job, now=now):
                stale.append((job, Job.Stop.SILENT))
    return stale


def job_reap(job: Job, stop: Job.Stop, *, record: Recorder | None = None) -> str | None:
    """Queue a stale resumable job again, or mark another one failed: "resumed" or "failed", or
    None if the job changed meanwhile (it reported, or another reaper was first). One
    conditional UPDATE decides, so two workers never both resume a job."""
    note = job_stop_note(job, stop)
    now = timezone.now()
    with transaction.atomic():
        seen = Job.objects.filter(
            pk=job.pk, status=job.status, attempt=job.attempt, heartbeat_at=job.heartbeat_at
        )
        if job.is_resumable and job.task_path:
            if not seen.update(
                status=Job.Status.QUEUED,
                stop=stop,
                stopped_at=now,
                resumed=F("resumed") + 1,
                message=note,
            ):
                return None
            Job.objects.filter(pk=job.pk).update(task_result_id=_enqueue(job))
            outcome = "resumed"
        else:
            if not seen.update(
                status=Job.Status.FAILED, stop=stop, stopped_at=now, finished_at=now, message=note
            ):
                return None
            outcome = "failed"
        _end_task_result(job.task_result_id, note)
        if record is not None:
            record(job, outcome, note)
    logger.warning("Job %s (%s) was %s: %s", job.pk, job.kind, outcome, note)
    return outcome


def jobs_reap(*, record: Recorder | None = None) -> list[tuple[Job, str]]:
    """Reap every stale job (see job_reap): [(job, "resumed" or "failed")]."""
    reaped = []
    for job, stop in jobs_stale():
        outcome = job_reap(job, stop, record=record)
        if outcome is not None:
            reaped.append((job, outcome))
    return reaped


def jobs_settle(*, record: Recorder | None = None) -> None:
    """After a task: a job it claimed and left running (the worker was stopped hard, or the task
    ended without job_finish) is queued again (resumable, on shutdown) or marked failed."""
    _lost.clear()
    for job_id in list(_claims):
        job = _mine(job_id).first()
        if job is None:
            _claims.pop(job_id, None)
            continue
        if _stop.is_set() and job_requeue(
            job_id, stop=Job.Stop.SHUTDOWN, note=job_stop_note(job, Job.Stop.SHUTDOWN)
        ):
            continue
        _claims.pop(job_id, None)
        job.is_resumable = False  # a task that ended without its job would end so again
        job_reap(job, Job.Stop.SHUTDOWN if _stop.is_set() else Job.Stop.TASK_ENDED, record=record)
