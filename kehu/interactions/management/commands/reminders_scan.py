"""kehu reminders_scan: remind the tasks that fell due now (or queue the scan for the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.interactions.services.reminders import followups_remind_due
from kehu.interactions.tasks import reminders_scan


class Command(BaseCommand):
    help = (
        "Send the reminders of tasks that fell due (an in-app notification, and an e-mail to "
        "assignees with an address), once per task. The worker does this every "
        "KEHU_REMINDER_SCAN_SECONDS; this command is for cron or a one-off run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the scan as a background task for `kehu db_worker` instead of now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = reminders_scan.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        self.stdout.write(f"Reminders sent: {followups_remind_due()}.")
