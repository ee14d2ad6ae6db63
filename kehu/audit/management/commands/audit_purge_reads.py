"""kehu audit_purge_reads: seal the read log's days, delete those past their retention."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kehu.audit.services import audit_reads_purge
from kehu.audit.tasks import audit_reads_nightly


class Command(BaseCommand):
    help = (
        "Seal each day of the read log into the audit chain, then delete the read entries older "
        "than KEHU_AUDIT_READ_RETENTION_DAYS (whole sealed days; the change log is never touched)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue it as a background task for `kehu db_worker` instead of now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = audit_reads_nightly.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        counts = audit_reads_purge()
        self.stdout.write(
            f"sealed={counts['sealed']} purged={counts['purged']} "
            f"retention_days={settings.KEHU_AUDIT_READ_RETENTION_DAYS}"
        )
