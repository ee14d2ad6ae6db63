"""kehu segments_followup: run the segments' recurring follow-up rules now, or queue the run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.segments.services import segments_followup_run
from kehu.segments.tasks import segments_followup


class Command(BaseCommand):
    help = (
        "Make this period's follow-up tasks of every segment with a recurring rule (once per "
        "period each). Run it from cron hourly, or with --enqueue for `kehu db_worker`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the run for the task worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = segments_followup.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        counts = segments_followup_run()
        self.stdout.write(
            f"segments {counts['segments']}, tasks {counts['tasks']}, failed {counts['failed']}."
        )
