"""kehu audit_verify: check the audit log's hash chain and the read log's seals; with
--checkpoint, also that no entry up to a signed checkpoint was rewritten. Exit 1 naming the first
bad entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kehu.audit.models import AuditEntry
from kehu.audit.services import ChainProblem, ReadsReport, audit_verify
from kehu.audit.services.anchor import CheckpointReport, checkpoint_verify, load_checkpoints
from kehu.audit.services.anchor_keys import KeyProblem, trusted_public_key


class Command(BaseCommand):
    help = (
        "Verify the tamper-evident audit log (names the first edited, inserted or deleted entry) "
        "and the read log's sealed days; with --checkpoint FILE (or a folder of them), prove that "
        "no entry up to the signed checkpoint was rewritten, even by someone who can write the "
        "database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="A signed checkpoint (kehu audit_checkpoint), or a folder of them; repeatable.",
        )
        parser.add_argument(
            "--public-key",
            metavar="FILE",
            help="The key checkpoints must be signed with (default: the signing key's own).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reads = ReadsReport()
        problems = list(audit_verify(reads))
        anchored = CheckpointReport()
        if options["checkpoint"]:
            try:
                trusted = trusted_public_key(options.get("public_key"))
            except KeyProblem as exc:
                self.stderr.write(self.style.ERROR(f"Cannot check checkpoints: {exc}"))
                raise SystemExit(1) from exc
            found = load_checkpoints(options["checkpoint"])
            if not found:
                problems.append(ChainProblem(0, None, "no checkpoint file found"))
            problems += checkpoint_verify(found, trusted, anchored)
        if not problems:
            count = AuditEntry.objects.count()
            self.stdout.write(
                self.style.SUCCESS(f"Audit log verified: {count} entries, chain intact.")
            )
            self.stdout.write(
                f"Read log: {reads.verified} sealed entries match their seals; "
                f"{reads.unsealed} not sealed yet; purged up to #{reads.purged_up_to}."
            )
            if options["checkpoint"]:
                self.stdout.write(
                    f"Checkpoints: {len(anchored.signed)} signed by the trusted key; entries "
                    f"#1..#{anchored.proven_up_to} are as they were signed."
                )
            return
        first = problems[0]
        where = f"entry #{first.seq}" if first.seq else "a checkpoint"
        where += f" (id {first.entry_id})" if first.entry_id else ""
        self.stderr.write(self.style.ERROR(f"Audit log broken at {where}: {first.problem}."))
        for problem in problems[1:10]:
            self.stderr.write(f"  also #{problem.seq}: {problem.problem}")
        raise SystemExit(1)
