"""Reads for hand-overs and notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kehu.accounts.models import Notification, Role, User


def handover_candidates_for(actor: Any) -> QuerySet[User]:
    """Users this actor may hand over: everyone for an admin, the team for a manager."""
    users = User.objects.exclude(pk=actor.pk).select_related("team").order_by("username")
    if actor.role == Role.ADMIN:
        return users
    if actor.role == Role.MANAGER and actor.team_id:
        return users.filter(team_id=actor.team_id)
    return users.none()


def successors_for(actor: Any, user: User) -> QuerySet[User]:
    users = User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER)).exclude(
        pk=user.pk
    )
    if actor.role == Role.MANAGER:
        users = users.filter(team_id=actor.team_id)
    return users.order_by("username")


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)
