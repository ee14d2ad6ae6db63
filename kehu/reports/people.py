"""Figures stored per viewer's scope (issue 18: a rep's book or a manager's team at a million
customers is too large to count per request).

The worker computes a named report or an analysis for each active rep and manager with the
same function the page calls, over the same scope (kehu.accounts.policy.scope_for), and stores
it under the person's key ('rep:<id>', 'manager:<id>'); the roles that read every customer
share one key ('all'). Each stored row carries the scope's mark: what the viewer's scope
depended on when it was computed (role, team, a steward's unit, the customers shared with
them). A page reads the row only while the mark is unchanged, so a viewer moved to another
team, or whose shares changed, is counted live until the next refresh, never shown another
scope's figures. Lists of customers read from a stored row are checked against the viewer's
scope as it is now (visible_rows), so a customer handed over since is not shown.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Sum

from kehu.accounts.models import Role, User
from kehu.accounts.policy import reads_all, scope_for, steward_unit_id
from kehu.customers.models import Customer

PEOPLE_ROLES = (Role.REP, Role.MANAGER)


def scope_key(user: Any) -> str | None:
    """The key a viewer's stored figures are under: 'all' for the roles that read every
    customer, '<role>:<id>' for an active rep or manager; None for anyone else (live)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if reads_all(user):
        return "all"
    if user.role in PEOPLE_ROLES:
        return f"{user.role}:{user.pk}"
    return None


def scope_mark(user: Any) -> list[Any]:
    """What the viewer's scope depends on besides the customers' own owner and team: role,
    team, a steward's unit and the customers shared with them (count, sum and newest share:
    one index range on the shares' user)."""
    if reads_all(user):
        return ["all"]
    shares = user.customer_shares.aggregate(n=Count("pk"), s=Sum("customer_id"), m=Max("pk"))
    return [
        str(user.role),
        user.team_id,
        steward_unit_id(user),
        shares["n"],
        None if shares["s"] is None else int(shares["s"]),  # PostgreSQL sums to a decimal
        shares["m"],
    ]


def people() -> list[User]:
    """The active reps and managers whose figures the worker stores."""
    return list(User.objects.filter(role__in=PEOPLE_ROLES, is_active=True).order_by("id"))


def visible_rows(user: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows (each with a 'customer_no') of customers the viewer may see now: one query on
    the customer number's index, scoped."""
    if reads_all(user) or not rows:
        return rows
    numbers = [r["customer_no"] for r in rows]
    seen = set(
        scope_for(user, Customer.objects.filter(customer_no__in=numbers)).values_list(
            "customer_no", flat=True
        )
    )
    return [r for r in rows if r["customer_no"] in seen]
