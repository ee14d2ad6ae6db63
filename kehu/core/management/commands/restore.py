"""`kehu restore ARCHIVE [--replace]`: put a `kehu backup` archive back (kehu.core.backup); the
row count of every table is checked against the archive's manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into this database and data folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--replace", action="store_true", help="overwrite a database that has customers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(path=options["archive"], replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"restored tables={report.tables} rows={report.rows} files={report.files}"
        )
