"""kehu audit_verify: check the audit log's hash chain and the read log's seals; exit 1 naming the
first bad entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehu.audit.models import AuditEntry
from kehu.audit.services import ReadsReport, audit_verify


class Command(BaseCommand):
    help = (
        "Verify the tamper-evident audit log (names the first edited, inserted or deleted entry) "
        "and the read log's sealed days."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reads = ReadsReport()
        problems = list(audit_verify(reads))
        if not problems:
            count = AuditEntry.objects.count()
            self.stdout.write(
                self.style.SUCCESS(f"Audit log verified: {count} entries, chain intact.")
            )
            self.stdout.write(
                f"Read log: {reads.verified} sealed entries match their seals; "
                f"{reads.unsealed} not sealed yet; purged up to #{reads.purged_up_to}."
            )
            return
        first = problems[0]
        where = f"entry #{first.seq}" + (f" (id {first.entry_id})" if first.entry_id else "")
        self.stderr.write(self.style.ERROR(f"Audit log broken at {where}: {first.problem}."))
        for problem in problems[1:10]:
            self.stderr.write(f"  also #{problem.seq}: {problem.problem}")
        raise SystemExit(1)
