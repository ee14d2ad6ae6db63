"""kehu audit_checkpoint: sign a checkpoint of the audit chain now (the worker writes one daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.audit.services.anchor import CheckpointRefused, audit_checkpoint_write
from kehu.audit.services.anchor_keys import KeyProblem, fingerprint, public_text, signing_key
from kehu.core.middleware import current_source, set_source


class Command(BaseCommand):
    help = (
        "Sign a checkpoint of the audit log's hash chain with the Ed25519 key kept outside the "
        "database, write it to KEHU_AUDIT_CHECKPOINT_DIR and/or POST it to "
        "KEHU_AUDIT_CHECKPOINT_WEBHOOK. `kehu audit_verify --checkpoint FILE` checks it later."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--public-key",
            action="store_true",
            help="Print the public key (base64) and its fingerprint instead, to keep elsewhere.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["public_key"]:
                public = signing_key(create=True).public_key()
                self.stdout.write(public_text(public))
                self.stdout.write(f"fingerprint: {fingerprint(public)}")
                return
            previous_source = current_source()
            set_source("cli")
            try:
                checkpoint = audit_checkpoint_write()
            finally:
                set_source(previous_source)
        except (CheckpointRefused, KeyProblem) as exc:
            raise CommandError(f"No checkpoint signed: {exc}.") from exc
        where = []
        if checkpoint.file_name:
            where.append(f"{settings.KEHU_AUDIT_CHECKPOINT_DIR}/{checkpoint.file_name}")
        if checkpoint.webhook:
            where.append(f"webhook {checkpoint.webhook} {checkpoint.webhook_error}".strip())
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint signed up to entry #{checkpoint.seq} "
                f"(key {checkpoint.key_fingerprint[:16]}): {'; '.join(where)}"
            )
        )
        if checkpoint.webhook == "failed":
            raise SystemExit(1)
