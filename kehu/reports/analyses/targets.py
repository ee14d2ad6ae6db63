"""Targets (per rep or team, per month or quarter) and their attainment.

`targets_attainment(user, period)` is what a dashboard tile calls: the targets the user may see
for that period, each with its actual figure and the share reached.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import READ_ALL, sees_amount_bands
from kehu.core.errors import ValidationFailed

from .filters import Filters, quarter_end, quarter_start
from .models import Target
from .result import number, rate
from .team import actuals, holder_covered


def parse_period(period: str | None, *, today: date | None = None) -> tuple[str, date]:
    """'2026-12' (a month), '2026-Q4' (a quarter) or None (this quarter) -> (kind, first day)."""
    today = today or timezone.localdate()
    text = (period or "").strip().upper()
    if not text:
        return "quarter", quarter_start(today)
    try:
        if "-Q" in text:
            year, quarter = text.split("-Q")
            if quarter not in ("1", "2", "3", "4"):
                raise ValueError(text)
            return "quarter", date(int(year), 3 * int(quarter) - 2, 1)
        year, month = text.split("-")
        return "month", date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(
            {"period": [_("Give a month (2026-12) or a quarter (2026-Q4).")]}
        ) from None


def period_end(kind: str, start: date) -> date:
    if kind == "quarter":
        return quarter_end(start)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def period_label(kind: str, start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}" if kind == "quarter" else f"{start:%Y-%m}"


def target_scope(user: User, queryset: QuerySet[Target]) -> QuerySet[Target]:
    """Targets a user may see: everyone's for executives and administrators, the team's and its
    members' for a manager, their own (and their team's) for a rep."""
    if user.role in READ_ALL:
        return queryset
    if user.role == Role.MANAGER and user.team_id:
        return queryset.filter(Q(team_id=user.team_id) | Q(user__team_id=user.team_id))
    mine = Q(user_id=user.pk)
    if user.team_id:
        mine |= Q(team_id=user.team_id)
    return queryset.filter(mine)


def targets_attainment(user: User, period: str | None = None) -> list[dict[str, Any]]:
    """The visible targets of the period with actual and attainment (share, None without a
    target amount); revenue is withheld from roles that see amounts only as bands."""
    kind, start = parse_period(period)
    filters = Filters(start=start, end=period_end(kind, start))
    got = actuals(user, filters)
    rows = target_scope(user, Target.objects.filter(period=kind, period_start=start))
    out: list[dict[str, Any]] = []
    for target in rows.select_related("user", "team").order_by("key", "metric"):
        holder = ("user", target.user_id) if target.scope == "user" else ("team", target.team_id)
        actual = got[holder][target.metric] if holder in got else 0
        holder_team = target.user.team_id if target.user else None
        hidden = target.metric == "revenue" and sees_amount_bands(user)
        # a team's target to a rep: their own book is not the team's actual
        partial = hidden or not holder_covered(user, holder[0], holder[1], holder_team)
        out.append(
            {
                "id": target.pk,
                "period": period_label(kind, start),
                "scope": target.scope,
                "holder": target.user.label
                if target.user
                else (target.team.name if target.team else ""),
                "metric": target.metric,
                "metric_label": str(Target.Metric(target.metric).label),
                "target": None if hidden else number(target.amount),
                "actual": None if partial else number(actual),
                "attainment": None if partial else rate(actual, target.amount),
            }
        )
    return out
