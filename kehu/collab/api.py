"""Hand-over of a departing user, and the caller's notifications, under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import ConfigDict

from kehu.accounts.models import Notification

from . import services
from .selectors import notifications_for

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

    # {customer_no: successor username or id, or "" for the team pool}
    assignments: dict[str, str | int] = {}
    default: str | int | None = None


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


@router.get("/users/{user_id}/handover", response=HandOverPreviewOut, summary="Hand-over preview")
def handover_preview(request: HttpRequest, user_id: int) -> dict[str, Any]:
    return _preview(services.handover_user_get(request.user, user_id))


@router.post(
    "/users/{user_id}/handover", response=HandOverOut, summary="Deactivate and hand over (one step)"
)
def handover_confirm(request: HttpRequest, user_id: int, payload: HandOverIn) -> dict[str, Any]:
    user = services.handover_user_get(request.user, user_id)
    handover = services.handover_confirm(
        actor=request.user,
        user=user,
        assignments={k: str(v) for k, v in payload.assignments.items()},
        default=None if payload.default is None else str(payload.default),
    )
    return {
        "id": handover.pk,
        "user": user.get_username(),
        "assignments": handover.assignments,
        "summary": handover.summary,
        "created_at": handover.created_at,
    }


@router.get("/notifications", response=list[NotificationOut], tags=["notifications"])
def notification_list(request: HttpRequest, unread: bool = False) -> list[Notification]:
    rows = notifications_for(request.user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return list(rows[:100])


@router.post(
    "/notifications/{notification_id}/read", response=NotificationOut, tags=["notifications"]
)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    with transaction.atomic():
        notification = notifications_for(request.user).filter(pk=notification_id).first()
        if notification is None:
            raise Http404
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification
