"""`kehu worker`: the task worker of the configured backend (KEHU_TASK_BACKEND).

- db (default): `kehu db_worker` with the same options (the queue is a table of the database).
- rq: an RQ worker on Redis (KEHU_REDIS_URL), kehu.portal.rq_worker.

Start as many as the work needs, on one machine or several: each task is taken by one worker,
and the periodic work (nightly rules, snapshots, reminders, backups) runs once per period.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the task worker of the configured backend (KEHU_TASK_BACKEND=db: the database's, "
        "rq: RQ on Redis); start several to share one queue."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue-name", default="default", help="Queues to take tasks from, comma-separated."
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued now, then exit (runs queued for later wait).",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls (db backend)."
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="Start polling at once (db backend).",
        )

    def handle(
        self,
        *,
        queue_name: str,
        batch: bool,
        max_tasks: int | None,
        interval: float,
        startup_delay: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        if settings.KEHU_TASK_BACKEND == "rq":
            from kehu.portal.rq_worker import rq_worker_run

            rq_worker_run(queue_names=queue_name.split(","), batch=batch, max_tasks=max_tasks)
            return
        arguments = ["--queue-name", queue_name, "--interval", str(interval)]
        if batch:
            arguments.append("--batch")
        if not startup_delay:
            arguments.append("--no-startup-delay")
        if max_tasks is not None:
            arguments += ["--max-tasks", str(max_tasks)]
        call_command("db_worker", *arguments, verbosity=verbosity)
