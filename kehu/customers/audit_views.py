"""/audit/: the audit log page with filters (admin, executive, data steward; others 403): the
change log, or with log=reads the read log (360 pages opened, searches, exports, reveals);
/audit/checkpoints/: the chain's signed checkpoints; /audit/<id>/report/ (POST): report an export
as suspicious; /audit/export-reports/: the exports reported (kehu.customers.export_reports)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditCheckpoint, AuditEntry, ExportReport, ReadEntry
from kehu.audit.services.anchor_keys import KeyProblem, fingerprint, signing_key
from kehu.core.errors import DomainError, PermissionDenied, ValidationFailed
from kehu.core.pagination import keyset_page

from .audit_log import (
    FILTERS,
    READ_FILTERS,
    audit_filter,
    audit_rows,
    can_read_audit,
    log_of,
    read_filter,
    read_rows,
)
from .export_reports import (
    EXPORT_ACTIONS,
    export_entry_get,
    export_report,
    export_report_row,
    export_reports_for,
)


@login_required
def audit_page(request: AuthedRequest) -> HttpResponse:
    if not can_read_audit(request.user):
        raise PermissionDenied
    names = dict.fromkeys(("log", *FILTERS, *READ_FILTERS))
    params = {name: request.GET.get(name, "") for name in names}
    errors: dict[str, list[str]] = {}
    rows: list[dict[str, Any]] = []
    next_url = ""
    log = "changes"
    cursor = request.GET.get("cursor") or None
    size = settings.KEHU_PAGE_SIZE
    next_cursor: str | None = None
    try:
        log = log_of(params)
        if log == "reads":
            reads = keyset_page(read_filter(params), order="-id", cursor=cursor, limit=size)
            rows, next_cursor = read_rows(request.user, list(reads.items)), reads.next_cursor
        else:
            changes = keyset_page(audit_filter(params), order="-id", cursor=cursor, limit=size)
            rows, next_cursor = audit_rows(request.user, list(changes.items)), changes.next_cursor
    except ValidationFailed as exc:
        errors = exc.errors
    _for_people(rows, log)
    if next_cursor:
        kept = {k: v for k, v in params.items() if v}
        next_url = "?" + urlencode({**kept, "cursor": next_cursor})
    return render(
        request,
        "customers/audit.html",
        {
            "params": params,
            "log": log,
            "rows": rows,
            "next_url": next_url,
            "errors": errors,
            "sources": AuditEntry.Source.choices,
            "actions": AuditAction.choices,
            "kinds": ReadEntry.Kind.choices,
        },
        status=422 if errors else 200,
    )


def _for_people(rows: list[dict[str, Any]], log: str) -> None:
    """What the page shows beside the API's fields: each change with its field label and
    display values, only what changed (audit_log.audit_rows has names, labels and notes)."""
    exports = [row["id"] for row in rows if log != "reads" and row["action"] in EXPORT_ACTIONS]
    reported = set(
        ExportReport.objects.filter(entry_id__in=exports).values_list("entry_id", flat=True)
    )
    for row in rows:
        row["actor_display"] = row["actor_name"]
        if log != "reads":
            row["shown"] = row["changes_shown"]
            row["is_export"] = row["id"] in exports
            row["reported"] = row["id"] in reported


@login_required
def audit_checkpoints_page(request: AuthedRequest) -> HttpResponse:
    """/audit/checkpoints/: the chain's signed checkpoints (kehu.audit.services.anchor), newest
    first, with the key in force and where checkpoints go."""
    if not can_read_audit(request.user):
        raise PermissionDenied
    page = keyset_page(
        AuditCheckpoint.objects.all(),
        order="-id",
        cursor=request.GET.get("cursor") or None,
        limit=settings.KEHU_PAGE_SIZE,
    )
    try:
        key_fingerprint = fingerprint(signing_key().public_key())
    except KeyProblem:
        key_fingerprint = ""
    next_url = "?" + urlencode({"cursor": page.next_cursor}) if page.next_cursor else ""
    return render(
        request,
        "customers/audit_checkpoints.html",
        {
            "checkpoints": list(page.items),
            "next_url": next_url,
            "key_fingerprint": key_fingerprint,
            "folder": settings.KEHU_AUDIT_CHECKPOINT_DIR,
            "has_webhook": bool(settings.KEHU_AUDIT_CHECKPOINT_WEBHOOK),
        },
    )


@login_required
@require_POST
def export_report_create(request: AuthedRequest, entry_id: int) -> HttpResponse:
    """The audit page's "report as suspicious" on an export; back to the page it came from."""
    entry = export_entry_get(request.user, entry_id)
    try:
        export_report(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        lines = exc.lines({"reason": _("reason")}) if isinstance(exc, ValidationFailed) else []
        messages.error(request, " ".join(lines) or exc.message)
    else:
        messages.success(request, _("Export reported: the administrators were told."))
        return redirect("audit-export-reports")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "audit-log")


@login_required
def export_reports_page(request: AuthedRequest) -> HttpResponse:
    """/audit/export-reports/: every export reported as suspicious, newest first."""
    page = keyset_page(
        export_reports_for(request.user),
        order="-id",
        cursor=request.GET.get("cursor") or None,
        limit=settings.KEHU_PAGE_SIZE,
    )
    next_url = "?" + urlencode({"cursor": page.next_cursor}) if page.next_cursor else ""
    return render(
        request,
        "customers/audit_export_reports.html",
        {"reports": [export_report_row(r) for r in page.items], "next_url": next_url},
    )
