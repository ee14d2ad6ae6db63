"""Follow-up tasks under /api/v1/follow-ups and /api/v1/customers/{no}/follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.policy import can_log_interaction, interaction_scope
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import Paged, errors, paged, payload_data
from kehu.customers.masking import free_text_echo_kept, free_text_shown
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for
from kehu.customers.services import PermissionDenied

from .models import FollowUp
from .selectors import (
    followup_get_for,
    followup_list_mine,
    followup_my_day,
    followup_queryset_for,
)
from .services.followups import (
    followup_clean,
    followup_complete,
    followup_create,
    followup_update,
)

router = Router(tags=["follow-ups"])


class FollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    title: str | None = None
    note: str | None = None
    due_date: str | None = None
    due_time: str | None = None
    due_at: str | None = None
    owner: str | int | None = None


class FollowUpNewIn(FollowUpIn):
    customer_no: str


class FollowUpPatchIn(FollowUpIn):
    """Reassign (owner), snooze (due_date, due_time or due_at), or change title, note, kind."""


class CompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = ""


def _user(context: Any) -> Any:
    return getattr((context or {}).get("request"), "user", None)


class FollowUpOut(Schema):
    id: int
    customer_no: str
    customer_name: str
    customer_quality: str
    kind: str
    kind_label: str
    title: str
    note: str
    due_date: date | None
    due_at: datetime | None
    remind_at: datetime | None
    reminded_at: datetime | None
    owner: str | None
    owner_name: str | None
    interaction_no: str | None
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    is_done: bool

    @staticmethod
    def resolve_customer_no(obj: FollowUp) -> str:
        return obj.customer.customer_no

    @staticmethod
    def resolve_customer_name(obj: FollowUp) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_title(obj: FollowUp, context: Any) -> str:
        return free_text_shown(_user(context), obj.customer, obj.title)

    @staticmethod
    def resolve_note(obj: FollowUp, context: Any) -> str:
        return free_text_shown(_user(context), obj.customer, obj.note)

    @staticmethod
    def resolve_customer_quality(obj: FollowUp) -> str:
        return obj.customer.quality

    @staticmethod
    def resolve_kind_label(obj: FollowUp) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_owner(obj: FollowUp) -> str | None:
        return obj.owner.username if obj.owner_id and obj.owner else None

    @staticmethod
    def resolve_owner_name(obj: FollowUp) -> str | None:
        return obj.owner.label if obj.owner_id and obj.owner else None

    @staticmethod
    def resolve_interaction_no(obj: FollowUp) -> str | None:
        return obj.interaction.interaction_no if obj.interaction_id and obj.interaction else None

    @staticmethod
    def resolve_done_by(obj: FollowUp) -> str | None:
        return obj.done_by.username if obj.done_by_id and obj.done_by else None


class FollowUpPage(Paged):
    items: list[FollowUpOut]


@router.get("/follow-ups", response={200: FollowUpPage, **errors(422)})
def followup_mine(
    request: AuthedRequest,
    include_done: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, object]:
    """My tasks (assigned to me), open ones unless include_done."""
    tasks = followup_list_mine(request.user, include_done=include_done)
    return paged(tasks, order="id", cursor=cursor, limit=limit)


@router.get("/customers/{customer_no}/follow-ups", response={200: FollowUpPage, **errors(404, 422)})
def followup_for_customer(
    request: AuthedRequest,
    customer_no: str,
    include_done: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    tasks = followup_queryset_for(request.user).filter(customer=customer)
    if not include_done:
        tasks = tasks.filter(done_at__isnull=True)
    return paged(tasks, order="id", cursor=cursor, limit=limit)


@router.post(
    "/customers/{customer_no}/follow-ups",
    response={201: FollowUpOut, **errors(403, 404, 422)},
)
def followup_add(request: AuthedRequest, customer_no: str, payload: FollowUpIn) -> Status:
    return _create(request, customer_no, payload_data(payload))


def _create(request: AuthedRequest, customer_no: str, data: dict[str, object]) -> Status:
    customer = customer_get_for(request.user, customer_no)
    writable = interaction_scope(request.user, Customer.objects.filter(pk=customer.pk))
    if not can_log_interaction(request.user) or not writable.exists():
        raise PermissionDenied(_("You may not add tasks to this customer."))
    values = followup_clean(data)
    task = followup_create(actor=request.user, customer=customer, **values)
    return Status(201, followup_get_for(request.user, task.pk))


@router.post("/follow-ups", response={201: FollowUpOut, **errors(403, 404, 422)})
def followup_new(request: AuthedRequest, payload: FollowUpNewIn) -> Status:
    """A task on the customer `customer_no` (for its owner unless `owner` says whom)."""
    data = payload_data(payload)
    customer_no = str(data.pop("customer_no"))
    return _create(request, customer_no, data)


class MyDayOut(Schema):
    today: date
    overdue: list[FollowUpOut]
    due_today: list[FollowUpOut]
    upcoming: list[FollowUpOut]
    undated: list[FollowUpOut]


@router.get("/my-day", response={200: MyDayOut})
def my_day(request: AuthedRequest) -> dict[str, object]:
    """My open tasks: overdue, due today (in my time zone), the next 7 days, and undated."""
    today = timezone.localdate()
    buckets = followup_my_day(request.user, today=today)
    return {
        "today": today,
        "overdue": buckets["overdue"],
        "due_today": buckets["today"],
        "upcoming": buckets["upcoming"],
        "undated": buckets["undated"],
    }


@router.get("/follow-ups/{follow_up_id}", response={200: FollowUpOut, **errors(404, 422)})
def followup_detail(request: AuthedRequest, follow_up_id: int) -> FollowUp:
    return followup_get_for(request.user, follow_up_id)


@router.patch("/follow-ups/{follow_up_id}", response={200: FollowUpOut, **errors(404, 409, 422)})
def followup_change(
    request: AuthedRequest, follow_up_id: int, payload: FollowUpPatchIn
) -> FollowUp:
    """Reassign (`owner`: someone who works on the customer), snooze (`due_date` with an
    optional `due_time`, or `due_at`), or change `title`, `note`, `kind`."""
    task = followup_get_for(request.user, follow_up_id, for_write=True)
    data = free_text_echo_kept(
        request.user, task.customer, task, payload_data(payload), ("title", "note")
    )
    values = followup_clean(data, creating=False)
    followup_update(actor=request.user, follow_up=task, values=values)
    return followup_get_for(request.user, follow_up_id)


@router.post(
    "/follow-ups/{follow_up_id}/complete",
    response={200: FollowUpOut, **errors(403, 404, 409, 422)},
)
def followup_done(
    request: AuthedRequest, follow_up_id: int, payload: CompleteIn | None = None
) -> FollowUp:
    task = followup_get_for(request.user, follow_up_id, for_write=True)
    followup_complete(actor=request.user, follow_up=task, note=payload.note if payload else "")
    return followup_get_for(request.user, follow_up_id)
