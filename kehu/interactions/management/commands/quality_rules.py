"""kehu quality_rules: run the freshness rules now (or queue them for the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.interactions.freshness import quality_rules_run
from kehu.interactions.tasks import quality_rules_nightly


class Command(BaseCommand):
    help = (
        "Apply the freshness rules: 待补全 past its window -> 信息待完善, no interaction for "
        "KEHU_STALE_DAYS -> 待验证, each with a task for the owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the rules as a background task for `kehu db_worker` instead of now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = quality_rules_nightly.enqueue()
            self.stdout.write(f"Queued task {result.id}.")
            return
        counts = quality_rules_run()
        self.stdout.write(
            f"信息待完善 {counts['needs_info']}, 待验证 {counts['to_verify']}, "
            f"tasks closed {counts['tasks_closed']}."
        )
