"""Tasks on pages: "my day" (today, overdue, upcoming), a new task from the 360 page, a task's
change page (reassign, snooze to a day and time, title and note), and quick snoozes (htmx)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kehu.accounts.assignees import may_work_on
from kehu.accounts.models import Role, User
from kehu.accounts.policy import can_log_interaction, interaction_scope
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for

from .models import FollowUp
from .selectors import followup_get_for, followup_my_day
from .services.followups import followup_clean, followup_create, followup_update

READ_ALL = (Role.EXECUTIVE, Role.STEWARD, Role.ADMIN)
SNOOZES = (1, 7)


def assignable_users(customer: Customer) -> list[User]:
    """Who may be given a task on the customer (kehu.accounts.assignees.may_work_on)."""
    near = Q(team_id=customer.team_id) if customer.team_id else Q(pk__in=[])
    candidates = User.objects.filter(is_active=True).filter(
        near
        | Q(pk=customer.owner_id)
        | Q(role__in=READ_ALL)
        | Q(customer_shares__customer=customer)
    )
    return [u for u in candidates.distinct().order_by("username") if may_work_on(u, customer)]


def _back(request: AuthedRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _labels() -> dict[str, Any]:
    return {
        "kind": _("kind"),
        "title": pgettext("task", "title"),
        "note": _("note"),
        "owner": _("assigned to"),
        "due_date": _("due date"),
        "due_time": _("time"),
    }


@login_required
def my_day(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    buckets = followup_my_day(request.user, today=today)
    sections = [
        ("overdue", _("Overdue"), buckets["overdue"]),
        ("today", _("Today"), buckets["today"]),
        ("upcoming", _("Next 7 days"), buckets["upcoming"]),
        ("undated", _("No due date"), buckets["undated"]),
    ]
    return render(
        request,
        "interactions/my_day.html",
        {"sections": sections, "today": today, "snoozes": SNOOZES},
    )


def _card(request: AuthedRequest, task: FollowUp) -> HttpResponse:
    return render(
        request, "interactions/partials/_task_card.html", {"task": task, "snoozes": SNOOZES}
    )


@login_required
@require_POST
def followup_snooze(request: AuthedRequest, follow_up_id: int) -> HttpResponse:
    """Move the task's day by `days` (1: tomorrow, 7: next week) from today or its day."""
    task = followup_get_for(request.user, follow_up_id, for_write=True)
    try:
        days = max(1, min(int(request.POST.get("days", "1")), 365))
    except ValueError:
        days = 1
    start = max(task.due_date or timezone.localdate(), timezone.localdate())
    day = start + timedelta(days=days)
    values: dict[str, Any] = {"due_date": day, "due_at": None}
    if task.due_at is not None:
        local = timezone.localtime(task.due_at)
        values["due_at"] = timezone.make_aware(
            local.replace(tzinfo=None).replace(year=day.year, month=day.month, day=day.day)
        )
    try:
        task = followup_update(actor=request.user, follow_up=task, values=values)
    except InvalidTransition:
        task = followup_get_for(request.user, follow_up_id)
    if request.headers.get("HX-Request") == "true":
        return _card(request, task)
    messages.success(request, _("Task moved to %(day)s.") % {"day": day.isoformat()})
    return redirect(_back(request, reverse("my-day")))


@login_required
def followup_edit(request: AuthedRequest, follow_up_id: int) -> HttpResponse:
    """Reassign, snooze to a day and time, or change the title and note of a task."""
    task = followup_get_for(request.user, follow_up_id, for_write=True)
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "") for k in ("title", "note", "owner", "due_date", "due_time")
        }
        try:
            values = followup_clean(data, creating=False)
            followup_update(actor=request.user, follow_up=task, values=values)
        except ValidationFailed as exc:
            errors = exc.errors
        except InvalidTransition as exc:
            errors = {"title": [exc.message]}
        else:
            messages.success(request, _("Task saved."))
            return redirect(_back(request, reverse("my-day")))
    local_due = timezone.localtime(task.due_at) if task.due_at else None
    context = {
        "task": task,
        "users": assignable_users(task.customer),
        "errors": errors,
        "data": data,
        "due_time": local_due.strftime("%H:%M") if local_due else "",
        "next": _back(request, ""),
    }
    return render(
        request, "interactions/followup_edit.html", context, status=422 if errors else 200
    )


@login_required
@require_POST
def followup_new(request: AuthedRequest, customer_no: str) -> HttpResponse:
    """A task on the customer from its 360 page."""
    customer = customer_get_for(request.user, customer_no)
    writable = interaction_scope(request.user, Customer.objects.filter(pk=customer.pk))
    if not can_log_interaction(request.user) or not writable.exists():
        raise PermissionDenied(_("You may not add tasks to this customer."))
    data = {
        k: request.POST.get(k, "")
        for k in ("kind", "title", "note", "owner", "due_date", "due_time")
    }
    try:
        values = followup_clean(data)
        followup_create(actor=request.user, customer=customer, **values)
    except ValidationFailed as exc:
        for error in exc.lines(_labels()):
            messages.error(request, error)
    else:
        messages.success(request, _("Task added."))
    return redirect(
        reverse("customer-detail", kwargs={"customer_no": customer.customer_no}) + "#tasks"
    )
