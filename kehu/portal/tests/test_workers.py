"""Several workers over one queue: each periodic run is queued once per period and runs once, on
either task backend (the `tasks` marker: .ci/run runs this again with KEHU_TASK_BACKEND=rq)."""

from __future__ import annotations

import signal
import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connections

from kehu.core.models import PeriodClaim
from kehu.core.periodic import waiting_runs
from kehu.interactions.tasks import reminders_scan
from kehu.portal.management.commands.db_worker import periodic_start
from kehu.reports.dashboard.tasks import dashboard_refresh
from kehu.reports.tasks import analysis_facts_refresh
from kehu.segments.tasks import segments_followup
from kehu.tags.tasks import tags_decay_task
from kehu.value.tasks import freshness_task, propensity_train_task, value_nightly
from kehu.workflow.tasks import workflow_tick_task

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.tasks,
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        and not django_settings.DATABASES["default"]["TEST"].get("NAME"),
        reason="SQLite's in-memory test database (shared cache) fails at once on a lock instead "
        "of waiting as the file database does; run with KEHU_TEST_SQLITE_NAME or PostgreSQL",
    ),
]

PERIODIC: list[Any] = [
    reminders_scan,
    tags_decay_task,
    dashboard_refresh,
    workflow_tick_task,
    value_nightly,
    propensity_train_task,
    freshness_task,
    segments_followup,
    analysis_facts_refresh,
]
WORKERS = 4


def _together(work: Any) -> list[BaseException]:
    """Run work() in WORKERS threads released at once (each with its own connection)."""
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _finished(task: Any) -> int:
    """How many runs of `task` have ended successfully (either backend)."""
    if django_settings.KEHU_TASK_BACKEND == "rq":
        import django_rq
        from rq.registry import FinishedJobRegistry

        queue = django_rq.get_queue(task.queue_name)
        jobs = [queue.fetch_job(i) for i in FinishedJobRegistry(queue=queue).get_job_ids()]
        return sum(1 for job in jobs if job is not None and job.func_name == task.module_path)
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, status="SUCCESSFUL").count()


def test_workers_starting_together_queue_each_periodic_run_once(settings) -> None:
    settings.KEHU_TAG_DECAY_HOUR = 2
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, 30), tick=False):
        errors = _together(lambda: periodic_start(batch=False))
        assert errors == []
        for task in PERIODIC:
            assert len(waiting_runs(task)) == 1, task.module_path
        # a worker started later in the same period queues nothing more
        periodic_start(batch=False)
        assert all(len(waiting_runs(task)) == 1 for task in PERIODIC)
    assert PeriodClaim.objects.filter(key=reminders_scan.module_path).count() == 1


def test_workers_run_a_due_periodic_run_once_and_queue_one_next(settings, monkeypatch) -> None:
    settings.KEHU_REMINDER_SCAN_SECONDS = 60
    # four workers as threads of this process: only the main thread may install signal handlers
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    start = datetime(2026, 3, 10, 12, 0, 30)
    with time_machine.travel(start, tick=False):
        periodic_start(batch=True)  # the reminder scan, a minute from now
    assert len(waiting_runs(reminders_scan)) == 1

    with time_machine.travel(start + timedelta(minutes=1, seconds=5), tick=False):
        errors = _together(
            lambda: call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
        )
        assert errors == []
        assert _finished(reminders_scan) == 1  # four workers, one run
        # the run and the four workers' starts agree on one next scan
        assert len(waiting_runs(reminders_scan)) == 1
