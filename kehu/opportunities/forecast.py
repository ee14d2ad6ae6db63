"""The weighted forecast (issue 16): expected amounts × the stage's probability, by expected
close month, per rep and per team. A read: scoped and filtered like the pipeline list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from kehu.core.validators import amount_band

from .models import Opportunity, StageProbability

CENT = Decimal("0.01")


@dataclass
class Bucket:
    """Sums of one month (or of all months): count, amount, probability-weighted amount."""

    count: int = 0
    amount: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")

    def add(self, count: int, amount: Decimal, percent: int) -> None:
        self.count += count
        self.amount += amount
        self.weighted += amount * percent / 100

    def out(self, bands: bool) -> dict[str, Any]:
        weighted = self.weighted.quantize(CENT)
        return {
            "count": self.count,
            "amount": None if bands else self.amount.quantize(CENT),
            "weighted": None if bands else weighted,
            "amount_band": amount_band(self.amount),
            "weighted_band": amount_band(weighted),
        }


@dataclass
class Row:
    """A rep's or a team's (or everyone's) months and total."""

    key: str
    label: str
    team: str = ""
    months: dict[str, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    total: Bucket = field(default_factory=Bucket)

    def add(self, month: str, count: int, amount: Decimal, percent: int) -> None:
        self.months[month].add(count, amount, percent)
        self.total.add(count, amount, percent)

    def out(self, months: list[str], bands: bool) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "team": self.team,
            "months": [{"month": m, **self.months.get(m, Bucket()).out(bands)} for m in months],
            "total": self.total.out(bands),
        }


def _month(value: Any) -> str:
    if isinstance(value, date):
        return f"{value:%Y-%m}"
    return str(value)[:7]


def stage_percentages() -> dict[str, int]:
    known = dict(StageProbability.objects.values_list("stage", "probability"))
    return {stage: int(known.get(stage, 0)) for stage in Opportunity.Stage.values}


def forecast(queryset: QuerySet[Opportunity], *, bands: bool) -> dict[str, Any]:
    """The forecast of the opportunities of `queryset` (already scoped and filtered) that have
    an expected close date and amount: one GROUP BY owner, team, month and stage."""
    percent = stage_percentages()
    grouped = (
        queryset.filter(expected_close_date__isnull=False, expected_amount__isnull=False)
        .annotate(month=TruncMonth("expected_close_date"))
        .order_by()
        .values(
            "month",
            "stage",
            "owner__username",
            "owner__display_name",
            "owner__team__name",
        )
        .annotate(count=Count("id"), amount=Sum("expected_amount"))
    )
    everyone = Row(key="", label="")
    reps: dict[str, Row] = {}
    teams: dict[str, Row] = {}
    for row in grouped:
        month = _month(row["month"])
        args = (month, row["count"], row["amount"] or Decimal("0"), percent[row["stage"]])
        username = row["owner__username"] or ""
        team = row["owner__team__name"] or ""
        everyone.add(*args)
        if username not in reps:
            label = row["owner__display_name"] or username
            reps[username] = Row(key=username, label=label, team=team)
        reps[username].add(*args)
        teams.setdefault(team, Row(key=team, label=team)).add(*args)
    months = sorted(everyone.months)
    return {
        "probabilities": percent,
        "months": [{"month": m, **everyone.months[m].out(bands)} for m in months],
        "total": everyone.total.out(bands),
        "reps": [reps[k].out(months, bands) for k in sorted(reps)],
        "teams": [teams[k].out(months, bands) for k in sorted(teams)],
    }
