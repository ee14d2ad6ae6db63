"""kehu report_facts_rebuild: rebuild the analyses' daily facts in full (the worker refreshes
them incrementally every KEHU_ANALYSIS_FACTS_SECONDS and in full once a day)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.reports.analyses.services import facts_refresh


class Command(BaseCommand):
    help = "Rebuild the analyses' daily interaction facts (all days, or only the touched days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Only the days of interactions recorded since the last refresh, today, yesterday.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.monotonic()
        result = facts_refresh(full=not options["incremental"])
        self.stdout.write(f"Stored {result['rows']} fact rows in {time.monotonic() - began:.1f} s.")
