"""`kehu backup [--output PATH] [--keep N]`: the database, uploaded files and a manifest in one
archive (kehu.core.backup); prints the archive's path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.backup import BackupError, backup_create, backup_prune


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="archive path or folder")
        parser.add_argument("--keep", type=int, help="then keep only the newest N archives")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup_create(output=options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"backup={path} size={path.stat().st_size}")
        if options["keep"]:
            for old in backup_prune(keep=options["keep"], folder=path.parent):
                self.stdout.write(f"deleted={old}")
