"""Scoped reads of follow-up tasks (跟进任务)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kehu.accounts.policy import scope_for
from kehu.customers.models import Customer

from .models import FollowUp


def followup_queryset_for(user: Any) -> QuerySet[FollowUp]:
    """Tasks the user may see: those assigned to them, and those on customers they can see."""
    visible = scope_for(user, FollowUp.objects.all())
    if getattr(user, "is_authenticated", False):
        visible = FollowUp.objects.filter(Q(pk__in=visible.values("pk")) | Q(owner=user))
    return visible.select_related("customer", "owner", "done_by", "interaction", "event")


def followup_list_mine(user: Any, *, include_done: bool = False) -> QuerySet[FollowUp]:
    tasks = followup_queryset_for(user).filter(owner=user)
    return tasks if include_done else tasks.filter(done_at__isnull=True)


def followup_get_for(user: Any, follow_up_id: int, *, for_write: bool = False) -> FollowUp:
    """The task if the user may see it (change it, with for_write: its assignee, or whoever may
    change the customer); else 404."""
    task = followup_queryset_for(user).filter(pk=follow_up_id).first()
    if task is None:
        raise Http404("No such task.")
    if for_write and task.owner_id != getattr(user, "pk", None):
        writable = scope_for(user, Customer.objects.filter(pk=task.customer_id), for_write=True)
        if not writable.exists():
            raise Http404("No such task.")
    return task


def followup_open_exists(*, customer_id: int, kind: str) -> bool:
    return FollowUp.objects.filter(
        customer_id=customer_id, kind=kind, done_at__isnull=True
    ).exists()


UPCOMING_DAYS = 7


def followup_my_day(user: Any, *, today: date, limit: int = 100) -> dict[str, list[FollowUp]]:
    """The user's open tasks for "my day": overdue (due before today), today's, upcoming (the
    next UPCOMING_DAYS days) and undated; each soonest first, at most `limit`."""
    mine = followup_list_mine(user).order_by("due_date", "due_at", "id")
    return {
        "overdue": list(mine.filter(due_date__lt=today)[:limit]),
        "today": list(mine.filter(due_date=today)[:limit]),
        "upcoming": list(
            mine.filter(due_date__gt=today, due_date__lte=today + timedelta(days=UPCOMING_DAYS))[
                :limit
            ]
        ),
        "undated": list(mine.filter(due_date__isnull=True).order_by("id")[:limit]),
    }
