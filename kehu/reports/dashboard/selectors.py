"""The home dashboard of a viewer: the tiles of their role, over what they may see.

A rep's and a manager's tiles are counted on their scope (owner / team indexes); the same
refresh stores each team's funnel and 红黑榜, each rep's pipeline, lifecycle and completeness
counts and each manager's pipeline and activity per rep (keys "team:<id>", "rep:<id>",
"manager:<id>"), which their pages read while fresh (two refresh periods)
and when nothing is shared with them, else count live: at a million customers a book or a team
is too large to count per request. The
company-wide figures of the roles that read everything (executive, steward, admin) and each
source's conversion come from one stored snapshot (ReportSnapshot kind "dashboard", key
"all"), refreshed on the worker every KEHU_DASHBOARD_REFRESH_SECONDS (dashboard.tasks); the
page shows when it was computed. Without a snapshot (a fresh install) it is computed at once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.accounts.policy import READ_ALL, reads_all
from kehu.customers.models import Customer, CustomerStatusChange
from kehu.interactions.models import Interaction
from kehu.opportunities.models import Opportunity, Order
from kehu.opportunities.selectors import OPEN_STAGES

from ..models import ReportSnapshot
from ..services import report_snapshot_store
from . import figures
from . import periods as period_figures
from .tiles import Item, Tile, link, money, month_bounds, quarter_bounds, start_of

KIND = "dashboard"


def company_kpis(today: date) -> dict[str, Any]:
    """The company's KPIs for this month, last month, this quarter and last quarter."""
    periods = {
        "month": month_bounds(today),
        "last_month": month_bounds(today, 1),
        "quarter": quarter_bounds(today),
        "last_quarter": quarter_bounds(today, 1),
    }
    customers = Customer.objects.all()
    changes = CustomerStatusChange.objects.all()
    interactions = Interaction.objects.all()
    orders = Order.objects.all()
    out: dict[str, Any] = {"periods": {k: [str(a), str(b)] for k, (a, b) in periods.items()}}
    for name, (start, end) in periods.items():
        out[name] = {
            "new_customers": customers.filter(
                created_at__gte=start_of(start), created_at__lt=start_of(end)
            ).count(),
            "won_customers": period_figures.won_between(changes, start, end),
            "revenue": money(period_figures.orders_between(orders, start, end)),
            "interactions": period_figures.interactions_between(interactions, start, end),
        }
    out["pipeline"] = period_figures.open_pipeline(Opportunity.objects.all())
    out["by_source"] = figures.company_by_source()
    out["status_counts"] = figures.status_counts(customers)
    out["quality_rows"] = figures.quality_rows(customers)
    out["lifecycle"] = figures.lifecycle_counts(None)
    return out


def snapshot_refresh(*, now: datetime | None = None) -> ReportSnapshot:
    """Compute the company-wide figures and store them (the worker's periodic task)."""
    now = now or timezone.now()
    data = company_kpis(timezone.localdate(now))
    team_snapshots_store(now=now)
    people_snapshots_store(now=now)
    return report_snapshot_store(kind=KIND, data=data, now=now)


def team_snapshots_store(*, now: datetime) -> int:
    """Each team's funnel and 红黑榜 (key 'team:<id>'), so that a manager's page over a team of
    100,000 reads one row; returns how many teams were stored."""
    teams = Team.objects.order_by("id").values_list("id", flat=True)
    for team_id in teams:
        customers = Customer.objects.filter(team_id=team_id)
        data = {
            "status_counts": figures.status_counts(customers),
            "quality_rows": figures.quality_rows(customers),
        }
        report_snapshot_store(kind=KIND, key=f"team:{team_id}", data=data, now=now)
    return len(teams)


def people_snapshots_store(*, now: datetime) -> int:
    """Each active rep's pipeline, lifecycle and completeness counts over their own book (key
    'rep:<id>'), and each active manager's pipeline and activity per rep of today (key
    'manager:<id>'), computed as their pages would; returns how many were stored."""
    today = timezone.localdate(now)
    people = User.objects.filter(role__in=[Role.REP, Role.MANAGER], is_active=True)
    for person in people.order_by("id"):
        if person.role == Role.REP:
            mine = figures.customers_for(person).filter(owner=person)
            data: dict[str, Any] = {
                "pipeline": figures.pipeline_figures(person, owner="me"),
                "lifecycle": figures.lifecycle_counts(mine),
                "quality": figures.quality_counts(mine),
            }
        else:
            data = {
                "pipeline": figures.pipeline_figures(person),
                "activity": figures.activity_figures(person, today),
                "today": today.isoformat(),
            }
        report_snapshot_store(kind=KIND, key=f"{person.role}:{person.pk}", data=data, now=now)
    return len(people)


def fresh_snapshot(user: User, key: str, now: datetime) -> ReportSnapshot | None:
    """The worker's figures under `key` when fresh (two refresh periods) and when the viewer's
    scope is just their book or team (nothing shared with them); else None: count live."""
    refresh = settings.KEHU_DASHBOARD_REFRESH_SECONDS
    if refresh <= 0 or user.customer_shares.exists():
        return None
    return ReportSnapshot.objects.filter(
        kind=KIND, key=key, generated_at__gte=now - timedelta(seconds=2 * refresh)
    ).first()


def team_snapshot(user: User, now: datetime) -> ReportSnapshot | None:
    """The manager's team figures from the worker (fresh_snapshot)."""
    return fresh_snapshot(user, f"team:{user.team_id}", now) if user.team_id else None


def company_snapshot(*, now: datetime | None = None) -> ReportSnapshot:
    """The stored company-wide figures; computed now if none is stored or it is from another
    month (the periods would be wrong)."""
    now = now or timezone.now()
    snapshot = ReportSnapshot.objects.filter(kind=KIND, key="all").first()
    month = str(month_bounds(timezone.localdate(now))[0])
    if (
        snapshot is None
        or "quality_rows" not in snapshot.data  # stored by an older version
        or snapshot.data.get("periods", {}).get("month", [""])[0] != month
    ):
        return snapshot_refresh(now=now)
    return snapshot


def kpi_tile(data: dict[str, Any], *, period: str = "month") -> Tile:
    previous = {"month": "last_month", "quarter": "last_quarter"}[period]
    now, before = data[period], data[previous]
    start, end = data["periods"][period]
    labels = {
        "new_customers": _("New customers"),
        "won_customers": _("Won customers"),
        "revenue": _("Revenue from orders"),
        "interactions": _("Interactions"),
    }
    links = {
        "new_customers": link("customer-list", created_from=start, created_to=_day_before(end)),
        "won_customers": link("customer-list", won_from=start, won_to=_day_before(end)),
        "revenue": link("customer-list", status="won"),
        "interactions": link("customer-list", last_contact_from=start),
    }
    items = []
    for key, label in labels.items():
        value = now[key]
        display = f"¥{value:,.2f}" if key == "revenue" else f"{value:,}"
        items.append(
            Item(
                key,
                label,
                value,
                links[key],
                display=display,
                previous=before[key],
                in_chart=key != "revenue",
            )
        )
    title = (
        _("This month vs last month") if period == "month" else _("This quarter vs last quarter")
    )
    return Tile(key=f"kpi_{period}", title=title, items=items, chart="bar")


def _day_before(iso: str) -> str:
    return str(date.fromordinal(date.fromisoformat(iso).toordinal() - 1))


def pipeline_kpi_tile(data: dict[str, Any]) -> Tile:
    pipeline = data["pipeline"]
    return Tile(
        key="company_pipeline",
        title=_("Open pipeline"),
        link=link("opportunity-board"),
        items=[
            Item(
                "open_amount",
                _("Open pipeline"),
                pipeline["amount"],
                link("opportunity-board", view="list", stage=list(OPEN_STAGES)),
                display=f"¥{pipeline['amount']:,.2f}",
            ),
            Item(
                "weighted",
                _("Weighted forecast"),
                pipeline["weighted"],
                link("opportunity-forecast", stage=list(OPEN_STAGES)),
                display=f"¥{pipeline['weighted']:,.2f}",
            ),
        ],
    )


def dashboard_for(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """{role, generated_at (None when live), tiles: [tile JSON]} for this viewer's role."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    role = user.role
    customers = figures.customers_for(user)  # lazy: only the roles counted live query it
    tiles: list[Tile | None] = []
    generated_at = None
    if role == Role.REP:
        mine = customers.filter(owner=user)
        book = fresh_snapshot(user, f"rep:{user.pk}", now)
        if book is not None:
            generated_at = book.generated_at
            pipeline, lifecycle = book.data["pipeline"], book.data["lifecycle"]
            quality: dict[str, int] | None = book.data["quality"]
        else:
            pipeline, lifecycle, quality = None, figures.lifecycle_counts(mine), None
        tiles = [
            figures.my_day_tile(user, today),
            figures.pipeline_tile(user, owner="me", stored=pipeline),
            figures.lifecycle_tile(lifecycle, owner="me"),
            figures.completeness_tile(user, mine, owner="me", counts=quality),
        ]
    elif role == Role.MANAGER:
        team = team_snapshot(user, now)
        if team is not None:
            generated_at = team.generated_at
            counts, rows = team.data["status_counts"], team.data["quality_rows"]
        else:
            counts, rows = figures.status_counts(customers), figures.quality_rows(customers)
        own = fresh_snapshot(user, f"manager:{user.pk}", now)
        pipeline = activity = None
        if own is not None and own.data["today"] == today.isoformat():
            generated_at = min(filter(None, (generated_at, own.generated_at)))
            pipeline, activity = own.data["pipeline"], own.data["activity"]
        tiles = [
            figures.funnel_tile(counts),
            figures.pipeline_tile(user, stored=pipeline),
            figures.activity_tile(user, today, stored=activity),
            figures.targets_slot(user, today),
            figures.review_tile(user),
            figures.quality_board_tile(rows),
            figures.my_day_tile(user, today),
        ]
    elif role == Role.FINANCE:
        # Finance: the company's revenue (orders) and open pipeline, amounts in full.
        snapshot = company_snapshot(now=now)
        generated_at = snapshot.generated_at
        tiles = [
            kpi_tile(snapshot.data, period="month"),
            kpi_tile(snapshot.data, period="quarter"),
            pipeline_kpi_tile(snapshot.data),
        ]
    elif role == Role.STEWARD and not reads_all(user):
        # A unit's data steward (issue 20): the unit's figures, counted live; never the company's.
        tiles = [
            figures.funnel_tile(figures.status_counts(customers)),
            figures.review_tile(user),
            figures.quality_board_tile(figures.quality_rows(customers)),
            figures.lifecycle_tile(figures.lifecycle_counts(customers)),
        ]
    elif role in READ_ALL:
        snapshot = company_snapshot(now=now)
        generated_at = snapshot.generated_at
        tiles = [
            kpi_tile(snapshot.data, period="month"),
            kpi_tile(snapshot.data, period="quarter"),
            pipeline_kpi_tile(snapshot.data),
            figures.funnel_tile(snapshot.data["status_counts"]),
        ]
        if role in (Role.ADMIN, Role.STEWARD):
            board = figures.quality_board_tile(snapshot.data["quality_rows"])
            tiles += [figures.review_tile(user), board]
        tiles.append(figures.lifecycle_tile(snapshot.data.get("lifecycle")))
    elif role == Role.SUPPORT:
        tiles = [
            figures.onboarding_tile(user, today),
            figures.service_tasks_tile(user, today),
            figures.my_day_tile(user, today),
        ]
    elif role == Role.MARKETING:
        snapshot = company_snapshot(now=now)
        generated_at = snapshot.generated_at
        tiles = [
            figures.sources_tile(user, snapshot.data.get("by_source")),
            # marketing sees exactly the prospects (policy): the company's counts of them
            figures.funnel_tile(snapshot.data["status_counts"], visible=figures.PROSPECTS),
        ]
    return {
        "role": role,
        "generated_at": generated_at,
        "refresh_seconds": settings.KEHU_DASHBOARD_REFRESH_SECONDS,
        "tiles": [tile.out() for tile in tiles if tile is not None],
    }
