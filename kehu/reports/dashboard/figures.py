"""The tiles of the home dashboard, each over the rows the viewer may see (policy.scope_for).

Each function takes the viewer (and `today`) and returns one Tile; dashboard.selectors picks
them per role. Counts are grouped on indexed columns of the viewer's scope (a rep's owner
index, a manager's team index); company-wide figures come from a snapshot (selectors).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import scope_for, sees_amount_bands
from kehu.core.validators import amount_band
from kehu.customers.models import Customer, CustomerStatusChange, Source
from kehu.interactions.models import Interaction
from kehu.interactions.selectors import followup_list_mine, followup_queryset_for
from kehu.opportunities.forecast import forecast
from kehu.opportunities.selectors import OPEN_STAGES, opportunity_scope_by_customers, stage_label
from kehu.review.selectors import review_pending_count

from ..metrics import complete_q
from .tiles import (
    Item,
    Tile,
    link,
    money,
    month_bounds,
    percent,
    percent_display,
    start_of,
    week_start,
)

FUNNEL = (Customer.Status.LEAD, Customer.Status.INTENT, Customer.Status.WON)
PROSPECTS = (Customer.Status.LEAD, Customer.Status.INTENT)
ONBOARDING_DAYS = 30
LIFECYCLES = ("new", "active", "dormant", "lost")


def _amount(user: Any, value: Decimal | None) -> tuple[float | None, str]:
    """An amount as a chart value and its display; support sees a band and no figure."""
    if sees_amount_bands(user):
        return None, amount_band(value or Decimal(0))
    return money(value), f"¥{money(value):,.2f}"


def customers_for(user: Any) -> QuerySet[Customer]:
    return scope_for(user, Customer.objects.all())


# --- Rep: my day, my pipeline and forecast, my customers by lifecycle, my completeness


def my_day_tile(user: User, today: date) -> Tile:
    mine = followup_list_mine(user).order_by()
    row = mine.aggregate(
        overdue=Count("id", filter=Q(due_date__lt=today)),
        today=Count("id", filter=Q(due_date=today)),
        upcoming=Count("id", filter=Q(due_date__gt=today, due_date__lte=today + timedelta(7))),
    )
    url = link("my-day")
    return Tile(
        key="my_day",
        title=_("My day"),
        link=url,
        items=[
            Item("overdue", _("Overdue tasks"), row["overdue"], f"{url}#overdue"),
            Item("today", _("Due today"), row["today"], f"{url}#today"),
            Item("upcoming", _("Due in the next 7 days"), row["upcoming"], f"{url}#upcoming"),
        ],
    )


def pipeline_figures(user: User, *, owner: str = "") -> dict[str, Any]:
    """Open opportunities by stage ({stage: [count, expected amount]}) and the weighted
    forecast, as JSON (amounts as text) so that a snapshot can store them."""
    opportunities = opportunity_scope_by_customers(user)
    if owner:
        opportunities = opportunities.filter(owner=user)
    stages = {
        r["stage"]: [r["n"], None if r["amount"] is None else str(r["amount"])]
        for r in opportunities.filter(stage__in=OPEN_STAGES)
        .order_by()
        .values("stage")
        .annotate(n=Count("id"), amount=Sum("expected_amount"))
    }
    total = forecast(opportunities.filter(stage__in=OPEN_STAGES), bands=sees_amount_bands(user))
    weighted = total["total"]["weighted"]
    return {
        "stages": stages,
        "weighted": None if weighted is None else str(weighted),
        "weighted_band": total["total"]["weighted_band"],
    }


def pipeline_tile(user: User, *, owner: str = "", stored: dict[str, Any] | None = None) -> Tile:
    """Open opportunities by stage (count and expected amount) and the weighted forecast:
    `stored` (pipeline_figures from the worker's snapshot), else counted now."""
    data = stored if stored is not None else pipeline_figures(user, owner=owner)
    items = []
    for stage in OPEN_STAGES:
        n, amount = data["stages"].get(stage, [0, None])
        _value, shown = _amount(user, None if amount is None else Decimal(amount))
        items.append(
            Item(
                stage,
                stage_label(stage),
                n,
                link("opportunity-board", stage=stage, owner=owner),
                display=f"{n:,} · {shown}",
            )
        )
    weighted = None if data["weighted"] is None else Decimal(data["weighted"])
    shown = data["weighted_band"] if weighted is None else f"¥{money(weighted):,.2f}"
    items.append(
        Item(
            "weighted_forecast",
            _("Weighted forecast"),
            None if weighted is None else money(weighted),
            # the forecast of the same opportunities: the open stages (won and lost weigh in
            # the forecast page's total otherwise), the rep's own
            link("opportunity-forecast", stage=list(OPEN_STAGES), owner=owner),
            display=shown,
            in_chart=False,
        )
    )
    title = _("My pipeline and forecast") if owner else _("Pipeline and forecast")
    return Tile(
        key="pipeline", title=title, items=items, chart="bar", link=link("opportunity-board")
    )


def lifecycle_counts(customers: QuerySet[Customer] | None) -> dict[str, int] | None:
    """Customers by lifecycle (kehu.value's CustomerValue; None: every one); None until that
    app is installed."""
    if not apps.is_installed("kehu.value"):
        return None
    try:
        model = apps.get_model("value", "CustomerValue")
    except LookupError:
        return None
    rows = model.objects.all()
    if customers is not None:
        rows = rows.filter(customer__in=customers.values("pk"))
    return {
        str(k): int(v) for k, v in rows.order_by().values_list("lifecycle").annotate(n=Count("pk"))
    }


def lifecycle_tile(counts: dict[str, int] | None, *, owner: str = "") -> Tile | None:
    if counts is None:
        return None
    labels = {
        "new": _("New"),
        "active": _("Active"),
        "dormant": _("Dormant"),
        "lost": _("Lost"),
    }
    items = [
        Item(k, labels[k], counts.get(k, 0), link("customer-list", owner=owner, lifecycle=k))
        for k in LIFECYCLES
    ]
    title = _("My customers by lifecycle") if owner else _("Customers by lifecycle")
    return Tile(key="lifecycle", title=title, items=items, chart="pie")


def quality_counts(customers: QuerySet[Customer]) -> dict[str, int]:
    return dict(customers.order_by().values_list("quality").annotate(n=Count("id")))


def completeness_tile(
    user: User,
    customers: QuerySet[Customer],
    *,
    owner: str = "",
    counts: dict[str, int] | None = None,
) -> Tile:
    """Customers by completeness: `counts` (quality_counts from a snapshot), else counted now."""
    counts = counts if counts is not None else quality_counts(customers)
    total = sum(counts.values())
    items = [
        Item(
            q.value, q.label, counts.get(q.value, 0), link("customer-list", owner=owner, quality=q)
        )
        for q in Customer.Quality
    ]
    rate = percent(counts.get(Customer.Quality.COMPLETE, 0), total)
    items.insert(
        0,
        Item(
            "complete_rate",
            _("Completeness rate"),
            rate,
            link("customer-list", owner=owner),
            display=percent_display(rate),
            in_chart=False,
        ),
    )
    title = _("My data completeness") if owner else _("Data completeness")
    return Tile(key="completeness", title=title, items=items, chart="pie")


# --- Manager: the team's funnel, activity per rep, review queue, the 红黑榜


def status_counts(customers: QuerySet[Customer]) -> dict[str, int]:
    return dict(customers.order_by().values_list("status").annotate(n=Count("id")))


def funnel_tile(counts: dict[str, int], *, visible: tuple[str, ...] | None = None) -> Tile:
    """Customers by status (潜在 → 意向 → 成交, and 流失) with the conversion between stages.
    `visible`: the statuses the viewer may see (marketing: the prospects); a stage or a rate
    that needs the others is left out, not shown as 0 (成交 0, 意向 → 成交 0.0%)."""
    seen = set(Customer.Status.values if visible is None else visible)
    items = [
        Item(s.value, s.label, counts.get(s.value, 0), link("customer-list", status=s.value))
        for s in Customer.Status
        if s in FUNNEL and s in seen
    ]
    for upper, lower in zip(FUNNEL[1:], FUNNEL[:-1], strict=True):
        if not seen.issuperset(FUNNEL[FUNNEL.index(lower) :]):
            continue
        reached = sum(counts.get(s, 0) for s in FUNNEL[FUNNEL.index(upper) :])
        base = reached + sum(counts.get(s, 0) for s in (lower,))
        rate = percent(reached, base)
        items.append(
            Item(
                f"rate_{lower}_{upper}",
                _("%(from)s → %(to)s") % {"from": lower.label, "to": upper.label},
                rate,
                display=percent_display(rate),
                in_chart=False,
            )
        )
    if Customer.Status.LOST in seen:
        items.append(
            Item(
                "lost",
                Customer.Status.LOST.label,
                counts.get(Customer.Status.LOST, 0),
                link("customer-list", status="lost"),
                in_chart=False,
            )
        )
    return Tile(key="funnel", title=_("Customer funnel"), items=items, chart="funnel")


def activity_figures(user: User, today: date) -> dict[str, list[int]]:
    """{performer id: [this week's, this month's interactions]} in the viewer's scope, as JSON
    so that a snapshot can store them."""
    month_start = start_of(month_bounds(today)[0])
    week = start_of(week_start(today))
    members = User.objects.filter(team_id=user.team_id, is_active=True) if user.team_id else None
    interactions = scope_for(user, Interaction.objects.all())
    if members is not None:
        interactions = interactions.filter(performed_by__in=members.values("pk"))
    rows = (
        interactions.filter(occurred_at__gte=min(month_start, week))
        .order_by()
        .values("performed_by")
        .annotate(
            month=Count("id", filter=Q(occurred_at__gte=month_start)),
            week=Count("id", filter=Q(occurred_at__gte=week)),
        )
    )
    return {str(r["performed_by"]): [r["week"], r["month"]] for r in rows}


def activity_tile(user: User, today: date, *, stored: dict[str, list[int]] | None = None) -> Tile:
    """Interactions per rep of the team, this week and this month (by who performed them):
    `stored` (activity_figures from the worker's snapshot of today), else counted now."""
    by_rep = stored if stored is not None else activity_figures(user, today)
    members = User.objects.filter(team_id=user.team_id, is_active=True) if user.team_id else None
    people = list(members.order_by("id")) if members is not None else [user]
    items = []
    for person in people:
        week, month = by_rep.get(str(person.pk), [0, 0])
        row = {"week": week, "month": month}
        items.append(
            Item(
                f"rep:{person.pk}",
                person.label,
                row["month"],
                link("customer-list", owner=person.pk),
                display=_("%(week)s this week · %(month)s this month")
                % {"week": row["week"], "month": row["month"]},
            )
        )
    return Tile(key="activity", title=_("Activity per rep (this month)"), items=items, chart="bar")


def review_tile(user: User) -> Tile:
    waiting = review_pending_count(user)
    return Tile(
        key="review",
        title=_("Waiting for review"),
        link=link("review-list"),
        items=[Item("pending", _("Waiting for your decision"), waiting, link("review-list"))],
    )


# The qualities of a customer with missing fields, whom the 红黑榜's rate counts as not complete
# (customers.services.derived): the list its figures link to.
NOT_COMPLETE = ",".join([Customer.Quality.INCOMPLETE, Customer.Quality.NEEDS_INFO])
BOARD_SIZE = 5  # the 红黑榜 shows the best and the worst five when there are more


def quality_rows(customers: QuerySet[Customer]) -> list[dict[str, Any]]:
    """Each owner's customers and complete customers, best completeness first."""
    rows = [
        {
            "owner": r["owner"],
            "label": r["owner__display_name"] or r["owner__username"],
            "n": r["n"],
            "complete": r["complete"],
        }
        for r in customers.filter(owner__isnull=False)
        .order_by()
        .values("owner", "owner__display_name", "owner__username")
        .annotate(n=Count("id"), complete=Count("id", filter=complete_q()))
    ]
    rows.sort(key=lambda r: (-(r["complete"] / r["n"]) if r["n"] else 0, r["label"]))
    return rows


def quality_board_tile(rows: list[dict[str, Any]]) -> Tile:
    """The data-quality 红黑榜: each rep's completeness rate, best first (the best and the worst
    BOARD_SIZE when there are more than twice as many)."""
    if len(rows) > 2 * BOARD_SIZE:
        rows = rows[:BOARD_SIZE] + rows[-BOARD_SIZE:]
    items = []
    for row in rows:
        rate = percent(row["complete"], row["n"])
        items.append(
            Item(
                f"owner:{row['owner']}",
                row["label"],
                rate,
                link("customer-list", owner=row["owner"], quality=NOT_COMPLETE),
                display=f"{percent_display(rate)} ({row['complete']}/{row['n']})",
            )
        )
    return Tile(
        key="quality_board",
        title=_("Data-quality red and black list"),
        items=items,
        chart="bar",
        link=link("quality-dashboard"),
    )


def targets_slot(user: User, today: date) -> Tile | None:
    """TARGETS VS ACTUALS: the slot for the targets of /api/v1/targets (kehu.reports.analyses).

    Returns None until a provider is registered (TARGET_PROVIDERS), so the tile is not shown.
    """
    for provider in TARGET_PROVIDERS:
        tile = provider(user, today)
        if tile is not None:
            return tile
    return None


TARGET_PROVIDERS: list[Callable[[User, date], Tile | None]] = []


# --- Support and marketing


def onboarding_tile(user: User, today: date) -> Tile:
    """Won customers (成交 in the last ONBOARDING_DAYS) with no interaction since they were won."""
    since = start_of(today - timedelta(days=ONBOARDING_DAYS))
    recent = CustomerStatusChange.objects.filter(
        to_status=Customer.Status.WON, changed_at__gte=since
    ).order_by()
    last_won = recent.filter(customer=OuterRef("pk")).order_by("-changed_at").values("changed_at")
    # Driven by the recent 成交 changes (customer_won_change_idx), counted and cut in SQL.
    waiting = (
        customers_for(user)
        .filter(status=Customer.Status.WON, pk__in=recent.values("customer"))
        .annotate(won_at=Subquery(last_won[:1]))
        .filter(Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=F("won_at")))
    )
    count = waiting.count()
    latest = waiting.order_by("-won_at", "-pk").only("pk", "customer_no", "name")[:10]
    items = [
        Item(c.customer_no, c.name, None, reverse("customer-detail", args=[c.customer_no]))
        for c in latest
    ]
    items.insert(
        0,
        Item(
            "count",
            _("Won customers waiting for onboarding"),
            count,
            link("customer-list", status="won"),
        ),
    )
    return Tile(key="onboarding", title=_("Onboarding"), items=items)


def service_tasks_tile(user: User, today: date) -> Tile:
    tasks = followup_queryset_for(user).filter(done_at__isnull=True).order_by()
    row = tasks.aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    return Tile(
        key="service_tasks",
        title=_("Open service tasks"),
        link=link("followup-list"),
        items=[
            Item("open", _("Open tasks"), row["open"], link("followup-list")),
            Item("overdue", _("Overdue tasks"), row["overdue"], link("my-day")),
        ],
    )


def sources_tile(user: User, company_by_source: dict[str, dict[str, int]] | None) -> Tile:
    """Leads (潜在 and 意向) by source, and each source's conversion to 成交 (counts over all
    customers of that source: a rate, no customer named). Marketing sees exactly the prospects
    (policy), so the company snapshot's prospect counts are its scope; other roles count live."""
    if user.role == Role.MARKETING and company_by_source is not None:
        visible: dict[int | None, int] = {
            (None if key == "None" else int(key)): row.get("prospects", 0)
            for key, row in company_by_source.items()
            if row.get("prospects")
        }
    else:
        visible = dict(
            customers_for(user)
            .filter(status__in=(Customer.Status.LEAD, Customer.Status.INTENT))
            .order_by()
            .values_list("source")
            .annotate(n=Count("id"))
        )
    names = dict(Source.objects.values_list("pk", "name"))
    items = []
    for source_id, n in sorted(visible.items(), key=lambda kv: -kv[1]):
        name = names.get(source_id, "") if source_id else str(_("No source"))
        company = (company_by_source or {}).get(str(source_id), {})
        rate = percent(company.get("won", 0), company.get("total", 0))
        items.append(
            Item(
                f"source:{source_id or 'none'}",
                name,
                n,
                link("customer-list", source=name) if source_id else link("customer-list"),
                display=_("%(leads)s leads · %(rate)s converted")
                % {"leads": n, "rate": percent_display(rate)},
            )
        )
    return Tile(key="sources", title=_("Leads by source"), items=items, chart="pie")


def company_by_source() -> dict[str, dict[str, int]]:
    rows = (
        Customer.objects.order_by()
        .values("source")
        .annotate(
            total=Count("id"),
            won=Count("id", filter=Q(status=Customer.Status.WON)),
            prospects=Count("id", filter=Q(status__in=PROSPECTS)),
        )
    )
    return {
        str(r["source"]): {"total": r["total"], "won": r["won"], "prospects": r["prospects"]}
        for r in rows
    }
