"""A suspicious export's report: the row and its entry in the chain, in one transaction. Who may
report, and what, is decided above (kehu.customers.export_reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from ..actions import AuditAction
from ..models import AuditEntry, ExportReport
from .chain import audit_record

if TYPE_CHECKING:
    from kehu.accounts.models import User


@transaction.atomic
def export_report_write(*, actor: User, entry: AuditEntry, reason: str) -> ExportReport:
    """One report per export: a second raises IntegrityError (the caller answers 409)."""
    report = ExportReport.objects.create(entry=entry, reported_by=actor, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT_REPORTED,
        target=report,
        changes={
            "export": [None, entry.seq],
            "exported_by": [None, entry.actor_name],
            "reason": [None, reason],
        },
    )
    return report
