"""`kehu db_worker`: django-tasks-db's worker, and Kehu's jobs kept honest.

- When it starts, and at most every REAP_SECONDS when it picks a task, stale jobs (their worker
  died: kill -9, a crash) are resumed or marked failed (kehu.portal.job_reaper).
- SIGTERM, SIGINT or SIGQUIT: the library finishes the task that is running before it exits; a
  resumable job (an import) is told to stop at its next progress report instead, after its last
  whole batch, and is queued again for the next worker (kehu.core.jobs.job_stop_request).
- When it starts, the periodic scans (task reminders) are queued unless one waits already; each
  run queues the next (kehu.core.periodic).
- When it starts, the nightly tag decay run is queued unless one waits (kehu.tags.tasks), and
  the audit chain's daily signed checkpoint (kehu.audit.tasks).
- Unless --batch, the workflow's periodic tick is queued (kehu.workflow.tasks.tick_schedule),
  kehu.value's weekly propensity training and daily freshness run, and the check of the
  segments' follow-up rules (kehu.segments.tasks).
- After each task, a job the task left running (a second signal stopped it hard) is queued
  again or marked failed, so that no job shows "running" for ever.
The options are the library's.
"""

from __future__ import annotations

import os
from types import FrameType
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.management.commands.db_worker import Worker, logger
from django_tasks_db.models import DBTaskResult

from kehu.audit.tasks import audit_checkpoint_schedule
from kehu.core.jobs import job_stop_request
from kehu.core.tasks import backup_schedule
from kehu.interactions.tasks import reminders_schedule
from kehu.portal.job_reaper import Reaping, jobs_settle_audited
from kehu.privacy.tasks import retention_schedule
from kehu.reports.dashboard.tasks import reports_schedule
from kehu.reports.tasks import analysis_facts_schedule
from kehu.segments.tasks import segments_followup_schedule
from kehu.tags.tasks import decay_schedule
from kehu.value.tasks import freshness_schedule, propensity_schedule, value_schedule
from kehu.workflow.tasks import tick_schedule


def periodic_start(*, batch: bool) -> None:
    """Queue each app's periodic work (this period's run, claimed once however many
    workers start: kehu.core.periodic); both `kehu db_worker` and the RQ worker of
    `kehu worker` call it when they start."""
    # Each app's periodic work queues its next run (kehu.core.periodic): one chain each
    # however many workers run. A failing one is logged; the worker runs its tasks all the
    # same. Under --batch (tests, one-off runs) only the ones that come due at once.
    schedules = [
        reminders_schedule,  # due reminders, every minute (kehu.interactions)
        backup_schedule,  # backups when KEHU_BACKUP_EVERY_SECONDS is set (kehu.core)
        decay_schedule,  # the tag decay rules, nightly (kehu.tags)
        reports_schedule,  # dashboards' company figures, weekly reports (kehu.reports)
        audit_checkpoint_schedule,  # the audit chain's signed checkpoint, daily (kehu.audit)
    ]
    if not batch:
        schedules += [
            tick_schedule,  # the workflow's time rules, every few minutes (kehu.workflow)
            value_schedule,  # the customer value recomputation, nightly (kehu.value)
            propensity_schedule,  # weekly; at once if never trained (kehu.value)
            freshness_schedule,  # verification cadences, behaviour triggers (kehu.value)
            segments_followup_schedule,  # segments' recurring follow-up rules
            analysis_facts_schedule,  # the analyses' daily facts (kehu.reports.analyses)
            retention_schedule,  # the enabled retention policies, nightly (kehu.privacy)
        ]
    for schedule in schedules:
        try:
            schedule()
        except Exception:
            logger.exception("Queueing %s failed", schedule.__name__)


class KehuWorker(Reaping, Worker):
    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        job_stop_request()
        super().shutdown(signum, frame)

    def run(self) -> None:
        self.reap(force=True)
        periodic_start(batch=self.batch)
        super().run()

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        try:
            self.reap()
        except Exception:  # the task it has claimed runs all the same
            logger.exception("Reaping stale jobs failed")
        try:
            super().run_task(db_task_result)
        finally:
            try:
                jobs_settle_audited()
            except Exception:  # the next reap finds what is left
                logger.exception("Settling the task's jobs failed")


class Command(LibraryCommand):
    help = LibraryCommand.help + " (and resume or fail the jobs of workers that stopped)"

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        """The library's handle() with KehuWorker (the library builds its own Worker)."""
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be specified together: no autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = KehuWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child handles signals
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
