"""/api/v1/change-requests: a rep's held key changes, approved or rejected by the manager."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kehu.core.api_utils import page_limit
from kehu.core.pagination import keyset_page

from . import approvals
from .models import ChangeRequest

router = Router(tags=["approvals"])


class ChangeRequestOut(Schema):
    id: int
    customer_no: str
    customer_name: str
    requested_by: str
    fields: list[str]
    payload: dict[str, Any]
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_customer_no(obj: ChangeRequest) -> str:
        return obj.customer.customer_no

    @staticmethod
    def resolve_customer_name(obj: ChangeRequest) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_requested_by(obj: ChangeRequest) -> str:
        return obj.requested_by.get_username()

    @staticmethod
    def resolve_reviewed_by(obj: ChangeRequest) -> str | None:
        return obj.reviewed_by.get_username() if obj.reviewed_by else None


class ChangeRequestPage(Schema):
    items: list[ChangeRequestOut]
    next_cursor: str | None
    has_more: bool


class DecisionIn(Schema):
    comment: str = ""


@router.get("/change-requests", response=ChangeRequestPage, summary="Change requests")
def change_request_list(
    request: HttpRequest,
    status: str | None = "pending",
    customer: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, object]:
    queryset = approvals.change_request_queryset_for(request.user)
    if status:
        queryset = queryset.filter(status=status)
    if customer:
        queryset = queryset.filter(customer__customer_no=customer.strip().upper())
    page = keyset_page(queryset, order="-id", cursor=cursor, limit=page_limit(limit))
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "has_more": bool(page.next_cursor),
    }


@router.post(
    "/change-requests/{request_id}/approve", response=ChangeRequestOut, summary="Approve a change"
)
def change_request_approve(
    request: HttpRequest, request_id: int, payload: DecisionIn | None = None
) -> ChangeRequest:
    change = approvals.change_request_get_for(request.user, request_id)
    return approvals.change_request_decide(
        actor=request.user, change=change, approve=True, comment=payload.comment if payload else ""
    )


@router.post(
    "/change-requests/{request_id}/reject", response=ChangeRequestOut, summary="Reject a change"
)
def change_request_reject(
    request: HttpRequest, request_id: int, payload: DecisionIn | None = None
) -> ChangeRequest:
    change = approvals.change_request_get_for(request.user, request_id)
    return approvals.change_request_decide(
        actor=request.user, change=change, approve=False, comment=payload.comment if payload else ""
    )
