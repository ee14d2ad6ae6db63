"""GET /api/v1/audit: the change log; GET /api/v1/audit/reads: the read log (360 pages opened,
searches, exports, reveals); GET /api/v1/audit/checkpoints: the chain's signed checkpoints.
Filtered, keyset-paginated; admin, executive, steward. POST/GET /api/v1/audit/export-reports:
report an export as suspicious, and the reports (kehu.customers.export_reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema, Status

from kehu.accounts.requests import AuthedRequest
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditCheckpoint
from kehu.core.api_utils import Paged, errors, paged

from .audit_log import assert_can_read_audit, audit_filter, audit_rows, read_filter, read_rows
from .export_reports import (
    export_entry_get,
    export_report,
    export_report_row,
    export_reports_for,
)

router = Router(tags=["audit"])


class LogFilters(Schema):
    """What both logs filter by (audit_log.audit_filter / read_filter), and the paging."""

    actor: str | None = None
    customer: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    source: str | None = None
    cursor: str | None = None
    limit: int | None = None


class AuditFilters(LogFilters):
    action: AuditAction | None = None
    target: str | None = None


class ChangeOut(Schema):
    """One changed field as people read it: its label, display values (names, not ids)."""

    field: str
    label: str
    before: str
    after: str


class AuditOut(Schema):
    id: int
    seq: int
    created_at: datetime
    actor: str  # the username (filter by it)
    actor_name: str  # the name people read
    action: str
    action_label: str
    target_type: str
    target_id: str
    target: str
    customer_no: str | None
    changes: dict[str, Any]  # as stored: {field: [before, after]}
    changes_shown: list[ChangeOut]
    note: str
    note_label: str  # the system's own notes in the request's language
    source: str
    source_label: str
    ip: str | None


class AuditPage(Paged):
    items: list[AuditOut]


@router.get("/audit", response={200: AuditPage, **errors(403, 422)}, summary="The audit log")
def audit_list(request: AuthedRequest, filters: Query[AuditFilters]) -> dict[str, object]:
    assert_can_read_audit(request.user)
    return paged(
        audit_filter(filters.model_dump()),
        cursor=filters.cursor,
        limit=filters.limit,
        items=lambda rows: audit_rows(request.user, rows),
    )


class ReadFilters(LogFilters):
    kind: str | None = None


class ReadOut(Schema):
    id: int
    created_at: datetime
    actor: str
    actor_name: str
    kind: str
    kind_label: str
    customer_no: str | None
    target: str
    query: str
    rows: int
    source: str
    source_label: str
    ip: str | None


class ReadPage(Paged):
    items: list[ReadOut]


@router.get("/audit/reads", response={200: ReadPage, **errors(403, 422)}, summary="The read log")
def audit_reads(request: AuthedRequest, filters: Query[ReadFilters]) -> dict[str, object]:
    """Who opened which customer, searched for what (the query, not the results), exported or
    revealed what; kept KEHU_AUDIT_READ_RETENTION_DAYS days."""
    assert_can_read_audit(request.user)
    return paged(
        read_filter(filters.model_dump()),
        cursor=filters.cursor,
        limit=filters.limit,
        items=lambda rows: read_rows(request.user, rows),
    )


class CheckpointOut(Schema):
    """A signed checkpoint of the chain (kehu.audit.services.anchor); the proof is the signed
    copy outside the database (the file, or what the webhook received)."""

    id: int
    created_at: datetime
    seq: int  # the checkpoint vouches for entries #1..#seq
    entry_hash: str
    key_fingerprint: str  # SHA-256 of the Ed25519 public key
    signature: str
    file_name: str
    webhook: str  # "", "sent" or "failed"
    webhook_error: str


class CheckpointPage(Paged):
    items: list[CheckpointOut]


class CheckpointFilters(Schema):
    cursor: str | None = None
    limit: int | None = None


@router.get(
    "/audit/checkpoints",
    response={200: CheckpointPage, **errors(403, 422)},
    summary="Signed checkpoints of the audit log",
)
def audit_checkpoints(
    request: AuthedRequest, filters: Query[CheckpointFilters]
) -> dict[str, object]:
    """Newest first. `kehu audit_verify --checkpoint FILE` proves no entry up to a checkpoint's
    seq was rewritten."""
    assert_can_read_audit(request.user)
    return paged(AuditCheckpoint.objects.all(), cursor=filters.cursor, limit=filters.limit)


class ExportReportIn(Schema):
    entry: int  # the export's id in the change log (AuditOut.id)
    reason: str


class ExportReportOut(Schema):
    id: int
    entry: int
    exported_at: datetime
    exported_by: str
    action: str
    action_label: str
    rows: int | None
    format: str
    filters: dict[str, Any]
    reason: str
    reported_by: str
    reported_at: datetime


@router.post(
    "/audit/export-reports",
    response={201: ExportReportOut, **errors(403, 404, 409, 422)},
    summary="Report an export as suspicious",
)
def export_report_create(request: AuthedRequest, payload: ExportReportIn) -> Status:
    entry = export_entry_get(request.user, payload.entry)
    report = export_report(actor=request.user, entry=entry, reason=payload.reason)
    return Status(201, export_report_row(report))


@router.get(
    "/audit/export-reports",
    response={200: list[ExportReportOut], **errors(403)},
    summary="Exports reported as suspicious",
)
def export_report_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [export_report_row(r) for r in export_reports_for(request.user)[:200]]
