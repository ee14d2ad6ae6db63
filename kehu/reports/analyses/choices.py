"""The values the filter form offers: teams, owners, industries, provinces and sources the
caller may choose from (their own scope's; a rep sees only themselves as owner)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kehu.accounts.models import Role, Team, User
from kehu.accounts.policy import READ_ALL
from kehu.core.regions import region_tree
from kehu.customers.models import Industry, Source


def filter_choices(user: User) -> dict[str, list[tuple[Any, str]]]:
    users = User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER))
    teams = Team.objects.all()
    if user.role not in READ_ALL:
        if user.role == Role.MANAGER and user.team_id:
            users = users.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
            teams = teams.filter(pk=user.team_id)
        else:
            users = users.filter(pk=user.pk)
            teams = teams.filter(pk=user.team_id) if user.team_id else teams.none()
    try:
        provinces = [r.stored_name for r in region_tree().children.get("", [])]
    except Exception:  # noqa: BLE001 - the division file is optional for the form
        provinces = []
    industries = Industry.objects.filter(parent__isnull=True, is_active=True)
    return {
        "teams": [(t.pk, t.name) for t in teams.order_by("name")],
        "owners": [(u.pk, u.label) for u in users.order_by("username")],
        "industries": [(i.pk, i.name) for i in industries],
        "regions": [(p, p) for p in provinces],
        "sources": [(s.pk, s.name) for s in Source.objects.filter(is_active=True)],
    }
