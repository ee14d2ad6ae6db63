"""The RQ side of `kehu worker` (KEHU_TASK_BACKEND=rq): an RQ worker that keeps Kehu's jobs as
honest as `kehu db_worker` does.

- It runs each task in its own process (RQ's SimpleWorker: no fork per task), so that, as with
  the database backend, a worker is one process with one database connection, closed and
  reopened around each task when it is too old or broken.
- When it starts: stale jobs are reaped and each app's periodic work is queued for this period
  (db_worker.periodic_start, claimed once however many workers start); before a task, stale jobs
  are reaped at most every REAP_SECONDS; after it, the jobs it left running are settled.
- SIGTERM or SIGINT: RQ finishes the task that runs (a warm shutdown); a resumable job (an
  import) is told to stop at its next progress report and is queued again
  (kehu.core.jobs.job_stop_request). RQ's scheduler, in the same worker, moves runs queued for
  later (`run_after`) into the queue when they fall due; several workers share one scheduler
  lock in Redis.
"""

from __future__ import annotations

import logging
from types import FrameType
from typing import Any

import django_rq
from django.db import close_old_connections
from django_tasks_rq.backend import Job as TaskJob
from rq import Queue, SimpleWorker

from kehu.core.jobs import job_stop_request
from kehu.portal.job_reaper import Reaping, jobs_settle_audited

from .management.commands.db_worker import periodic_start

logger = logging.getLogger("kehu.worker")


class KehuRQWorker(Reaping, SimpleWorker):
    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        job_stop_request()
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def execute_job(self, job: Any, queue: Queue) -> None:
        close_old_connections()
        try:
            self.reap()
        except Exception:  # the task it has taken runs all the same
            logger.exception("Reaping stale jobs failed")
        try:
            super().execute_job(job, queue)
        finally:
            try:
                jobs_settle_audited()
            except Exception:  # the next reap finds what is left
                logger.exception("Settling the task's jobs failed")
            close_old_connections()


def rq_worker_run(*, queue_names: list[str], batch: bool, max_tasks: int | None = None) -> bool:
    """Run an RQ worker on `queue_names` until stopped (or, with batch, until the queues are
    empty: runs queued for later that are due are run, the others wait). True if it did any
    work."""
    queues = [django_rq.get_queue(name, job_class=TaskJob) for name in queue_names]
    worker = KehuRQWorker(queues, connection=django_rq.get_connection(), job_class=TaskJob)
    worker.reap(force=True)
    periodic_start(batch=batch)
    close_old_connections()
    return bool(
        worker.work(burst=batch, with_scheduler=True, max_jobs=max_tasks, logging_level="INFO")
    )
