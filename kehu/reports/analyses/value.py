"""Customer value: LTV (revenue to date from orders, and expected: the open pipeline weighted by
the stage probabilities), repurchase rate, churn rate, and the value octants and grades.

Revenue counts orders that are not cancelled. Revenue to date, repurchase and churn are about
the customers as they are today (the period does not narrow them); revenue over time and
revenue in the period use the orders signed in the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import sees_amount_bands
from kehu.customers.models import Customer
from kehu.opportunities.models import Opportunity, Order, StageProbability

from .facts import facts_fresh_at
from .filters import Filters, scoped
from .result import Chart, Figure, Result, bucket, buckets, pivot, rate
from .value_facts import value_customer_figures, value_daily_rows

OPEN = ("initial_contact", "needs_confirmed", "proposal", "negotiation")


def _money(user: User, value: Any) -> Any:
    """Amounts are withheld from roles that see them only as bands."""
    return None if sees_amount_bands(user) else value


def value_segments(
    user: User, filters: Filters, stored: dict[str, Any] | None = None
) -> list[Chart]:
    """Grades, octants and lifecycle stages of kehu.value's CustomerValue rows (one per
    customer) of the customers in scope; empty charts until the value job has run. `stored`:
    the counts per field from the value facts (value_facts.py), else read live."""
    import kehu.value.models as value_models
    from kehu.value.octants import OCTANT_NAMES

    customers = scoped(user, Customer.objects.all(), filters, prefix="")
    rows = value_models.CustomerValue.objects.using(customers.db).filter(
        customer__in=customers.values("id")
    )
    labels: dict[str, dict[str, Any]] = {
        "grade": dict(value_models.Grade.choices),
        "octant": OCTANT_NAMES,
        "lifecycle": dict(value_models.Lifecycle.choices),
    }
    unplaced = _("(not placed)")
    charts: list[Chart] = []
    for field, key, title, kind in (
        ("grade", "grades", _("Customers by value grade"), "pie"),
        ("octant", "octants", _("Customers by value octant"), "bar"),
        ("lifecycle", "lifecycle", _("Customers by lifecycle stage"), "bar"),
    ):
        counted = (
            stored[field]
            if stored is not None
            else rows.values(field).annotate(n=Count("pk")).order_by(field)
        )
        table = [
            [str(labels[field].get(r[field], r[field])) if r[field] else unplaced, r["n"]]
            for r in counted
        ]
        charts.append(Chart(key, title, kind, [_("Segment"), _("Customers")], table))
    return charts


def value(user: User, filters: Filters) -> Result:
    customers = scoped(user, Customer.objects.all(), filters, prefix="")
    orders = scoped(user, Order.objects.all(), filters, prefix="customer__").exclude(
        status=Order.Status.CANCELLED
    )
    # The figures about the customers as they are today: stored per scope part by the worker
    # when they answer this scope exactly (value_facts.py), else live.
    stored = value_customer_figures(user, filters)
    fresh_at = facts_fresh_at() if stored is not None else None
    if stored is not None:
        buyers, repeat, revenue = stored["buyers"], stored["repeat"], stored["revenue"]
        counts = {"n": stored["n"], "lost": stored["lost"]}
    else:
        per_customer = orders.values("customer_id").annotate(n=Count("id"), total=Sum("amount"))
        buyers = repeat = 0
        revenue = Decimal(0)
        for row in per_customer:
            buyers += 1
            repeat += row["n"] >= 2
            revenue += row["total"] or 0
        counts = customers.aggregate(
            n=Count("id"), lost=Count("id", filter=Q(status=Customer.Status.LOST))
        )
    percent = dict(StageProbability.objects.using(customers.db).values_list("stage", "probability"))
    pipeline = (
        stored["pipeline"]
        if stored is not None
        else scoped(user, Opportunity.objects.all(), filters, prefix="customer__")
        .filter(stage__in=OPEN, expected_amount__isnull=False)
        .values("stage")
        .annotate(total=Sum("expected_amount"), n=Count("id"))
    )
    expected = Decimal(0)
    stage_rows: list[list[object]] = []
    labels = dict(Opportunity.Stage.choices)
    for row in sorted(pipeline, key=lambda r: OPEN.index(r["stage"])):
        weighted = (row["total"] or Decimal(0)) * Decimal(percent.get(row["stage"], 0)) / 100
        expected += weighted
        stage_rows.append(
            [
                str(labels[row["stage"]]),
                row["n"],
                _money(user, row["total"]),
                _money(user, weighted),
            ]
        )

    in_period = orders.filter(signed_on__gte=filters.start, signed_on__lte=filters.end)
    stored_daily = value_daily_rows(user, filters)
    daily: Iterable[dict[str, Any]] = (
        stored_daily
        if stored_daily is not None
        else in_period.values("signed_on").annotate(total=Sum("amount"), n=Count("id"))
    )
    money_series = [
        (bucket(r["signed_on"], filters.group), "revenue", r["total"] or 0) for r in daily
    ]
    count_series = [(bucket(r["signed_on"], filters.group), "orders", r["n"]) for r in daily]
    periods = buckets(filters.start, filters.end, filters.group)
    revenue_rows = [
        [p, _money(user, m), c]
        for (p, m), (_p, c) in zip(
            pivot(money_series, periods, ["revenue"]),
            pivot(count_series, periods, ["orders"]),
            strict=True,
        )
    ]
    top = (
        stored["top"]
        if stored is not None
        else list(
            orders.values("customer_id", "customer__name")
            .annotate(total=Sum("amount"), n=Count("id"))
            .order_by("-total", "customer_id")[:20]
        )
    )
    period_revenue = sum((r[1] or 0) for r in revenue_rows) if not sees_amount_bands(user) else None
    figures = [
        Figure("revenue_to_date", _("Revenue to date"), _money(user, revenue), "money"),
        Figure("revenue_in_period", _("Revenue in the period"), period_revenue, "money"),
        Figure(
            "ltv",
            _("Average revenue per buying customer"),
            _money(user, revenue / buyers if buyers else None),
            "money",
        ),
        Figure(
            "expected", _("Expected (open pipeline, weighted)"), _money(user, expected), "money"
        ),
        Figure("buyers", _("Customers with orders"), buyers),
        Figure("repurchase_rate", _("Repurchase rate"), rate(repeat, buyers), "percent"),
        Figure("churn_rate", _("Churn rate"), rate(counts["lost"], counts["n"]), "percent"),
    ]
    charts = [
        Chart(
            "revenue",
            _("Revenue over time"),
            "bar",
            [_("Period"), _("Revenue (CNY)"), _("Orders")],
            revenue_rows,
            series=[1],
        ),
        Chart(
            "top_customers",
            _("Customers by revenue to date"),
            "bar",
            [_("Customer"), _("Revenue (CNY)"), _("Orders")],
            [[r["customer__name"], _money(user, r["total"]), r["n"]] for r in top],
            series=[1],
        ),
        Chart(
            "pipeline",
            _("Open pipeline by stage"),
            "bar",
            [_("Stage"), _("Opportunities"), _("Expected amount (CNY)"), _("Weighted (CNY)")],
            stage_rows,
            series=[2, 3],
        ),
        *value_segments(user, filters, stored["segments"] if stored is not None else None),
    ]
    notes = [
        _(
            "Repurchase rate: customers with two or more orders among those with one or more. "
            "Churn rate: the share of customers now lost."
        )
    ]
    if sees_amount_bands(user):
        notes.append(_("Amounts are not shown to your role."))
    return Result(
        "value", _("Customer value"), filters.as_query(), figures, charts, notes, fresh_at=fresh_at
    )
