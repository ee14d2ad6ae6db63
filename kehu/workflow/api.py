"""/api/v1/rules and /api/v1/webhooks: the administrator's workflow rules and webhook
subscriptions (issue 16). Everyone else gets 403."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors, payload_data

from .models import Rule, Webhook, WebhookDelivery
from .services import rules as rule_services
from .services import webhooks as webhook_services

router = Router(tags=["workflow"])


class RuleOut(Schema):
    id: int
    name: str
    key: str
    is_enabled: bool
    trigger: str
    params: dict[str, Any]
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    last_fired_at: datetime | None
    last_fired_label: str
    last_fired_link: str
    fire_count: int
    created_at: datetime
    updated_at: datetime


class RuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    trigger: str
    is_enabled: bool = True
    params: dict[str, Any] = {}
    conditions: list[dict[str, Any]] = []
    actions: list[dict[str, Any]]


class RulePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    trigger: str | None = None
    is_enabled: bool | None = None
    params: dict[str, Any] | None = None
    conditions: list[dict[str, Any]] | None = None
    actions: list[dict[str, Any]] | None = None


def _admin(request: AuthedRequest) -> None:
    rule_services.assert_can_manage(request.user)


@router.get("/rules", response={200: list[RuleOut], **errors(403)}, summary="List workflow rules")
def rule_list(request: AuthedRequest) -> QuerySet[Rule]:
    _admin(request)
    return Rule.objects.order_by("id")


@router.post("/rules", response={201: RuleOut, **errors(403, 422)}, summary="Add a workflow rule")
def rule_create(request: AuthedRequest, payload: RuleIn) -> Status:
    rule = rule_services.rule_create(actor=request.user, data=payload_data(payload))
    return Status(201, rule)


@router.get(
    "/rules/{rule_id}", response={200: RuleOut, **errors(403, 404, 422)}, summary="A workflow rule"
)
def rule_get(request: AuthedRequest, rule_id: int) -> Rule:
    _admin(request)
    return get_object_or_404(Rule, pk=rule_id)


@router.patch(
    "/rules/{rule_id}",
    response={200: RuleOut, **errors(403, 404, 422)},
    summary="Change, enable or disable a workflow rule",
)
def rule_update(request: AuthedRequest, rule_id: int, payload: RulePatch) -> Rule:
    _admin(request)
    rule = get_object_or_404(Rule, pk=rule_id)
    data = {k: v for k, v in payload_data(payload).items() if v is not None}
    return rule_services.rule_update(actor=request.user, rule=rule, data=data)


@router.delete(
    "/rules/{rule_id}", response={204: None, **errors(403, 404, 422)}, summary="Delete a rule"
)
def rule_delete(request: AuthedRequest, rule_id: int) -> Status:
    _admin(request)
    rule_services.rule_delete(actor=request.user, rule=get_object_or_404(Rule, pk=rule_id))
    return Status(204, None)


# --- Webhooks


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    topics: list[str]
    is_enabled: bool
    secret: str
    created_at: datetime
    updated_at: datetime


class WebhookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    url: str
    topics: list[str]
    is_enabled: bool = True


class WebhookPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    url: str | None = None
    topics: list[str] | None = None
    is_enabled: bool | None = None
    new_secret: bool = False


class DeliveryOut(Schema):
    id: int
    event: str
    status: str
    attempt: int
    status_code: int | None
    response_ms: int | None
    error: str
    created_at: datetime
    attempted_at: datetime | None
    next_attempt_at: datetime | None
    body: str


@router.get("/webhooks", response={200: list[WebhookOut], **errors(403)}, summary="List webhooks")
def webhook_list(request: AuthedRequest) -> QuerySet[Webhook]:
    _admin(request)
    return Webhook.objects.order_by("id")


@router.post("/webhooks", response={201: WebhookOut, **errors(403, 422)}, summary="Add a webhook")
def webhook_create(request: AuthedRequest, payload: WebhookIn) -> Status:
    data = payload_data(payload) | {"is_enabled": payload.is_enabled}
    return Status(201, webhook_services.webhook_create(actor=request.user, data=data))


@router.get(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **errors(403, 404, 422)},
    summary="A webhook",
)
def webhook_get(request: AuthedRequest, webhook_id: int) -> Webhook:
    _admin(request)
    return get_object_or_404(Webhook, pk=webhook_id)


@router.patch(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **errors(403, 404, 422)},
    summary="Change a webhook (new_secret: true issues a new secret)",
)
def webhook_update(request: AuthedRequest, webhook_id: int, payload: WebhookPatch) -> Webhook:
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    data = {k: v for k, v in payload_data(payload).items() if v is not None}
    new_secret = bool(data.pop("new_secret", False))
    return webhook_services.webhook_update(
        actor=request.user, webhook=webhook, data=data, new_secret=new_secret
    )


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Delete a webhook",
)
def webhook_delete(request: AuthedRequest, webhook_id: int) -> Status:
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    webhook_services.webhook_delete(actor=request.user, webhook=webhook)
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], **errors(403, 404, 422)},
    summary="A webhook's delivery log (latest 100)",
)
def webhook_deliveries(request: AuthedRequest, webhook_id: int) -> QuerySet[WebhookDelivery]:
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    return webhook.deliveries.order_by("-id")[:100]


@router.post(
    "/webhooks/{webhook_id}/test",
    response={200: DeliveryOut, **errors(403, 404, 422)},
    summary="Send a test event now (one attempt) and return its delivery",
)
def webhook_test(request: AuthedRequest, webhook_id: int) -> WebhookDelivery:
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    delivery = webhook_services.webhook_test_create(actor=request.user, webhook=webhook)
    webhook_services.delivery_attempt(delivery.pk, retry=False)
    delivery.refresh_from_db()
    return delivery
