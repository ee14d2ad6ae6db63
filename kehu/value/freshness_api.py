"""/api/v1/value/freshness: verification cadences by grade and the behaviour triggers
(administrators only; everyone else 403)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors, payload_data

from .freshness.cadence import cadences
from .models import BehaviourTrigger, VerificationCadence
from .services.freshness import assert_can_manage, cadence_update, trigger_save

router = Router(tags=["value"])


class CadenceOut(Schema):
    key: str
    label: str
    days: int


class TriggerOut(Schema):
    id: int
    name: str
    event_kind: str
    min_count: int
    window_days: int
    lifecycle: str
    task_title: str
    is_enabled: bool


class FreshnessOut(Schema):
    cadences: list[CadenceOut]
    triggers: list[TriggerOut]


class FreshnessPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    cadences: dict[str, int]


class TriggerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    event_kind: str
    min_count: int = 1
    window_days: int = 7
    lifecycle: str = ""
    task_title: str
    is_enabled: bool = True


class TriggerPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    event_kind: str | None = None
    min_count: int | None = None
    window_days: int | None = None
    lifecycle: str | None = None
    task_title: str | None = None
    is_enabled: bool | None = None


def freshness_state() -> dict[str, Any]:
    days = cadences()
    return {
        "cadences": [
            {"key": key, "label": str(VerificationCadence.Key(key).label), "days": days[key]}
            for key in days
        ],
        "triggers": list(BehaviourTrigger.objects.order_by("id")),
    }


@router.get("/value/freshness", response={200: FreshnessOut}, summary="Freshness settings")
def freshness_get(request: AuthedRequest) -> dict[str, Any]:
    assert_can_manage(request.user)
    return freshness_state()


@router.patch(
    "/value/freshness",
    response={200: FreshnessOut, **errors(422)},
    summary="Change the verification cadences",
)
def freshness_patch(request: AuthedRequest, payload: FreshnessPatch) -> dict[str, Any]:
    assert_can_manage(request.user)
    cadence_update(actor=request.user, days=payload.cadences)
    return freshness_state()


@router.post(
    "/value/freshness/triggers",
    response={201: TriggerOut, **errors(422)},
    summary="Add a behaviour trigger",
)
def trigger_create(request: AuthedRequest, payload: TriggerIn) -> Status:
    assert_can_manage(request.user)
    return Status(201, trigger_save(actor=request.user, data=payload_data(payload)))


@router.patch(
    "/value/freshness/triggers/{trigger_id}",
    response={200: TriggerOut, **errors(404, 422)},
    summary="Change a behaviour trigger",
)
def trigger_update(request: AuthedRequest, trigger_id: int, payload: TriggerPatch) -> Any:
    assert_can_manage(request.user)
    trigger = get_object_or_404(BehaviourTrigger, pk=trigger_id)
    return trigger_save(actor=request.user, trigger=trigger, data=payload_data(payload))
