"""Interactions and behaviour events under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.policy import can_log_interaction, interaction_scope, scope_for
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import Paged, errors, paged, payload_data
from kehu.customers.masking import free_text_echo_kept, free_text_shown
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for
from kehu.customers.services import PermissionDenied

from . import services
from .models import BehaviourEvent, Interaction

router = Router(tags=["interactions"])


class InteractionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    occurred_at: str | None = None
    method: str | None = None
    topic: str | None = None
    summary: str | None = None
    feedback: str | None = None
    next_action: str | None = None
    next_action_owner: str | int | None = None
    next_action_due: str | None = None
    performed_by: str | int | None = None
    contact_id: int | None = None


# Free texts a PATCH may send back as masked by the GET (kept as stored: free_text_echo_kept).
ECHO_FIELDS = ("summary", "next_action")


def _user(context: Any) -> Any:
    return getattr((context or {}).get("request"), "user", None)


class InteractionOut(Schema):
    interaction_no: str
    customer_no: str
    contact_id: int | None
    contact_name: str | None
    occurred_at: datetime
    method: str
    method_label: str
    topic: str
    summary: str
    feedback: str
    feedback_label: str
    next_action: str
    next_action_owner: str | None
    next_action_due: Any
    performed_by: str | None
    is_late_entry: bool
    created_at: datetime

    @staticmethod
    def resolve_customer_no(obj: Interaction) -> str:
        return obj.customer.customer_no

    @staticmethod
    def resolve_summary(obj: Interaction, context: Any) -> str:
        return free_text_shown(_user(context), obj.customer, obj.summary)

    @staticmethod
    def resolve_next_action(obj: Interaction, context: Any) -> str:
        return free_text_shown(_user(context), obj.customer, obj.next_action)

    @staticmethod
    def resolve_contact_name(obj: Interaction) -> str | None:
        return obj.contact.name if obj.contact_id and obj.contact else None

    @staticmethod
    def resolve_method_label(obj: Interaction) -> str:
        return str(obj.get_method_display())

    @staticmethod
    def resolve_feedback_label(obj: Interaction) -> str:
        return str(obj.get_feedback_display()) if obj.feedback else ""

    @staticmethod
    def resolve_next_action_owner(obj: Interaction) -> str | None:
        return obj.next_action_owner.username if obj.next_action_owner else None

    @staticmethod
    def resolve_performed_by(obj: Interaction) -> str | None:
        return obj.performed_by.username if obj.performed_by else None


class InteractionPage(Paged):
    items: list[InteractionOut]


class EventIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer_no: str | None = None
    external_id: str | None = None
    contact_id: int | None = None
    kind: str | None = None
    occurred_at: str | None = None
    properties: dict[str, Any] | None = None


class EventBatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn]


class EventOut(Schema):
    id: int
    customer_no: str
    contact_id: int | None
    kind: str
    occurred_at: datetime
    properties: dict[str, Any]

    @staticmethod
    def resolve_customer_no(obj: BehaviourEvent) -> str:
        return obj.customer.customer_no


class EventPage(Paged):
    items: list[EventOut]


class EventBatchOut(Schema):
    accepted: int


def _interactions_related() -> list[str]:
    return ["customer", "contact", "performed_by", "next_action_owner"]


def _interaction_for(
    request: AuthedRequest, interaction_no: str, *, for_write: bool
) -> Interaction:
    visible = scope_for(request.user, Interaction.objects.select_related(*_interactions_related()))
    interaction = visible.filter(interaction_no=interaction_no.strip().upper()).first()
    if interaction is None:
        raise Http404("No such interaction.")
    if for_write:
        writable = interaction_scope(
            request.user, Customer.objects.filter(pk=interaction.customer_id)
        )
        if not can_log_interaction(request.user) or not writable.exists():
            raise PermissionDenied(_("You may view this interaction but not change it."))
    return interaction


@router.get(
    "/customers/{customer_no}/interactions", response={200: InteractionPage, **errors(404, 422)}
)
def interaction_list(
    request: AuthedRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    interactions = customer.interactions.select_related(*_interactions_related())
    return paged(interactions, order="-occurred_at", cursor=cursor, limit=limit)


@router.post(
    "/customers/{customer_no}/interactions",
    response={201: InteractionOut, **errors(403, 404, 422)},
)
def interaction_create(request: AuthedRequest, customer_no: str, payload: InteractionIn) -> Status:
    customer = customer_get_for(request.user, customer_no)
    writable = interaction_scope(request.user, Customer.objects.filter(pk=customer.pk))
    if not can_log_interaction(request.user) or not writable.exists():
        raise PermissionDenied(_("You may not log interactions on this customer."))
    interaction = services.interaction_log(
        actor=request.user, customer=customer, data=payload_data(payload)
    )
    return Status(201, _interaction_for(request, interaction.interaction_no, for_write=False))


@router.get("/interactions/{interaction_no}", response={200: InteractionOut, **errors(404)})
def interaction_detail(request: AuthedRequest, interaction_no: str) -> Interaction:
    return _interaction_for(request, interaction_no, for_write=False)


@router.patch(
    "/interactions/{interaction_no}", response={200: InteractionOut, **errors(403, 404, 422)}
)
def interaction_update(
    request: AuthedRequest, interaction_no: str, payload: InteractionIn
) -> Interaction:
    interaction = _interaction_for(request, interaction_no, for_write=True)
    data = free_text_echo_kept(
        request.user, interaction.customer, interaction, payload_data(payload), ECHO_FIELDS
    )
    services.interaction_update(actor=request.user, interaction=interaction, data=data)
    return _interaction_for(request, interaction_no, for_write=False)


@router.delete("/interactions/{interaction_no}", response={204: None, **errors(403, 404)})
def interaction_delete(request: AuthedRequest, interaction_no: str) -> Status:
    interaction = _interaction_for(request, interaction_no, for_write=True)
    services.interaction_delete(actor=request.user, interaction=interaction)
    return Status(204, None)


@router.get(
    "/customers/{customer_no}/events",
    response={200: EventPage, **errors(404, 422)},
    tags=["events"],
)
def event_list(
    request: AuthedRequest, customer_no: str, cursor: str | None = None, limit: int | None = None
) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    events = customer.events.select_related("customer")
    return paged(events, order="-occurred_at", cursor=cursor, limit=limit)


@router.post(
    "/events",
    response={201: EventBatchOut, **errors(403, 422)},
    tags=["events"],
    summary="Ingest a batch",
)
def event_ingest(request: AuthedRequest, payload: EventBatchIn) -> Status:
    events = [e.model_dump(exclude_unset=True) for e in payload.events]
    customers = interaction_scope(request.user, Customer.objects.all())
    if not can_log_interaction(request.user):
        raise PermissionDenied(_("Your role may not record behaviour events."))
    created = services.events_ingest(actor=request.user, events=events, customers=customers)
    return Status(201, {"accepted": len(created)})
