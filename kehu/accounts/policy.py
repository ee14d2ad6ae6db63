"""Who may see and change which rows. Every list, detail, search, export and report starts here.

Models declare SCOPE_CUSTOMER: the path from the row to its customer ("" for the customer
itself, "customer" for contacts, interactions, ...). Rows outside the caller's scope are treated
as missing (404), never as forbidden.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from .models import Role, User

M = TypeVar("M", bound=Model)

# Roles that read every customer.
READ_ALL = {Role.ADMIN, Role.EXECUTIVE, Role.STEWARD}
# Roles that may create customers.
CREATE_ROLES = {Role.REP, Role.MANAGER, Role.ADMIN, Role.STEWARD}
WON = "won"
PROSPECT_STATUSES = ("lead", "intent")


def _path(model: type[Model], field: str) -> str:
    prefix = getattr(model, "SCOPE_CUSTOMER", None)
    if prefix is None:
        raise TypeError(f"{model.__name__} has no SCOPE_CUSTOMER; it cannot be scoped")
    return f"{prefix}__{field}" if prefix else field


def visibility_q(user: Any, model: type[Model], *, for_write: bool = False) -> Q | None:
    """The filter for rows this user may see (or change); None means every row."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    role = user.role
    owner = _path(model, "owner")
    team = _path(model, "team")
    status = _path(model, "status")
    if for_write:
        if role in (Role.ADMIN, Role.STEWARD):
            return None
        if role == Role.MANAGER:
            return Q(**{team: user.team_id}) if user.team_id else Q(**{owner: user.pk})
        if role == Role.REP:
            return Q(**{owner: user.pk})
        return Q(pk__in=[])
    if role in READ_ALL:
        return None
    if role == Role.MANAGER:
        return Q(**{team: user.team_id}) if user.team_id else Q(**{owner: user.pk})
    if role == Role.REP:
        return Q(**{owner: user.pk})
    if role == Role.SUPPORT:
        return Q(**{status: WON})
    if role == Role.MARKETING:
        return Q(**{f"{status}__in": PROSPECT_STATUSES})
    return Q(pk__in=[])


def scope_for(user: User | Any, queryset: QuerySet[M], *, for_write: bool = False) -> QuerySet[M]:
    """Rows of queryset this user may see (or change, with for_write)."""
    condition = visibility_q(user, queryset.model, for_write=for_write)
    return queryset if condition is None else queryset.filter(condition)


def can_create_customer(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in CREATE_ROLES


def can_log_interaction(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in (
        Role.REP,
        Role.MANAGER,
        Role.SUPPORT,
        Role.ADMIN,
        Role.STEWARD,
    )


def interaction_scope(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Customers on which this user may log an interaction (support: the won ones it sees)."""
    if getattr(user, "role", None) == Role.SUPPORT:
        return scope_for(user, queryset)
    return scope_for(user, queryset, for_write=True)
