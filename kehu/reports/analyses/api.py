"""The read-only reporting API (/api/v1/reports/<analysis>: the page's figures, or its file with
?format=csv|xlsx) and the analyses' own data: /api/v1/source-costs and /api/v1/targets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kehu.accounts.models import Team, User
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.customers.models import Source

from .export import analysis_export
from .filters import parse_filters
from .models import SourceCost, Target
from .registry import ANALYSES, analysis_run
from .services import (
    source_cost_delete,
    source_cost_save,
    source_cost_update,
    target_create,
    target_delete,
    target_update,
)
from .settings_views import COST_READERS
from .targets import parse_period, target_scope, targets_attainment

reports_router = Router(tags=["reports"])
router = Router(tags=["reports"])

Cell = str | int | float | None


class FilterQuery(Schema):
    from_: str | None = Field(
        None, alias="from", description="First day, YYYY-MM-DD (default: the quarter's)."
    )
    to: str | None = Field(None, description="Last day, YYYY-MM-DD (default: the quarter's).")
    group: Literal["month", "week"] = "month"
    team: str | None = Field(None, description="Team id.")
    owner: str | None = Field(None, description="Owner (user) id.")
    industry: str | None = Field(None, description="Industry or sub-industry id.")
    region: str | None = Field(None, description="Province as stored (广东省).")
    source: str | None = Field(None, description="Source id.")
    format: Literal["json", "csv", "xlsx"] = "json"


class FigureOut(Schema):
    key: str
    label: str
    value: Cell
    kind: str


class ChartOut(Schema):
    key: str
    title: str
    kind: str
    columns: list[str]
    rows: list[list[Cell]]
    series: list[int]
    percent: list[int]
    hidden: list[int]
    note: str


class AnalysisOut(Schema):
    analysis: str
    title: str
    filters: dict[str, str]
    figures: list[FigureOut]
    charts: list[ChartOut]
    notes: list[str]
    fresh_at: datetime | None


def _analysis_operation(name: str) -> None:
    def operation(request: AuthedRequest, query: Query[FilterQuery]) -> Any:
        filters = parse_filters(request.GET)
        result = analysis_run(request.user, name, filters)
        if query.format != "json":
            return analysis_export(actor=request.user, result=result, file_format=query.format)
        return result.as_dict()

    operation.__name__ = f"report_{name}"
    operation.__doc__ = (
        f"{ANALYSES[name].summary} The caller's scope; ?format=csv|xlsx for the tables as a file "
        "(audited as an export)."
    )
    reports_router.get(
        f"/{name}",
        response={200: AnalysisOut, **errors(202, 422)},
        operation_id=f"report_{name}",
        summary=str(ANALYSES[name].title),
    )(operation)


for _name in ANALYSES:
    _analysis_operation(_name)


# --- Source costs ---------------------------------------------------------------------------


class SourceCostOut(Schema):
    id: int
    source_id: int
    source: str
    month: str
    amount: Decimal
    note: str

    @staticmethod
    def resolve_source(obj: SourceCost) -> str:
        return obj.source.name

    @staticmethod
    def resolve_month(obj: SourceCost) -> str:
        return f"{obj.month:%Y-%m}"


class SourceCostIn(Schema):
    source_id: int
    month: str = Field(description="YYYY-MM")
    amount: Decimal = Field(ge=0, le=Decimal("999999999999.99"))
    note: str = Field("", max_length=200)


class SourceCostPatch(Schema):
    amount: Decimal = Field(ge=0, le=Decimal("999999999999.99"))
    note: str | None = Field(None, max_length=200)


def _month(text: str) -> date:
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed({"month": [_("Give a month as YYYY-MM.")]}) from None


def _cost_reader(user: User) -> None:
    if user.role not in COST_READERS:
        raise PermissionDenied(_("Source costs are for administrators, marketing and executives."))


@router.get("/source-costs", response={200: list[SourceCostOut], **errors(403, 422)})
def source_costs_list(request: AuthedRequest, month: str | None = None) -> list[SourceCost]:
    """Costs per source and month, newest first (administrators, marketing, executives)."""
    _cost_reader(request.user)
    rows = SourceCost.objects.select_related("source")
    if month:
        rows = rows.filter(month=_month(month))
    return list(rows[:1000])


@router.post("/source-costs", response={201: SourceCostOut, **errors(403, 404, 422)})
def source_costs_create(request: AuthedRequest, payload: SourceCostIn) -> Status:
    """Set a source's cost for a month (replaces the month's cost if there is one)."""
    _cost_reader(request.user)
    source = Source.objects.filter(pk=payload.source_id).first()
    if source is None:
        raise NotFound(_("No such source."))
    cost = source_cost_save(
        actor=request.user,
        source=source,
        month=_month(payload.month),
        amount=payload.amount,
        note=payload.note,
    )
    return Status(201, cost)


@router.patch("/source-costs/{cost_id}", response={200: SourceCostOut, **errors(403, 404, 422)})
def source_costs_update(
    request: AuthedRequest, cost_id: int, payload: SourceCostPatch
) -> SourceCost:
    _cost_reader(request.user)
    cost = get_object_or_404(SourceCost.objects.select_related("source"), pk=cost_id)
    return source_cost_update(
        actor=request.user, cost=cost, amount=payload.amount, note=payload.note
    )


@router.delete("/source-costs/{cost_id}", response={204: None, **errors(403, 404, 422)})
def source_costs_delete(request: AuthedRequest, cost_id: int) -> Status:
    _cost_reader(request.user)
    cost = get_object_or_404(SourceCost, pk=cost_id)
    source_cost_delete(actor=request.user, cost=cost)
    return Status(204, None)


# --- Targets --------------------------------------------------------------------------------


class TargetOut(Schema):
    id: int
    period: str
    scope: str
    holder: str
    metric: str
    metric_label: str
    target: float | None
    actual: float | None
    attainment: float | None


class TargetIn(Schema):
    user_id: int | None = None
    team_id: int | None = None
    period: Literal["month", "quarter"]
    period_start: date = Field(description="Any day of the month or quarter.")
    metric: Literal["revenue", "won_deals", "new_customers"]
    amount: Decimal = Field(ge=0, le=Decimal("999999999999.99"))


class TargetPatch(Schema):
    amount: Decimal = Field(ge=0, le=Decimal("999999999999.99"))


def _target_out(user: User, target: Target) -> dict[str, Any]:
    label = (
        f"{target.period_start.year}-Q{(target.period_start.month - 1) // 3 + 1}"
        if target.period == "quarter"
        else f"{target.period_start:%Y-%m}"
    )
    rows = targets_attainment(user, label)
    return next(r for r in rows if r["id"] == target.pk)


@router.get("/targets", response={200: list[TargetOut], **errors(422)})
def targets_list(request: AuthedRequest, period: str | None = None) -> list[dict[str, Any]]:
    """The targets of a month (2026-12) or quarter (2026-Q4, default: this one) the caller may
    see, with actual figures and attainment."""
    parse_period(period)
    return targets_attainment(request.user, period)


@router.post("/targets", response={201: TargetOut, **errors(403, 404, 409, 422)})
def targets_create(request: AuthedRequest, payload: TargetIn) -> Status:
    """Set a target for a rep (user_id) or a team (team_id): managers for their team, admins all."""
    rep = team = None
    if payload.user_id is not None:
        rep = User.objects.filter(pk=payload.user_id).first()
        if rep is None:
            raise NotFound(_("No such user."))
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise NotFound(_("No such team."))
    target = target_create(
        actor=request.user,
        user=rep,
        team=team,
        period=payload.period,
        period_start=payload.period_start,
        metric=payload.metric,
        amount=payload.amount,
    )
    return Status(201, _target_out(request.user, target))


def _target_get(user: User, target_id: int) -> Target:
    target = target_scope(user, Target.objects.select_related("user", "team")).filter(pk=target_id)
    found = target.first()
    if found is None:
        raise NotFound(_("No such target."))
    return found


@router.patch("/targets/{target_id}", response={200: TargetOut, **errors(403, 404, 422)})
def targets_update(request: AuthedRequest, target_id: int, payload: TargetPatch) -> dict[str, Any]:
    target = target_update(
        actor=request.user, target=_target_get(request.user, target_id), amount=payload.amount
    )
    return _target_out(request.user, target)


@router.delete("/targets/{target_id}", response={204: None, **errors(403, 404, 422)})
def targets_delete(request: AuthedRequest, target_id: int) -> Status:
    target_delete(actor=request.user, target=_target_get(request.user, target_id))
    return Status(204, None)


__all__ = ["reports_router", "router"]
