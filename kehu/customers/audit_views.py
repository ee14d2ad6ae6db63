"""/audit/: the audit log page with filters (admin, executive, data steward; others 403): the
change log, or with log=reads the read log (360 pages opened, searches, exports, reveals);
/audit/checkpoints/: the chain's signed checkpoints."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from kehu.accounts.requests import AuthedRequest
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditCheckpoint, AuditEntry, ReadEntry
from kehu.audit.services.anchor_keys import KeyProblem, fingerprint, signing_key
from kehu.core.errors import PermissionDenied, ValidationFailed
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
    for row in rows:
        row["actor_display"] = row["actor_name"]
        if log != "reads":
            row["shown"] = row["changes_shown"]


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
