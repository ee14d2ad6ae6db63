"""The review queue's pages: the list (what waits for me, what I asked for), one item with its
readable changes, approve or reject with a note."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import DomainError, ValidationFailed
from kehu.core.pagination import keyset_page

from .api import review_filtered
from .models import ReviewItem
from .selectors import can_decide, review_item_get_for
from .services import review_decide

PAGE = 50


@login_required
def review_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    action = request.GET.get("action", "")
    if status not in ("", *ReviewItem.Status.values):
        status = "pending"
    queryset = review_filtered(request.user, status=status, action=action)
    page = keyset_page(queryset, order="-id", cursor=request.GET.get("cursor"), limit=PAGE)
    rows = [(item, can_decide(request.user, item)) for item in page.items]
    next_url = ""
    if page.next_cursor:
        next_url = "?" + urlencode({"status": status, "action": action, "cursor": page.next_cursor})
    return render(
        request,
        "review/list.html",
        {
            "rows": rows,
            "status": status,
            "action": action,
            "statuses": ReviewItem.Status.choices,
            "actions": ReviewItem.Action.choices,
            "next_url": next_url,
        },
    )


@login_required
def review_detail(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = review_item_get_for(request.user, item_id)
    return render(
        request,
        "review/detail.html",
        {"item": item, "can_decide": can_decide(request.user, item)},
    )


@login_required
@require_POST
def review_decide_view(request: AuthedRequest, item_id: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        raise Http404
    item = review_item_get_for(request.user, item_id)
    try:
        review_decide(
            actor=request.user,
            item=item,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
        )
    except ValidationFailed as exc:
        messages.error(request, "; ".join(m for msgs in exc.errors.values() for m in msgs))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if decision == "approve":
            messages.success(request, _("#%(id)s approved and applied.") % {"id": item.pk})
        else:
            messages.success(request, _("#%(id)s rejected.") % {"id": item.pk})
    return redirect(request.POST.get("next") or "review-list")


@login_required
def approvals_redirect(request: AuthedRequest) -> HttpResponse:
    """The older approvals page lives on as the review queue."""
    return redirect("review-list")
