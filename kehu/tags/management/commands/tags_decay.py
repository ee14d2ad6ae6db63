"""kehu tags_decay [--dry-run]: run the tag decay rules now (the worker runs them nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.core.middleware import set_source
from kehu.tags.rules.decay import decay_run_all


class Command(BaseCommand):
    help = (
        "Run every active tag decay rule (expiry, outcome streaks) now, with history. The worker "
        "runs them nightly at KEHU_TAG_DECAY_HOUR; this command is for cron or a one-off run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the customers each rule would change.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        set_source("cli")
        dry = options["dry_run"]
        for name, count in decay_run_all(dry_run=dry).items():
            verb = "would change" if dry else "changed"
            self.stdout.write(f"{name}: {verb} {count} customers")
