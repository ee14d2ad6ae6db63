"""`kehu rotate_keys [--resume] [--batch-size N]`: a new encryption key version, then every
encrypted value re-encrypted under it, online, in batches, with progress (kehu.core.crypto):
the encrypted columns, then the values sealed inside JSON payloads (kehu.core.sealed: the audit
log's before/after values, import rows, merge records, held changes).

Older versions stay readable until no value uses them. Stopped midway, `--resume` continues
without adding another version. With keys from KEHU_ENCRYPTION_KEYS, add the version there,
restart, and run with --resume."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.crypto import key_version_add, keyring
from kehu.core.crypto_batches import encrypted_models, reencrypt_model, stale_count
from kehu.core.sealed import reseal_model, sealed_models, stale_sealed_count


class Command(BaseCommand):
    help = "Add an encryption key version and re-encrypt every personal field under it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resume", action="store_true", help="continue under the current version"
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        if not options["resume"]:
            try:
                version = key_version_add()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"key version {version} added ({keyring().source})")
        version = keyring().current
        self.stdout.write(f"re-encrypting under key version {version}")
        jobs = [(m, reencrypt_model) for m in encrypted_models()]
        jobs += [(m, reseal_model) for m in sealed_models()]
        for model, rewrite in jobs:
            label = model._meta.label_lower

            def progress(done: int, total: int, label: str = label) -> None:
                self.stdout.write(f"  {label}: {done:,} / {total:,} rows")

            changed = rewrite(model, batch_size=options["batch_size"], progress=progress)
            self.stdout.write(f"{label}: {changed:,} rows re-encrypted")
        left = sum(stale_count(model) for model in encrypted_models())
        left += sum(stale_sealed_count(model) for model in sealed_models())
        if left:
            self.stdout.write(
                f"{left:,} rows were written under an older version meanwhile: "
                "run `kehu rotate_keys --resume` again"
            )
        else:
            self.stdout.write(f"done: every value is under key version {version}")
