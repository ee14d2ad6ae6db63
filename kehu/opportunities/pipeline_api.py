"""The pipeline under /api/v1: every opportunity the user may see (issue 16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.policy import sees_amount_bands
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import capped_count_arms, errors, paged, payload_data
from kehu.core.validators import amount_band

from .api import OpportunityPage, _bands
from .forecast import forecast, stage_percentages
from .models import LostReason, Product
from .selectors import (
    ORDERINGS,
    opportunities_related,
    opportunity_filter,
    opportunity_list_scope,
    opportunity_scope_by_customers,
    stage_label,
)
from .services.catalogue import lost_reason_save, product_save, stage_probabilities_set

router = Router(tags=["opportunities"])


class OpportunityFilters(Schema):
    stage: list[str] | None = None  # repeatable, or comma-separated; 赢单 and 输单 read too
    open: bool | None = None  # true: the four open stages only
    owner: str | None = None  # username, display name, or "me"
    team: str | None = None  # the owner's team: its name or id
    customer_no: str | None = None  # comma-separated customer numbers
    close_from: str | None = None  # expected close date, inclusive
    close_to: str | None = None
    amount_min: str | None = None  # expected amount (bands for those who see bands)
    amount_max: str | None = None
    order: str = "newest"
    cursor: str | None = None
    limit: int | None = None


class OpportunityListPage(OpportunityPage):
    total: int
    total_is_capped: bool


@router.get(
    "/opportunities",
    response={200: OpportunityListPage, **errors(422)},
    summary="List opportunities",
)
def pipeline_list(request: AuthedRequest, filters: Query[OpportunityFilters]) -> dict[str, object]:
    """Every opportunity the user may see (the customers' scope), filtered and sorted
    (`order=` expected_close_date, expected_amount, updated_at, created_at, stage, newest,
    oldest; `-` for the other way), in cursor pages with the total beside them."""
    params = filters.model_dump()
    scoped, arms = opportunity_list_scope(request.user)
    filtered = opportunity_filter(opportunities_related(), params, user=request.user)
    return paged(
        opportunities_related(scoped & filtered),
        order=ORDERINGS[
            filters.order or "newest"
        ],  # empty (e.g. only control characters): the default
        cursor=filters.cursor,
        limit=filters.limit,
        arms=arms,
        **capped_count_arms(filtered, arms),
    )


class ForecastBucket(Schema):
    count: int
    amount: Decimal | None
    weighted: Decimal | None
    amount_band: str
    weighted_band: str


class ForecastMonth(ForecastBucket):
    month: str


class ForecastRow(Schema):
    key: str
    label: str
    team: str
    months: list[ForecastMonth]
    total: ForecastBucket


class ForecastOut(Schema):
    probabilities: dict[str, int]
    months: list[ForecastMonth]
    total: ForecastBucket
    reps: list[ForecastRow]
    teams: list[ForecastRow]


class ForecastFilters(Schema):
    stage: list[str] | None = None
    open: bool | None = None
    owner: str | None = None
    team: str | None = None
    customer_no: str | None = None
    close_from: str | None = None
    close_to: str | None = None


@router.get(
    "/opportunities/forecast",
    response={200: ForecastOut, **errors(422)},
    summary="Weighted forecast by expected close month, per rep and team",
)
def pipeline_forecast(request: AuthedRequest, filters: Query[ForecastFilters]) -> dict[str, object]:
    """Expected amounts × the stage's probability (GET /api/v1/stage-probabilities), summed by
    expected close month, for everyone the user may see, per rep (`reps`, by username) and per
    rep's team (`teams`). Those who see amounts as bands get bands only."""
    scoped = opportunity_scope_by_customers(request.user)
    filtered = opportunity_filter(scoped, filters.model_dump(), user=request.user)
    return forecast(filtered, bands=sees_amount_bands(request.user))


class StageProbabilityOut(Schema):
    stage: str
    stage_label: str
    probability: int


class StageProbabilitiesIn(Schema):
    """Percentages (0-100) by stage; stages left out keep theirs."""

    model_config = ConfigDict(extra="forbid")

    initial_contact: int | str | None = None
    needs_confirmed: int | str | None = None
    proposal: int | str | None = None
    negotiation: int | str | None = None
    won: int | str | None = None
    lost: int | str | None = None


@router.get(
    "/stage-probabilities",
    response={200: list[StageProbabilityOut]},
    summary="Stage probabilities (the forecast's weights)",
)
def stage_probability_list(request: AuthedRequest) -> list[dict[str, object]]:
    return [
        {"stage": stage, "stage_label": stage_label(stage), "probability": percent}
        for stage, percent in stage_percentages().items()
    ]


@router.put(
    "/stage-probabilities",
    response={200: list[StageProbabilityOut], **errors(403, 422)},
    summary="Set stage probabilities (administrators): {stage: percent}",
)
def stage_probability_set(
    request: AuthedRequest, payload: StageProbabilitiesIn
) -> list[dict[str, object]]:
    stage_probabilities_set(actor=request.user, data=payload_data(payload))
    return stage_probability_list(request)


class LostReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    position: int | None = None
    is_active: bool | None = None


class LostReasonOut(Schema):
    id: int
    name: str
    position: int
    is_active: bool


@router.get(
    "/lost-reasons",
    response={200: list[LostReasonOut], **errors(422)},
    summary="Lost reasons (输单原因)",
)
def lost_reason_list(request: AuthedRequest, include_archived: bool = False) -> Any:
    reasons = LostReason.objects.all()
    return reasons if include_archived else reasons.filter(is_active=True)


@router.post(
    "/lost-reasons",
    response={201: LostReasonOut, **errors(403, 422)},
    summary="Add a lost reason (administrators)",
)
def lost_reason_create(request: AuthedRequest, payload: LostReasonIn) -> Status:
    return Status(201, lost_reason_save(actor=request.user, data=payload_data(payload)))


@router.patch(
    "/lost-reasons/{reason_id}",
    response={200: LostReasonOut, **errors(403, 404, 422)},
    summary="Change, archive or restore a lost reason (administrators)",
)
def lost_reason_update(request: AuthedRequest, reason_id: int, payload: LostReasonIn) -> Any:
    if not 0 < reason_id < 2**63:
        raise Http404("Not found.")
    reason = get_object_or_404(LostReason, pk=reason_id)
    return lost_reason_save(actor=request.user, data=payload_data(payload), reason=reason)


class ProductIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    code: str | None = None
    unit_price: Decimal | str | None = None
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    name: str
    code: str
    unit_price: Decimal | None
    unit_price_band: str
    is_active: bool

    @staticmethod
    def resolve_unit_price(obj: Product, context: Any) -> Decimal | None:
        return None if _bands(context) else obj.unit_price

    @staticmethod
    def resolve_unit_price_band(obj: Product) -> str:
        return amount_band(obj.unit_price)


@router.get(
    "/products", response={200: list[ProductOut], **errors(422)}, summary="The product catalogue"
)
def product_list(request: AuthedRequest, include_archived: bool = False) -> Any:
    products = Product.objects.all()
    return products if include_archived else products.filter(is_active=True)


@router.post(
    "/products",
    response={201: ProductOut, **errors(403, 422)},
    summary="Add a product (administrators)",
)
def product_create(request: AuthedRequest, payload: ProductIn) -> Status:
    return Status(201, product_save(actor=request.user, data=payload_data(payload)))


@router.patch(
    "/products/{product_id}",
    response={200: ProductOut, **errors(403, 404, 422)},
    summary="Change or archive a product (administrators)",
)
def product_update(request: AuthedRequest, product_id: int, payload: ProductIn) -> Any:
    if not 0 < product_id < 2**63:
        raise Http404("Not found.")
    product = get_object_or_404(Product, pk=product_id)
    return product_save(actor=request.user, data=payload_data(payload), product=product)
