"""Reporting a suspicious export (issue 20's drill, and a real control): whoever reads the audit
log (administrators, executives, data stewards) marks an export in the change log as suspicious
with a reason. The report is one row per export (kehu.audit.ExportReport), an audit entry, and a
notification to the administrators; /audit/export-reports/ and GET /api/v1/audit/export-reports
list the reports for the same readers."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.services import notification_send
from kehu.audit.actions import AuditAction, action_label
from kehu.audit.models import AuditEntry, ExportReport
from kehu.audit.services import export_report_write
from kehu.core.errors import Conflict, NotFound, ValidationFailed

from .audit_log import assert_can_read_audit

# What the change log records for an export: customers, an analysis, one person's data.
EXPORT_ACTIONS = (
    AuditAction.CUSTOMERS_EXPORTED,
    AuditAction.REPORT_EXPORTED,
    AuditAction.PRIVACY_PERSON_EXPORTED,
)
REASON_MAX = 2000


def export_entry_get(user: User, entry_id: int) -> AuditEntry:
    """An export entry of the change log, for a reader of the log."""
    assert_can_read_audit(user)
    entry = AuditEntry.objects.filter(pk=entry_id).select_related("actor").first()
    if entry is None:
        raise NotFound()
    return entry


def export_report(*, actor: User, entry: AuditEntry, reason: str) -> ExportReport:
    """Report `entry` (an export) as suspicious; 409 when it is reported already."""
    assert_can_read_audit(actor)
    if entry.action not in EXPORT_ACTIONS:
        raise ValidationFailed({"entry": [_("Only an export can be reported as suspicious.")]})
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why this export looks suspicious.")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            {"reason": [_("At most %(count)s characters.") % {"count": REASON_MAX}]}
        )
    existing = ExportReport.objects.filter(entry=entry).select_related("reported_by").first()
    if existing is not None:
        raise _reported_already(existing)
    try:
        report = export_report_write(actor=actor, entry=entry, reason=reason)
    except IntegrityError as exc:  # reported by someone else meanwhile
        raise _reported_already(ExportReport.objects.get(entry=entry)) from exc
    notification_send(
        users=User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=actor.pk),
        message=_("%(user)s reported an export by %(exporter)s as suspicious: %(reason)s")
        % {"user": actor.label, "exporter": exporter_label(entry), "reason": reason[:200]},
        link=reverse("audit-export-reports"),
    )
    return report


def exporter_label(entry: AuditEntry) -> str:
    return entry.actor.label if entry.actor else entry.actor_name


def _reported_already(report: ExportReport) -> Conflict:
    who = report.reported_by.label if report.reported_by else _("someone")
    return Conflict(
        _("This export was reported already by %(user)s on %(day)s.")
        % {"user": who, "day": f"{report.created_at:%Y-%m-%d}"}
    )


def export_reports_for(user: User) -> QuerySet[ExportReport]:
    assert_can_read_audit(user)
    return ExportReport.objects.select_related("entry", "entry__actor", "reported_by").order_by(
        "-id"
    )


def export_report_row(report: ExportReport) -> dict[str, Any]:
    entry = report.entry
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    return {
        "id": report.pk,
        "entry": entry.pk,
        "exported_at": entry.created_at,
        "exported_by": exporter_label(entry),
        "action": entry.action,
        "action_label": action_label(entry.action),
        "rows": changes.get("rows"),
        "format": changes.get("format", ""),
        "filters": changes.get("filters") or {},
        "reason": report.reason,
        "reported_by": report.reported_by.label if report.reported_by else "",
        "reported_at": report.created_at,
    }
