"""kehu import_purge: delete uploaded import files older than KEHU_IMPORT_RETENTION_DAYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehu.intake.services import import_purge_files


class Command(BaseCommand):
    help = "Delete uploaded import files past their retention period (KEHU_IMPORT_RETENTION_DAYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"purged={import_purge_files()}")
