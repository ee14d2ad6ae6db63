"""Scoped reads of follow-up tasks (跟进任务)."""

from __future__ import annotations

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
    return visible.select_related("customer", "owner", "done_by")


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
