"""Funnel: customers 潜在 → 意向 → 成交 and opportunities through their stages, with the
conversion between steps and the cycle time (median days spent in each step).

Customers: the cohort created in the period; a customer reached a status when its history
(CustomerStatusChange) or its current status shows it, 成交 counting as having passed 意向.
Opportunities: the cohort created in the period; one reached a stage when its history
(OpportunityStageChange) or its current stage shows it. Cycle time per stage: the median of
days_in_previous_stage of the stage changes in the period.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from django.db.models import Case, Count, Exists, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.customers.models import Customer, CustomerStatusChange
from kehu.opportunities.models import Opportunity, OpportunityStageChange

from .filters import Filters, scoped
from .result import Chart, Figure, Result, rate
from .sql import HoursBetween
from .stored import stored_numbers

CUSTOMER_STEPS = (Customer.Status.LEAD, Customer.Status.INTENT, Customer.Status.WON)
OPEN_STAGES = (
    Opportunity.Stage.INITIAL_CONTACT,
    Opportunity.Stage.NEEDS_CONFIRMED,
    Opportunity.Stage.PROPOSAL,
    Opportunity.Stage.NEGOTIATION,
)
STAGES = (*OPEN_STAGES, Opportunity.Stage.WON)


def _days_after(later: str, earlier: Any) -> Any:
    """Days from `earlier` to `later`, never below 0; NULL without `later` (PostgreSQL's
    GREATEST skips a NULL where SQLite's MAX returns it, so the case says it for both)."""
    return Case(
        When(
            **{f"{later}__isnull": False},
            then=Greatest(HoursBetween(later, earlier) / Value(24.0), Value(0.0)),
        ),
        default=None,
        output_field=FloatField(),
    )


def _median(values: list[float]) -> float | None:
    """The middle value, or the mean of the middle two; None when there are none."""
    return median(values) if values else None


def _rounded(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _first_change(status: str) -> Subquery:
    return Subquery(
        CustomerStatusChange.objects.filter(customer=OuterRef("pk"), to_status=status)
        .order_by("changed_at")
        .values("changed_at")[:1]
    )


def customer_numbers(user: User, filters: Filters) -> dict[str, Any]:
    """Counted in SQL: a quarter's cohort at a million customers is tens of thousands of rows,
    which cost most of a second to bring into Python; only the customers with a change come
    back, with their days to 意向 and to 成交, for the medians."""
    cohort = (
        scoped(user, Customer.objects.all(), filters, prefix="")
        .filter(created_at__gte=filters.since, created_at__lt=filters.until)
        .order_by()
        .annotate(intent_at=_first_change("intent"), won_at=_first_change("won"))
    )
    won = Q(status="won") | Q(won_at__isnull=False)
    interested = Q(status__in=["intent", "won"]) | Q(intent_at__isnull=False) | won
    reached = cohort.aggregate(
        lead=Count("pk"), intent=Count("pk", filter=interested), won=Count("pk", filter=won)
    )
    # The medians' values: only customers with a 意向 or 成交 change have one, read in one pass
    # (each pass over a quarter's cohort re-reads its rows: at a million customers a rep's
    # cohort took ~0.5 s a pass on PostgreSQL, and a count and a read per median made five).
    days = (
        cohort.filter(Q(intent_at__isnull=False) | Q(won_at__isnull=False))
        .annotate(
            to_intent=_days_after("intent_at", "created_at"),
            to_won=_days_after("won_at", Coalesce("intent_at", "created_at")),
        )
        .values_list("to_intent", "to_won")
    )
    to_intents: list[float] = []
    to_wons: list[float] = []
    for intent_days, won_days in days:
        if intent_days is not None:
            to_intents.append(float(intent_days))
        if won_days is not None:
            to_wons.append(float(won_days))
    to_intent, to_won = _median(to_intents), _median(to_wons)
    return {"reached": reached, "cycles": [None, _rounded(to_intent), _rounded(to_won)]}


def customer_rows(numbers: dict[str, Any]) -> list[list[object]]:
    labels = dict(Customer.Status.choices)
    rows: list[list[object]] = []
    previous = None
    for step, cycle in zip(CUSTOMER_STEPS, numbers["cycles"], strict=True):
        count = numbers["reached"][step.value]
        rows.append([str(labels[step]), count, rate(count, previous), cycle])
        previous = count
    return rows


def opportunity_numbers(user: User, filters: Filters) -> dict[str, Any]:
    """An opportunity reached a stage when it is at it or beyond, or its history went there."""
    cohort = (
        scoped(user, Opportunity.objects.all(), filters, prefix="customer__")
        .filter(created_at__gte=filters.since, created_at__lt=filters.until)
        .order_by()
    )
    counts: dict[str, Any] = {STAGES[0].value: Count("pk")}
    for i, stage in enumerate(STAGES[1:], start=1):
        later = [s.value for s in STAGES[i:]]
        went = OpportunityStageChange.objects.filter(opportunity=OuterRef("pk"), to_stage__in=later)
        counts[stage.value] = Count("pk", filter=Q(stage__in=later) | Q(Exists(went)))
    reached_by = cohort.aggregate(**counts)
    changed = (
        scoped(
            user, OpportunityStageChange.objects.all(), filters, prefix="opportunity__customer__"
        )
        .filter(changed_at__gte=filters.since, changed_at__lt=filters.until)
        .exclude(days_in_previous_stage__isnull=True)
    )
    spent: dict[str, list[float]] = defaultdict(list)  # one pass for every stage's median
    for stage_from, stage_days in changed.order_by().values_list(
        "from_stage", "days_in_previous_stage"
    ):
        if stage_days is not None:  # excluded above; the column may hold none
            spent[stage_from].append(float(stage_days))
    cycles = {
        stage.value: _rounded(_median(spent[stage.value]))
        for stage in STAGES
        if stage != Opportunity.Stage.WON
    }
    return {"reached": {s.value: reached_by[s.value] for s in STAGES}, "cycles": cycles}


def opportunity_rows(numbers: dict[str, Any]) -> list[list[object]]:
    labels = dict(Opportunity.Stage.choices)
    reached_by = numbers["reached"]
    rows: list[list[object]] = []
    for i, stage in enumerate(STAGES):
        cycle = numbers["cycles"].get(stage.value)
        reached = reached_by[stage.value]
        previous = reached_by[STAGES[i - 1].value] if i else None
        rows.append([str(labels[stage]), reached, rate(reached, previous) if i else None, cycle])
    return rows


def funnel_numbers(user: User, filters: Filters) -> dict[str, Any]:
    """What the funnel counts (JSON: the worker stores it per scope, stored.py)."""
    return {
        "customers": customer_numbers(user, filters),
        "opportunities": opportunity_numbers(user, filters),
    }


def funnel(user: User, filters: Filters) -> Result:
    stored = stored_numbers(user, "funnel", filters)
    numbers = stored[0] if stored else funnel_numbers(user, filters)
    customers = numbers["customers"]["reached"]
    opportunities = numbers["opportunities"]["reached"]
    figures = [
        Figure("customers", _("New customers"), customers["lead"]),
        Figure(
            "lead_to_intent",
            _("Lead → interested"),
            rate(customers["intent"], customers["lead"]),
            "percent",
        ),
        Figure(
            "intent_to_won",
            _("Interested → won"),
            rate(customers["won"], customers["intent"]),
            "percent",
        ),
        Figure("opportunities", _("New opportunities"), opportunities["initial_contact"]),
        Figure(
            "opportunity_win_rate",
            _("Opportunities won"),
            rate(opportunities["won"], opportunities["initial_contact"]),
            "percent",
        ),
    ]
    columns = [_("Step"), _("Reached"), _("Conversion from the step before"), _("Median days")]
    charts = [
        Chart(
            "customer_status",
            _("Customer status funnel"),
            "funnel",
            columns,
            customer_rows(numbers["customers"]),
            series=[1],
            percent=[2],
            note=_(
                "Median days: from creation to interested, and from interested (or creation) to won."
            ),
        ),
        Chart(
            "opportunity_stages",
            _("Opportunity stage funnel"),
            "funnel",
            columns,
            opportunity_rows(numbers["opportunities"]),
            series=[1],
            percent=[2],
            note=_("Median days spent in the stage, over the stage changes in the period."),
        ),
    ]
    fresh_at = stored[1] if stored else None
    return Result("funnel", _("Funnel"), filters.as_query(), figures, charts, fresh_at=fresh_at)
