"""kehu workflow_tick: evaluate the workflow now (new events, then the time rules), or queue it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.workflow.services.engine import workflow_tick
from kehu.workflow.tasks import workflow_tick_task


class Command(BaseCommand):
    help = (
        "Run the workflow rules: the change log's new events, then the time rules (task "
        "overdue, no interaction, lead unclaimed, opportunity overdue). Run it from cron every "
        "few minutes, or with --enqueue for `kehu db_worker`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the run for the task worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = workflow_tick_task.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        counts = workflow_tick()
        self.stdout.write(f"events {counts['events']}, fired {counts['fired']}.")
