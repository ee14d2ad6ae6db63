"""Reads for hand-overs, notifications, the team pool and the teams' pool settings."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kehu.accounts.models import Notification, Role, Team, User
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_queryset_for
from kehu.customers.services.ownership import POOLED, RETURNED


def handover_candidates_for(actor: User) -> QuerySet[User]:
    """Users this actor may hand over: everyone for an admin, the team for a manager."""
    users = User.objects.exclude(pk=actor.pk).select_related("team").order_by("username")
    if actor.role == Role.ADMIN:
        return users
    if actor.role == Role.MANAGER and actor.team_id:
        return users.filter(team_id=actor.team_id)
    return users.none()


def successors_for(actor: User, user: User) -> QuerySet[User]:
    users = User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER)).exclude(
        pk=user.pk
    )
    if actor.role == Role.MANAGER:
        users = users.filter(Q(team_id=actor.team_id))  # no team: those without one
    return users.order_by("username")


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


# --- The team pool (公海)


def pool_for(user: Any) -> QuerySet[Customer]:
    """Customers without an owner that the user sees; a rep's or manager's: their team's pool
    (what they may claim). Newest in the pool first."""
    customers = customer_queryset_for(user).filter(owner__isnull=True)
    if getattr(user, "role", None) in (Role.REP, Role.MANAGER):
        customers = customers.filter(team_id=user.team_id) if user.team_id else customers.none()
    return customers.select_related("team", "industry").order_by("-updated_at", "-id")


def pool_reasons(customers: list[Customer]) -> dict[int, str]:
    """Why each customer went to the pool: the note of its latest return or pooling."""
    reasons: dict[int, str] = {}
    entries = (
        AuditEntry.objects.filter(
            customer_id__in=[c.pk for c in customers], action__in=(RETURNED, POOLED)
        )
        .order_by("customer_id", "-id")
        .values_list("customer_id", "note")
    )
    for customer_id, note in entries:
        if customer_id is not None:
            reasons.setdefault(customer_id, note)
    return reasons


def teams_for(user: User) -> QuerySet[Team]:
    """Every team for an administrator; the user's own team for anyone else."""
    if user.role == Role.ADMIN:
        return Team.objects.order_by("name")
    return Team.objects.filter(pk=user.team_id or 0)
