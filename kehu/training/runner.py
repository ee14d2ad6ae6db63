"""Background work queued inside a workspace runs inside it, at once.

A task a trainee's request queues (an import, a merge's re-index, the workflow's event reader)
is written to the workspace's own task table, which the live worker never reads. At the end of
each request in training, and after a workspace is prepared, `workspace_tasks_run` drains that
table in the request's thread with django-tasks-db's worker in batch mode, so the trainee sees
the result as a live user would after a moment. Periodic scans (reminders, nightly value) do
not run in workspaces."""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)

MAX_TASKS = 50


def workspace_tasks_run() -> None:
    """Run what is queued in the database in use (call it inside `databases.activated`)."""
    backend = str(settings.TASKS["default"]["BACKEND"])
    if not backend.startswith("django_tasks_db"):
        return  # an immediate backend ran them when they were queued
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=MAX_TASKS,
        worker_id="training",
        excluded_queue_names=[],
    )
    try:
        worker.run()
    except Exception:  # the trainee's request succeeded; the task shows as failed in Jobs
        logger.exception("A training workspace's task failed")
