"""The managers' page of pending change requests, approve or reject with a comment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.errors import DomainError

from . import approvals
from .models import ChangeRequest


@login_required
def change_request_list(request: HttpRequest) -> HttpResponse:
    pending = approvals.change_request_queryset_for(request.user).filter(
        status=ChangeRequest.Status.PENDING
    )[:200]
    rows = [(c, approvals.can_decide(request.user, c)) for c in pending]
    return render(request, "customers/change_requests.html", {"rows": rows})


@login_required
@require_POST
def change_request_decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        return HttpResponseBadRequest()
    change = approvals.change_request_get_for(request.user, request_id)
    try:
        approvals.change_request_decide(
            actor=request.user,
            change=change,
            approve=decision == "approve",
            comment=request.POST.get("comment", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("change-request-list")
    messages.success(
        request, _("Change approved.") if decision == "approve" else _("Change rejected.")
    )
    return redirect("change-request-list")
