"""Opportunities and orders under /api/v1."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.policy import scope_for, sees_amount_bands
from kehu.accounts.requests import AuthedRequest
from kehu.audit.conflicts import conflict_shown
from kehu.core.api_utils import Paged, errors, etag_of, paged, payload_data, version_edited
from kehu.core.validators import amount_band
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for
from kehu.customers.services import PermissionDenied

from . import services
from .models import Opportunity, OpportunityLine, OpportunityStageChange, Order
from .selectors import opportunities_related, stage_label

router = Router(tags=["opportunities"])


def _bands(context: Any) -> bool:
    """Support sees amounts only as bands (accounts.policy.sees_amount_bands)."""
    request = (context or {}).get("request")
    return sees_amount_bands(getattr(request, "user", None))


class OpportunityLineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    product: str | int | None = None
    quantity: Decimal | str | None = None
    unit_price: Decimal | str | None = None


class OpportunityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    expected_amount: Decimal | str | None = None
    stage: str | None = None
    expected_close_date: str | None = None
    owner: str | int | None = None
    source: str | None = None
    # With a stage change: 赢单 takes the won amount and may create the order; 输单 needs a
    # lost reason (GET /api/v1/lost-reasons: its name or id).
    won_amount: Decimal | str | None = None
    create_order: bool | None = None
    lost_reason: str | int | None = None
    # Products and quantities ({product: code, quantity, unit_price}); they make the amount.
    lines: list[OpportunityLineIn] | None = None


class OpportunityPatch(OpportunityIn):
    version: int | None = Field(
        default=None,
        description="The version you edited (the GET's `version`): 409 if it changed since.",
    )


class OpportunityOut(Schema):
    id: int
    version: int
    customer_no: str
    customer_name: str
    title: str
    expected_amount: Decimal | None
    expected_amount_band: str
    stage: str
    stage_label: str
    expected_close_date: date | None
    owner: str | None
    owner_name: str | None
    team: str | None
    source: str
    lost_reason: str | None
    won_order_no: str | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_no(obj: Opportunity) -> str:
        return obj.customer.customer_no

    @staticmethod
    def resolve_lost_reason(obj: Opportunity) -> str | None:
        return obj.lost_reason.name if obj.lost_reason else None

    @staticmethod
    def resolve_won_order_no(obj: Opportunity) -> str | None:
        return obj.won_order.order_no if obj.won_order else None

    @staticmethod
    def resolve_customer_name(obj: Opportunity) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_owner_name(obj: Opportunity) -> str | None:
        return obj.owner.label if obj.owner else None

    @staticmethod
    def resolve_team(obj: Opportunity) -> str | None:
        return obj.owner.team.name if obj.owner and obj.owner.team else None

    @staticmethod
    def resolve_expected_amount(obj: Opportunity, context: Any) -> Decimal | None:
        return None if _bands(context) else obj.expected_amount

    @staticmethod
    def resolve_expected_amount_band(obj: Opportunity) -> str:
        return amount_band(obj.expected_amount)

    @staticmethod
    def resolve_stage_label(obj: Opportunity) -> str:
        return stage_label(obj.stage)

    @staticmethod
    def resolve_owner(obj: Opportunity) -> str | None:
        return obj.owner.username if obj.owner else None


class OpportunityPage(Paged):
    items: list[OpportunityOut]


class StageChangeOut(Schema):
    from_stage: str
    from_stage_label: str
    to_stage: str
    to_stage_label: str
    changed_by: str | None
    changed_by_name: str | None
    changed_at: datetime
    days_in_previous_stage: int | None

    @staticmethod
    def resolve_from_stage_label(obj: OpportunityStageChange) -> str:
        return stage_label(obj.from_stage)

    @staticmethod
    def resolve_to_stage_label(obj: OpportunityStageChange) -> str:
        return stage_label(obj.to_stage)

    @staticmethod
    def resolve_changed_by(obj: OpportunityStageChange) -> str | None:
        return obj.changed_by.username if obj.changed_by else None

    @staticmethod
    def resolve_changed_by_name(obj: OpportunityStageChange) -> str | None:
        return obj.changed_by.label if obj.changed_by else None


class OpportunityLineOut(Schema):
    product_code: str
    product_name: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal | None
    amount_band: str

    @staticmethod
    def resolve_product_code(obj: OpportunityLine) -> str:
        return obj.product.code

    @staticmethod
    def resolve_product_name(obj: OpportunityLine) -> str:
        return obj.product.name

    @staticmethod
    def resolve_unit_price(obj: OpportunityLine, context: Any) -> Decimal | None:
        return None if _bands(context) else obj.unit_price

    @staticmethod
    def resolve_amount(obj: OpportunityLine, context: Any) -> Decimal | None:
        return None if _bands(context) else obj.amount

    @staticmethod
    def resolve_amount_band(obj: OpportunityLine) -> str:
        return amount_band(obj.amount)


class OpportunityDetailOut(OpportunityOut):
    stage_history: list[StageChangeOut]
    lines: list[OpportunityLineOut]
    customer_won: str = Field(
        "",
        description="After a move to won: the customer's status became 成交客户 ('changed'), "
        "waits for the manager's approval ('held'), was already ('already') or cannot move "
        "('refused'); empty otherwise.",
    )

    @staticmethod
    def resolve_lines(obj: Opportunity) -> list[OpportunityLine]:
        return list(obj.lines.select_related("product"))

    @staticmethod
    def resolve_stage_history(obj: Opportunity) -> list[OpportunityStageChange]:
        return list(obj.stage_changes.select_related("changed_by"))


class OrderLineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    product: str | None = None
    quantity: Decimal | str | None = None
    unit_price: Decimal | str | None = None
    amount: Decimal | str | None = None


class OrderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    order_no: str | None = None
    signed_on: str | None = None
    amount: Decimal | str | None = None
    status: str | None = None
    notes: str | None = None
    lines: list[OrderLineIn] | None = None


class OrderPatch(OrderIn):
    version: int | None = Field(
        default=None,
        description="The version you edited (the GET's `version`): 409 if it changed since.",
    )


class OrderLineOut(Schema):
    product: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal | None
    amount_band: str

    @staticmethod
    def resolve_unit_price(obj: Any, context: Any) -> Decimal | None:
        return None if _bands(context) else obj.unit_price

    @staticmethod
    def resolve_amount(obj: Any, context: Any) -> Decimal | None:
        return None if _bands(context) else obj.amount

    @staticmethod
    def resolve_amount_band(obj: Any) -> str:
        return amount_band(obj.amount)


class OrderOut(Schema):
    order_no: str
    version: int
    customer_no: str
    signed_on: date
    amount: Decimal | None
    amount_band: str
    currency: str = "CNY"
    status: str
    status_label: str
    notes: str
    lines: list[OrderLineOut]
    created_at: datetime

    @staticmethod
    def resolve_customer_no(obj: Order) -> str:
        return obj.customer.customer_no

    @staticmethod
    def resolve_amount(obj: Order, context: Any) -> Decimal | None:
        return None if _bands(context) else obj.amount

    @staticmethod
    def resolve_amount_band(obj: Order) -> str:
        return amount_band(obj.amount)

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_lines(obj: Order) -> list[object]:
        return list(obj.lines.all())


class OrderPage(Paged):
    items: list[OrderOut]


def _check_write(request: AuthedRequest, customer_id: int) -> None:
    writable = scope_for(request.user, Customer.objects.filter(pk=customer_id), for_write=True)
    if not writable.exists():
        raise PermissionDenied(_("You may view this customer but not change it."))


def _get(request: AuthedRequest, queryset: QuerySet[Model], **lookup: object) -> Model:
    obj = scope_for(request.user, queryset).filter(**lookup).first()
    if obj is None:
        raise Http404("Not found.")
    return obj


def _opportunities() -> QuerySet[Opportunity]:
    return opportunities_related()


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("customer").prefetch_related("lines")


@router.get(
    "/customers/{customer_no}/opportunities",
    response={200: OpportunityPage, **errors(404, 422)},
)
def opportunity_list(
    request: AuthedRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    return paged(_opportunities().filter(customer=customer), cursor=cursor, limit=limit)


@router.post(
    "/customers/{customer_no}/opportunities",
    response={201: OpportunityOut, **errors(403, 404, 422)},
)
def opportunity_create(request: AuthedRequest, customer_no: str, payload: OpportunityIn) -> Status:
    customer = customer_get_for(request.user, customer_no)
    _check_write(request, customer.pk)
    opportunity = services.opportunity_create(
        actor=request.user,
        customer=customer,
        data=payload_data(payload),
        lost_reason_required=True,
    )
    return Status(201, opportunity)


@router.get(
    "/opportunities/{opportunity_id}", response={200: OpportunityDetailOut, **errors(404, 422)}
)
def opportunity_detail(
    request: AuthedRequest, opportunity_id: int, response: HttpResponse
) -> Model:
    opportunity = _get(request, _opportunities(), pk=opportunity_id)
    assert isinstance(opportunity, Opportunity)
    response["ETag"] = etag_of(opportunity.version)
    return opportunity


@router.patch(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityDetailOut, **errors(403, 404, 409, 422)},
)
def opportunity_update(
    request: AuthedRequest, opportunity_id: int, payload: OpportunityPatch, response: HttpResponse
) -> Opportunity:
    """`version` or `If-Match` (the GET's ETag): 409 `version_conflict` with both versions if
    someone changed the opportunity since; without them, last write wins."""
    opportunity = _get(request, _opportunities(), pk=opportunity_id)
    assert isinstance(opportunity, Opportunity)
    _check_write(request, opportunity.customer_id)
    data = version_edited(request, payload_data(payload))

    def now() -> dict[str, Any]:
        fresh = _get(request, _opportunities(), pk=opportunity_id)
        out = OpportunityDetailOut.from_orm(fresh, context={"request": request})
        return out.model_dump(mode="json")

    with conflict_shown(yours=data, current=now):
        opportunity = services.opportunity_update(
            actor=request.user, opportunity=opportunity, data=data
        )
    response["ETag"] = etag_of(opportunity.version)
    return opportunity


@router.delete("/opportunities/{opportunity_id}", response={204: None, **errors(403, 404, 422)})
def opportunity_delete(request: AuthedRequest, opportunity_id: int) -> Status:
    opportunity = _get(request, _opportunities(), pk=opportunity_id)
    assert isinstance(opportunity, Opportunity)
    _check_write(request, opportunity.customer_id)
    services.opportunity_delete(actor=request.user, opportunity=opportunity)
    return Status(204, None)


@router.get(
    "/customers/{customer_no}/orders",
    response={200: OrderPage, **errors(404, 422)},
    tags=["orders"],
)
def order_list(
    request: AuthedRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    return paged(_orders().filter(customer=customer), cursor=cursor, limit=limit)


@router.post(
    "/customers/{customer_no}/orders",
    response={201: OrderOut, **errors(403, 404, 409, 422)},
    tags=["orders"],
)
def order_create(request: AuthedRequest, customer_no: str, payload: OrderIn) -> Status:
    customer = customer_get_for(request.user, customer_no)
    _check_write(request, customer.pk)
    order = services.order_create(actor=request.user, customer=customer, data=payload_data(payload))
    return Status(201, _get(request, _orders(), pk=order.pk))


@router.get("/orders/{order_no}", response={200: OrderOut, **errors(404)}, tags=["orders"])
def order_detail(request: AuthedRequest, order_no: str, response: HttpResponse) -> Model:
    order = _get(request, _orders(), order_no=order_no.strip())
    assert isinstance(order, Order)
    response["ETag"] = etag_of(order.version)
    return order


@router.patch(
    "/orders/{order_no}",
    response={200: OrderOut, **errors(403, 404, 409, 422)},
    tags=["orders"],
)
def order_update(
    request: AuthedRequest, order_no: str, payload: OrderPatch, response: HttpResponse
) -> Model:
    """`version` or `If-Match` (the GET's ETag): 409 `version_conflict` with both versions if
    someone changed the order since; without them, last write wins."""
    order = _get(request, _orders(), order_no=order_no.strip())
    assert isinstance(order, Order)
    _check_write(request, order.customer_id)
    data = version_edited(request, payload_data(payload))

    def now() -> dict[str, Any]:
        fresh = _get(request, _orders(), pk=order.pk)
        return OrderOut.from_orm(fresh, context={"request": request}).model_dump(mode="json")

    with conflict_shown(yours=data, current=now):
        services.order_update(actor=request.user, order=order, data=data)
    order = _get(request, _orders(), pk=order.pk)
    assert isinstance(order, Order)
    response["ETag"] = etag_of(order.version)
    return order


@router.delete("/orders/{order_no}", response={204: None, **errors(403, 404)}, tags=["orders"])
def order_delete(request: AuthedRequest, order_no: str) -> Status:
    order = _get(request, _orders(), order_no=order_no.strip())
    assert isinstance(order, Order)
    _check_write(request, order.customer_id)
    services.order_delete(actor=request.user, order=order)
    return Status(204, None)
