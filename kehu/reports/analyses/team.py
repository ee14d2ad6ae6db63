"""Team performance: revenue, won deals and new customers per head and per team in the period,
against the targets (Target) of the month or quarter the period starts in.

Revenue: orders signed in the period (not cancelled), counted for the customer's owner. Won
deals: opportunities now 成交 whose stage changed in the period, counted for their owner. New
customers: created in the period, counted for their owner.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.accounts.policy import reads_all, sees_amount_bands, steward_unit_id
from kehu.customers.models import Customer
from kehu.opportunities.models import Opportunity, Order

from .db import reporting_alias
from .filters import Filters, quarter_end, quarter_start, scoped
from .models import Target
from .result import Chart, Figure, Result, rate
from .stored import stored_numbers

METRICS = ("revenue", "won_deals", "new_customers")


def actuals(user: User, filters: Filters) -> dict[tuple[str, int | None], dict[str, Any]]:
    """{('user', id) or ('team', id): {metric: value}} in the caller's scope and period."""
    out: dict[tuple[str, int | None], dict[str, Any]] = defaultdict(
        lambda: {"revenue": Decimal(0), "won_deals": 0, "new_customers": 0}
    )
    orders = (
        scoped(user, Order.objects.all(), filters, prefix="customer__")
        .exclude(status=Order.Status.CANCELLED)
        .filter(signed_on__gte=filters.start, signed_on__lte=filters.end)
        .values("customer__owner_id", "customer__team_id")
        .annotate(total=Sum("amount"))
    )
    for row in orders:
        for key in (("user", row["customer__owner_id"]), ("team", row["customer__team_id"])):
            out[key]["revenue"] += row["total"] or 0
    won = (
        scoped(user, Opportunity.objects.all(), filters, prefix="customer__")
        .filter(
            stage=Opportunity.Stage.WON,
            stage_changed_at__gte=filters.since,
            stage_changed_at__lt=filters.until,
        )
        .values("owner_id", "customer__team_id")
        .annotate(n=Count("id"))
    )
    for row in won:
        out[("user", row["owner_id"])]["won_deals"] += row["n"]
        out[("team", row["customer__team_id"])]["won_deals"] += row["n"]
    new = (
        scoped(user, Customer.objects.all(), filters, prefix="")
        .filter(created_at__gte=filters.since, created_at__lt=filters.until)
        .values("owner_id", "team_id")
        .annotate(n=Count("id"))
    )
    for row in new:
        out[("user", row["owner_id"])]["new_customers"] += row["n"]
        out[("team", row["team_id"])]["new_customers"] += row["n"]
    return out


def holder_covered(user: User, kind: str, pk: int | None, team_id: int | None = None) -> bool:
    """Whether the caller sees every customer a target's holder is measured on: a team
    (kind "team", pk its id) or a user (kind "user", of team `team_id`). Only then is the
    actual counted in the caller's scope the holder's whole figure: a rep sees the team's
    target, but counts only their own book, which is not the team's attainment."""
    if reads_all(user):
        return True
    team = pk if kind == "team" else team_id
    unit = steward_unit_id(user)
    if unit is not None:
        return team is not None and team == unit
    if kind == "user" and pk is not None and pk == user.pk:
        return True
    return user.role == Role.MANAGER and team is not None and team == user.team_id


def target_period(filters: Filters) -> tuple[str, date]:
    """The target period matching the filters: a whole quarter, else the starting month."""
    start, end = filters.start, filters.end
    if start == quarter_start(start) and end == quarter_end(start):
        return "quarter", start
    return "month", start.replace(day=1)


def targets_for(keys: list[str], period: str, period_start: date) -> dict[tuple[str, str], Decimal]:
    rows = Target.objects.using(reporting_alias()).filter(
        key__in=keys, period=period, period_start=period_start
    )
    return {(t.key, t.metric): t.amount for t in rows}


def actuals_json(got: dict[tuple[str, int | None], dict[str, Any]]) -> list[list[Any]]:
    """actuals as JSON (the worker stores them per scope, stored.py); revenue exact, as text."""
    return [
        [kind, pk, str(v["revenue"]), v["won_deals"], v["new_customers"]]
        for (kind, pk), v in got.items()
    ]


def actuals_from(rows: list[list[Any]]) -> dict[tuple[str, int | None], dict[str, Any]]:
    out: dict[tuple[str, int | None], dict[str, Any]] = defaultdict(
        lambda: {"revenue": Decimal(0), "won_deals": 0, "new_customers": 0}
    )
    for kind, pk, revenue, won, new in rows:
        out[(kind, pk)] = {"revenue": Decimal(revenue), "won_deals": won, "new_customers": new}
    return out


def team(user: User, filters: Filters) -> Result:
    """The actuals are counted live, or read from the worker's store of this scope and quarter
    (stored.py); names and targets are read now, so a new target shows at once."""
    stored = stored_numbers(user, "team", filters)
    figures_by = actuals_from(stored[0]) if stored else actuals(user, filters)
    bands = sees_amount_bands(user)
    period, period_start = target_period(filters)
    user_ids = [k[1] for k in figures_by if k[0] == "user" and k[1] is not None]
    team_ids = [k[1] for k in figures_by if k[0] == "team" and k[1] is not None]
    users = {u.pk: u for u in User.objects.using(reporting_alias()).filter(pk__in=user_ids)}
    teams = {t.pk: t.name for t in Team.objects.using(reporting_alias()).filter(pk__in=team_ids)}
    keys = [f"user:{i}" for i in user_ids] + [f"team:{i}" for i in team_ids]
    targets = targets_for(keys, period, period_start)
    nobody = _("(no owner)")

    def line(kind: str, pk: int | None, name: str) -> list[Any]:
        got = figures_by[(kind, pk)]
        key = f"{kind}:{pk}"
        holder_team = users[pk].team_id if kind == "user" and pk in users else None
        covered = holder_covered(user, kind, pk, holder_team)
        cells: list[Any] = [name]
        for metric in METRICS:
            # beside a partial figure (a rep's share of the team) a target would mislead
            target = targets.get((key, metric)) if covered else None
            value = got[metric]
            hidden = bands and metric == "revenue"
            cells += [
                None if hidden else value,
                None if hidden else target,
                None if hidden else rate(value, target),
            ]
        return cells

    rep_rows = sorted(
        (
            line("user", pk, users[pk].label if pk in users else nobody)
            for (kind, pk) in list(figures_by)
            if kind == "user"
        ),
        key=lambda r: -float(r[1] or 0),
    )
    team_rows = sorted(
        (
            line("team", pk, teams.get(pk, nobody) if pk else _("(no team)"))
            for (kind, pk) in list(figures_by)
            if kind == "team"
        ),
        key=lambda r: -float(r[1] or 0),
    )
    columns = [_("Name")]
    for label in (_("Revenue (CNY)"), _("Won deals"), _("New customers")):
        columns += [label, _("%(metric)s target") % {"metric": label}, _("Attainment")]
    heads = len([r for r in rep_rows if r[0] != nobody])
    total_revenue = sum(
        (figures_by[k]["revenue"] for k in figures_by if k[0] == "user"), Decimal(0)
    )
    total_won = sum(figures_by[k]["won_deals"] for k in figures_by if k[0] == "user")
    figures = [
        Figure("heads", _("Sales reps with results"), heads),
        Figure("revenue", _("Revenue"), None if bands else total_revenue, "money"),
        Figure(
            "revenue_per_head",
            _("Revenue per head"),
            None if bands else rate(total_revenue, heads),
            "money",
        ),
        Figure("won_deals", _("Won deals"), total_won),
        Figure("won_per_head", _("Won deals per head"), rate(total_won, heads)),
    ]
    label = _("quarter") if period == "quarter" else _("month")
    note = _("Targets of the %(period)s starting %(start)s.") % {
        "period": label,
        "start": period_start.isoformat(),
    }
    charts = [
        Chart(
            "per_rep",
            _("Results per rep"),
            "bar",
            columns,
            rep_rows,
            series=[1, 4],
            percent=[3, 6, 9],
            note=note,
        ),
        Chart(
            "per_team",
            _("Results per team"),
            "bar",
            columns,
            team_rows,
            series=[1, 4],
            percent=[3, 6, 9],
            note=note,
        ),
    ]
    fresh_at = stored[1] if stored else None
    return Result(
        "team", _("Team performance"), filters.as_query(), figures, charts, fresh_at=fresh_at
    )
