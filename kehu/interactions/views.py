"""The "my tasks" page: open follow-ups assigned to me, done with one click (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import InvalidTransition

from .selectors import followup_get_for, followup_list_mine
from .services.followups import followup_complete

LIST_SIZE = 200


@login_required
def followup_list(request: AuthedRequest) -> HttpResponse:
    include_done = request.GET.get("done") == "1"
    tasks = (
        followup_list_mine(request.user, include_done=include_done)
        .select_related("customer")
        .order_by("done_at", "due_date", "id")
    )
    context = {"tasks": list(tasks[:LIST_SIZE]), "include_done": include_done}
    return render(request, "interactions/followup_list.html", context)


@login_required
@require_POST
def followup_done(request: AuthedRequest, follow_up_id: int) -> HttpResponse:
    task = followup_get_for(request.user, follow_up_id, for_write=True)
    try:
        task = followup_complete(actor=request.user, follow_up=task)
    except InvalidTransition:
        task = followup_get_for(request.user, follow_up_id)
    if request.headers.get("HX-Request") == "true":
        if request.POST.get("as") == "card":  # my day, the 360 page
            return render(request, "interactions/partials/_task_card.html", {"task": task})
        return render(request, "interactions/partials/_followup_row.html", {"task": task})
    if request.POST.get("as") == "card":
        return redirect("my-day")
    return redirect("followup-list")
