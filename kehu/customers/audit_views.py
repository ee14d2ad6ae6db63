"""/audit/: the audit log page with filters (admin, executive, data steward; others 403)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from kehu.audit.models import AuditEntry
from kehu.core.errors import ValidationFailed
from kehu.core.pagination import keyset_page

from .audit_log import FILTERS, audit_filter, audit_rows, can_read_audit


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    if not can_read_audit(request.user):
        raise PermissionDenied
    params = {name: request.GET.get(name, "") for name in FILTERS}
    errors: dict[str, list[str]] = {}
    rows, next_url = [], ""
    try:
        page = keyset_page(
            audit_filter(params),
            order="-id",
            cursor=request.GET.get("cursor") or None,
            limit=settings.KEHU_PAGE_SIZE,
        )
    except ValidationFailed as exc:
        errors = exc.errors
    else:
        rows = audit_rows(request.user, list(page.items))
        if page.next_cursor:
            kept = {k: v for k, v in params.items() if v}
            next_url = "?" + urlencode({**kept, "cursor": page.next_cursor})
    return render(
        request,
        "customers/audit.html",
        {
            "params": params,
            "rows": rows,
            "next_url": next_url,
            "errors": errors,
            "sources": AuditEntry.Source.choices,
        },
        status=422 if errors else 200,
    )
