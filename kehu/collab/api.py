"""Hand-over of a departing user, the team pool (公海), the teams' pool settings and the
caller's notifications, under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from kehu.accounts.models import Notification, Team
from kehu.accounts.requests import AuthedRequest
from kehu.accounts.services import (
    can_manage_teams,
    notifications_mark_read,
    team_pool_settings_update,
)
from kehu.core.api_utils import Paged, errors, paged
from kehu.core.errors import PermissionDenied
from kehu.customers import services as customer_services
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for

from . import bulk as bulk_services
from . import services
from .selectors import notifications_for, pool_for, pool_reasons, teams_for

router = Router(tags=["collaboration"])


class HandOverItem(Schema):
    id: int
    label: str
    customer_no: str


class HandOverPreviewOut(Schema):
    username: str
    is_active: bool
    customers: list[HandOverItem]
    opportunities: list[HandOverItem]
    follow_ups: list[HandOverItem]


class HandOverIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # {customer_no: successor username or id, "pool", or "" / "default" for the default}
    assignments: dict[str, str | int] = {}
    # The successor of every customer left on the default: a username or id, or "pool".
    default: str | int | None = None
    # The token of the plan that was shown: the hand-over is refused (409) if the book changed.
    plan_token: str | None = None


class HandOverCounts(Schema):
    customers: int
    opportunities: int
    follow_ups: int


class HandOverSuccessor(HandOverCounts):
    username: str
    label: str


class HandOverPlanOut(HandOverCounts):
    username: str
    successors: list[HandOverSuccessor]
    pool: HandOverCounts
    plan_token: str


class HandOverOut(Schema):
    id: int
    user: str
    assignments: dict[str, str]
    summary: dict[str, Any]
    created_at: datetime


class NotificationOut(Schema):
    id: int
    message: str
    link: str
    created_at: datetime
    read_at: datetime | None


def _preview(user: Any) -> dict[str, Any]:
    preview = services.handover_preview(user)
    return {
        "username": user.get_username(),
        "is_active": user.is_active,
        "customers": [
            {"id": c.pk, "label": c.name, "customer_no": c.customer_no}
            for c in preview["customers"]
        ],
        "opportunities": [
            {"id": o.pk, "label": o.title, "customer_no": o.customer.customer_no}
            for o in preview["opportunities"]
        ],
        "follow_ups": [
            {"id": f.pk, "label": f.title, "customer_no": f.customer.customer_no}
            for f in preview["follow_ups"]
        ],
    }


def _handover_args(payload: HandOverIn) -> dict[str, Any]:
    return {
        "assignments": {k: str(v) for k, v in payload.assignments.items()},
        "default": None if payload.default is None else str(payload.default),
    }


@router.get(
    "/users/{user_id}/handover",
    response={200: HandOverPreviewOut, **errors(403, 404, 422)},
    summary="Hand-over preview",
)
def handover_preview(request: AuthedRequest, user_id: int) -> dict[str, Any]:
    return _preview(services.handover_user_get(request.user, user_id))


@router.post(
    "/users/{user_id}/handover/plan",
    response={200: HandOverPlanOut, **errors(403, 404, 422)},
    summary="Plan a hand-over: counts per successor and for the team pool (changes nothing)",
)
def handover_plan(request: AuthedRequest, user_id: int, payload: HandOverIn) -> dict[str, Any]:
    user = services.handover_user_get(request.user, user_id)
    plan = services.handover_plan(actor=request.user, user=user, **_handover_args(payload))
    pool = plan.shares.get(None) or services.Share(None)
    return {
        "username": user.get_username(),
        "customers": len(plan.customers),
        "opportunities": len(plan.opportunities),
        "follow_ups": len(plan.follow_ups),
        "successors": [
            {"username": s.user.get_username(), "label": s.user.label, **s.counts()}
            for key, s in plan.shares.items()
            if key is not None and s.user is not None
        ],
        "pool": pool.counts(),
        "plan_token": plan.token,
    }


@router.post(
    "/users/{user_id}/handover",
    response={200: HandOverOut, **errors(403, 404, 409, 422)},
    summary="Deactivate and hand over (give the plan's token to confirm what was shown)",
)
def handover_confirm(request: AuthedRequest, user_id: int, payload: HandOverIn) -> dict[str, Any]:
    user = services.handover_user_get(request.user, user_id)
    handover = services.handover_confirm(
        actor=request.user, user=user, plan_token=payload.plan_token, **_handover_args(payload)
    )
    return {
        "id": handover.pk,
        "user": user.get_username(),
        "assignments": handover.assignments,
        "summary": handover.summary,
        "created_at": handover.created_at,
    }


# --- The team pool (公海)


class PoolCustomerOut(Schema):
    customer_no: str
    name: str
    status: str
    team: str | None
    industry: str | None
    province: str
    city: str
    reason: str
    url: str


class PoolPageOut(Paged):
    items: list[PoolCustomerOut]
    claims_today: int
    claim_limit: int


class PoolFilters(Schema):
    cursor: str | None = None
    limit: int | None = None


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=500)


class PoolMoveOut(Schema):
    customer_no: str
    owner: str | None
    team: str | None
    claims_today: int
    claim_limit: int


def _pool_item(customer: Customer, reasons: dict[int, str]) -> dict[str, Any]:
    return {
        "customer_no": customer.customer_no,
        "name": customer.name,
        "status": customer.status,
        "team": customer.team.name if customer.team is not None else None,
        "industry": customer.industry.name if customer.industry is not None else None,
        "province": customer.province,
        "city": customer.city,
        "reason": reasons.get(customer.pk, ""),
        "url": reverse("customer-detail", args=[customer.customer_no]),
    }


def _moved(request: AuthedRequest, customer: Customer) -> dict[str, Any]:
    return {
        "customer_no": customer.customer_no,
        "owner": customer.owner.get_username() if customer.owner is not None else None,
        "team": customer.team.name if customer.team is not None else None,
        "claims_today": customer_services.pool_claims_today(request.user),
        "claim_limit": customer_services.pool_claim_limit(request.user),
    }


@router.get(
    "/pool",
    response={200: PoolPageOut, **errors(422)},
    tags=["pool"],
    summary="The team pool: claimable",
)
def pool_list(request: AuthedRequest, filters: Query[PoolFilters]) -> dict[str, Any]:
    def items(customers: list[Customer]) -> list[dict[str, Any]]:
        reasons = pool_reasons(customers)
        return [_pool_item(c, reasons) for c in customers]

    return paged(
        pool_for(request.user),
        order="-updated_at",
        cursor=filters.cursor,
        limit=filters.limit,
        items=items,
        claims_today=customer_services.pool_claims_today(request.user),
        claim_limit=customer_services.pool_claim_limit(request.user),
    )


@router.post(
    "/pool/{customer_no}/claim",
    response={200: PoolMoveOut, **errors(403, 404, 409)},
    tags=["pool"],
    summary="Claim a customer",
)
def pool_claim(request: AuthedRequest, customer_no: str) -> dict[str, Any]:
    customer = customer_get_for(request.user, customer_no)
    customer = services.pool_claim(actor=request.user, customer=customer)
    return _moved(request, customer)


@router.post(
    "/pool/{customer_no}/return",
    response={200: PoolMoveOut, **errors(403, 404, 409, 422)},
    tags=["pool"],
    summary="Return a customer to its team pool, with a reason",
)
def pool_return(request: AuthedRequest, customer_no: str, payload: ReturnIn) -> dict[str, Any]:
    customer = customer_get_for(request.user, customer_no)
    customer = services.pool_return(actor=request.user, customer=customer, reason=payload.reason)
    return _moved(request, customer)


# --- Teams: the pool's settings (administrators)


class TeamOut(Schema):
    id: int
    name: str
    region: str
    pool_claim_daily_limit: int
    receives_unassigned_leads: bool


class TeamPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    pool_claim_daily_limit: int | None = Field(default=None, ge=0, le=1000)
    receives_unassigned_leads: bool | None = None


@router.get("/teams", response=list[TeamOut], tags=["pool"], summary="Teams and pool settings")
def team_list(request: AuthedRequest) -> list[Team]:
    return list(teams_for(request.user))


@router.patch(
    "/teams/{team_id}",
    response={200: TeamOut, **errors(403, 404, 422)},
    tags=["pool"],
    summary="Change a team's pool settings",
)
def team_update(request: AuthedRequest, team_id: int, payload: TeamPatch) -> Team:
    if not can_manage_teams(request.user):
        raise PermissionDenied(_("Only an administrator may change a team's pool settings."))
    team = teams_for(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404
    return team_pool_settings_update(actor=request.user, team=team, **payload.model_dump())


# --- Notifications


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **errors(422)},
    tags=["notifications"],
)
def notification_list(request: AuthedRequest, unread: bool = False) -> list[Notification]:
    rows = notifications_for(request.user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return list(rows[:100])


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **errors(404, 422)},
    tags=["notifications"],
)
def notification_read(request: AuthedRequest, notification_id: int) -> Notification:
    notification = notifications_for(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    notifications_mark_read(user=request.user, ids=[notification.pk])
    notification.refresh_from_db()
    return notification


# --- Bulk actions on chosen customers (mounted before the customers router: see kehu/api.py)

bulk_router = Router(tags=["customers"])


class BulkActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer_nos: list[str]
    action: str = Field(description="assign, status, tag or untag")
    owner: str = Field("", description="assign: the new owner's username or id")
    status: str = Field("", description="status: the new status (a code or its label)")
    reason: str = Field("", description="status: why it changes")
    tags: list[str] = Field([], description="tag / untag: tag names")


class BulkHeld(Schema):
    customer_no: str
    pending_id: int | None


class BulkActionOut(Schema):
    action: str
    updated: int
    unchanged: int
    held: list[BulkHeld]


@bulk_router.post(
    "/customers/bulk",
    response={200: BulkActionOut, **errors(202, 403, 422)},
    summary="Bulk action on chosen customers",
)
def customers_bulk(request: AuthedRequest, payload: BulkActionIn) -> Any:
    """Assign the chosen customers to an owner, change their status (成交 waits for approval,
    listed under `held`), or add or remove tags. All or nothing: a customer that is not found or
    not the caller's to change is a 422 naming it, before anything is written; more customers
    than the bulk rule allows wait for review as one item (202)."""
    return bulk_services.customers_bulk_act(actor=request.user, **payload.model_dump())
