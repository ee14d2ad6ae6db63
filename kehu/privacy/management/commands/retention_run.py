"""kehu retention_run: run the enabled retention policies now (or one, or preview them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.privacy.models import RetentionPolicy
from kehu.privacy.services import retention_run


class Command(BaseCommand):
    help = "Run the enabled retention policies (issue 19); --dry-run only reports what they match."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")
        parser.add_argument("--policy", type=int, help="only this policy (enabled or not)")

    def handle(self, *args: Any, dry_run: bool, policy: int | None, **options: Any) -> None:
        policies = RetentionPolicy.objects.order_by("pk")
        policies = policies.filter(pk=policy) if policy else policies.filter(is_enabled=True)
        for row in policies:
            run = retention_run(policy=row, dry_run=dry_run)
            self.stdout.write(
                f"policy={row.pk} kind={row.kind} days={row.days} dry_run={dry_run} "
                f"matched={run.matched} processed={run.processed}"
            )
