"""kehu quality_snapshot: store today's data-quality figures and raise alerts (nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.reports.services import quality_nightly
from kehu.reports.tasks import quality_snapshot_nightly


class Command(BaseCommand):
    help = (
        "Store today's data-quality snapshot (everyone, each team, each rep) and record an alert "
        "for each metric that moved KEHU_QUALITY_ALERT_PERCENT or more from its baseline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue it (after the freshness rules) for `kehu db_worker` instead of now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = quality_snapshot_nightly.enqueue(run_rules=True)
            self.stdout.write(f"Queued task {result.id}.")
            return
        counts = quality_nightly()
        self.stdout.write(f"Snapshots {counts['snapshots']}, alerts {counts['alerts']}.")
