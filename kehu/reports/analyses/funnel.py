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
from datetime import datetime
from statistics import median

from django.db.models import Min
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.customers.models import Customer, CustomerStatusChange
from kehu.opportunities.models import Opportunity, OpportunityStageChange

from .filters import Filters, scoped
from .result import Chart, Figure, Result, rate

CUSTOMER_STEPS = (Customer.Status.LEAD, Customer.Status.INTENT, Customer.Status.WON)
OPEN_STAGES = (
    Opportunity.Stage.INITIAL_CONTACT,
    Opportunity.Stage.NEEDS_CONFIRMED,
    Opportunity.Stage.PROPOSAL,
    Opportunity.Stage.NEGOTIATION,
)
STAGES = (*OPEN_STAGES, Opportunity.Stage.WON)
STAGE_INDEX = {s.value: i for i, s in enumerate(STAGES)}


def _days(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return max((later - earlier).total_seconds() / 86400, 0.0)


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def customer_funnel(user: User, filters: Filters) -> tuple[list[list[object]], dict[str, int]]:
    cohort = scoped(user, Customer.objects.all(), filters, prefix="").filter(
        created_at__gte=filters.since, created_at__lt=filters.until
    )
    # One pass over the cohort (its status and creation time together).
    current: dict[int, str] = {}
    created: dict[int, datetime] = {}
    for pk, status, created_at in cohort.order_by().values_list("id", "status", "created_at"):
        current[pk] = status
        created[pk] = created_at
    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    changes = (
        CustomerStatusChange.objects.using(cohort.db)
        .filter(customer__in=cohort.values("id"), to_status__in=["intent", "won"])
        .values("customer_id", "to_status")
        .annotate(first=Min("changed_at"))
        .order_by()
    )
    for row in changes:
        firsts[row["customer_id"]][row["to_status"]] = row["first"]
    reached = {"lead": 0, "intent": 0, "won": 0}
    to_intent: list[float] = []
    to_won: list[float] = []
    for pk, status in current.items():
        seen = firsts.get(pk, {})
        reached["lead"] += 1
        if status in ("intent", "won") or seen:
            reached["intent"] += 1
        if status == "won" or "won" in seen:
            reached["won"] += 1
        intent_at = seen.get("intent")
        if (days := _days(intent_at, created[pk])) is not None:
            to_intent.append(days)
        if (days := _days(seen.get("won"), intent_at or created[pk])) is not None:
            to_won.append(days)
    labels = dict(Customer.Status.choices)
    rows: list[list[object]] = []
    previous = None
    for step, cycle in zip(
        CUSTOMER_STEPS, (None, _median(to_intent), _median(to_won)), strict=True
    ):
        count = reached[step.value]
        rows.append([str(labels[step]), count, rate(count, previous), cycle])
        previous = count
    return rows, reached


def opportunity_funnel(user: User, filters: Filters) -> tuple[list[list[object]], dict[str, int]]:
    cohort = scoped(user, Opportunity.objects.all(), filters, prefix="customer__").filter(
        created_at__gte=filters.since, created_at__lt=filters.until
    )
    furthest: dict[int, int] = {}
    for pk, stage in cohort.order_by().values_list("id", "stage"):
        furthest[pk] = STAGE_INDEX.get(stage, 0)
    history = (
        OpportunityStageChange.objects.using(cohort.db)
        .filter(opportunity__in=cohort.values("id"))
        .order_by()  # else the model's ordering joins the DISTINCT and nothing is deduplicated
        .values_list("opportunity_id", "to_stage")
        .distinct()
    )
    for pk, stage in history:
        if stage in STAGE_INDEX and STAGE_INDEX[stage] > furthest.get(pk, 0):
            furthest[pk] = STAGE_INDEX[stage]
    reached = [0] * len(STAGES)
    for index in furthest.values():
        for i in range(index + 1):
            reached[i] += 1
    durations: dict[str, list[float]] = defaultdict(list)
    changed = (
        scoped(
            user, OpportunityStageChange.objects.all(), filters, prefix="opportunity__customer__"
        )
        .filter(changed_at__gte=filters.since, changed_at__lt=filters.until)
        .exclude(days_in_previous_stage__isnull=True)
        .values_list("from_stage", "days_in_previous_stage")
    )
    for stage, days in changed:
        durations[stage].append(float(days or 0))
    labels = dict(Opportunity.Stage.choices)
    rows: list[list[object]] = []
    for i, stage in enumerate(STAGES):
        rows.append(
            [
                str(labels[stage]),
                reached[i],
                rate(reached[i], reached[i - 1]) if i else None,
                _median(durations.get(stage.value, [])) if stage != Opportunity.Stage.WON else None,
            ]
        )
    return rows, {s.value: reached[i] for i, s in enumerate(STAGES)}


def funnel(user: User, filters: Filters) -> Result:
    customer_rows, customers = customer_funnel(user, filters)
    opportunity_rows, opportunities = opportunity_funnel(user, filters)
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
            customer_rows,
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
            opportunity_rows,
            series=[1],
            percent=[2],
            note=_("Median days spent in the stage, over the stage changes in the period."),
        ),
    ]
    return Result("funnel", _("Funnel"), filters.as_query(), figures, charts)
