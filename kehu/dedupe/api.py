"""Duplicates under /api/v1/dedupe: check, pairs, decisions, merge, undo, scan, rules, actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import ValidationFailed
from kehu.customers.matching.labels import reasons_shown
from kehu.customers.models import DuplicateAction, MatchRule
from kehu.customers.services.duplicates import (
    action_for,
    duplicate_action_set,
    duplicate_check,
    duplicate_scope,
    hidden_duplicates_message,
    match_rule_save,
)

from . import services
from .forms import PairFilterForm, pair_filter
from .models import DuplicatePair, Merge
from .selectors import customer_by_id_for, merge_get_for, pair_get_for, pair_list_for

router = Router(tags=["dedupe"])


class CheckIn(Schema):
    name: str = ""
    credit_code: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    city: str = ""
    decision_maker: dict[str, Any] | None = None
    contacts: list[dict[str, Any]] = []
    customer_id: int | None = None  # when editing: leave the record itself out
    context: str = "create"


class ReasonOut(Schema):
    field: str  # the compared field's code
    label: str  # the field as people read it, in the request's language
    level: str  # the level's code ("same mobile")
    level_label: str = ""  # the level as people read it
    weight: float


class MatchOut(Schema):
    customer_id: int
    customer_no: str
    name: str
    score: float
    url: str
    explanation: list[ReasonOut]


class CheckOut(Schema):
    action: str
    rule: str
    matches: list[MatchOut]
    hidden: int = 0
    message: str = ""


class PairOut(Schema):
    id: int
    customer_a: str
    customer_b: str
    name_a: str
    name_b: str
    score: float
    status: str
    source: str
    explanation: list[ReasonOut]
    found_at: datetime


class MergeIn(Schema):
    survivor: int
    merged: int
    fields: dict[str, str] = {}


class MergeOut(Schema):
    id: int
    survivor: str
    merged_customer_no: str
    # {field: [before, after]} on the survivor (an owner or team changed only when chosen)
    changes: dict[str, Any]
    moved: dict[str, Any]
    contacts_folded: int
    performed_at: datetime
    undone_at: datetime | None


class MatchRuleIn(Schema):
    name: str | None = None
    description: str | None = None
    min_score: float | None = None
    required_fields: list[str] | None = None
    is_active: bool | None = None


class MatchRuleOut(Schema):
    id: int
    name: str
    description: str
    min_score: float
    required_fields: list[str]
    is_active: bool


class ActionIn(Schema):
    action: str


class ActionOut(Schema):
    context: str
    action: str


class JobRef(Schema):
    job_id: int
    url: str


def _pair_out(pair: DuplicatePair) -> dict[str, Any]:
    return {
        "id": pair.pk,
        "customer_a": pair.customer_a.customer_no,
        "customer_b": pair.customer_b.customer_no,
        "name_a": pair.customer_a.name,
        "name_b": pair.customer_b.name,
        "score": pair.score,
        "status": pair.status,
        "source": pair.source,
        "explanation": reasons_shown(pair.explanation),
        "found_at": pair.found_at,
    }


def _merge_out(merge: Merge) -> dict[str, Any]:
    return {
        "id": merge.pk,
        "survivor": merge.survivor.customer_no,
        "merged_customer_no": merge.merged_customer_no,
        "changes": merge.survivor_changes or {},
        "moved": merge.moved,
        "contacts_folded": len((merge.contacts or {}).get("folded", [])),
        "performed_at": merge.performed_at,
        "undone_at": merge.undone_at,
    }


@router.post("/dedupe/check", response={200: CheckOut, **errors(404, 422)})
def dedupe_check(request: AuthedRequest, payload: CheckIn) -> dict[str, Any]:
    """Probable duplicates of a record about to be saved, with the action to take and why."""
    data = payload.model_dump()
    exclude = None
    if payload.customer_id:
        exclude = customer_by_id_for(request.user, payload.customer_id).pk
    result = duplicate_check(data=data, context=payload.context, exclude_id=exclude)
    scoped = duplicate_scope(request.user, result.matches, about=payload.name)
    return {
        "action": result.action,
        "rule": result.rule,
        "matches": [
            {
                "customer_id": m.customer.pk,
                "customer_no": m.customer.customer_no,
                "name": m.customer.name,
                "score": round(m.score, 4),
                "url": reverse("dedupe-customer-link", args=[m.customer.pk]),
                "explanation": reasons_shown(m.explanation()),
            }
            for m in scoped.visible
        ],
        "hidden": scoped.hidden,
        "message": hidden_duplicates_message(scoped.hidden) if scoped.hidden else "",
    }


class PairFilters(Schema):
    status: str = "open"
    source: str = ""
    min_score: float | None = None
    q: str = ""
    limit: int = 100
    offset: int = 0


@router.get("/dedupe/pairs", response={200: list[PairOut], **errors(403, 422)})
def pair_list(request: AuthedRequest, filters: Query[PairFilters]) -> list[dict[str, Any]]:
    """Pairs by score, filtered like the steward's page (status "" for all); `offset` pages."""
    form = PairFilterForm(filters.model_dump(exclude={"limit", "offset"}))
    if not form.is_valid():
        raise ValidationFailed({k: [str(m) for m in v] for k, v in form.errors.items()})
    if filters.limit < 1 or filters.limit > 500 or filters.offset < 0:
        raise ValidationFailed({"limit": [_("Between 1 and 500, from offset 0 on.")]})
    pairs = pair_filter(
        pair_list_for(request.user, status=filters.status or None), form.cleaned_data
    )
    return [_pair_out(p) for p in pairs[filters.offset : filters.offset + filters.limit]]


@router.get("/dedupe/pairs/{pair_id}", response={200: PairOut, **errors(404, 422)})
def pair_detail(request: AuthedRequest, pair_id: int) -> dict[str, Any]:
    return _pair_out(pair_get_for(request.user, pair_id))


@router.post(
    "/dedupe/pairs/{pair_id}/not-duplicate",
    response={200: PairOut, **errors(403, 404, 409, 422)},
)
def pair_not_duplicate(request: AuthedRequest, pair_id: int) -> dict[str, Any]:
    pair = pair_get_for(request.user, pair_id)
    return _pair_out(services.pair_mark_not_duplicate(actor=request.user, pair=pair))


@router.post("/dedupe/merge", response={200: MergeOut, **errors(403, 404, 409, 422)})
def merge_create(request: AuthedRequest, payload: MergeIn) -> dict[str, Any]:
    survivor = customer_by_id_for(request.user, payload.survivor)
    merged = customer_by_id_for(request.user, payload.merged)
    merge = services.customer_merge(
        actor=request.user, survivor=survivor, merged=merged, choices=payload.fields
    )
    return _merge_out(merge)


@router.post(
    "/dedupe/merges/{merge_id}/undo",
    response={200: MergeOut, **errors(403, 404, 409, 422)},
)
def merge_undo(request: AuthedRequest, merge_id: int) -> dict[str, Any]:
    merge = merge_get_for(request.user, merge_id)
    services.merge_undo(actor=request.user, merge=merge)
    merge.refresh_from_db()
    return _merge_out(merge)


@router.post("/dedupe/scan", response={202: JobRef, **errors(403, 409)})
def scan_start(request: AuthedRequest) -> Status:
    """Queue a scan of every customer (409 while one is queued or running)."""
    job = services.dedupe_scan_start(actor=request.user)
    return Status(202, {"job_id": job.pk, "url": f"/api/v1/jobs/{job.pk}"})


@router.get("/dedupe/rules", response={200: list[MatchRuleOut], **errors(403)})
def rule_list(request: AuthedRequest) -> Any:
    services.require_steward(request.user)
    return list(MatchRule.objects.all())


@router.post("/dedupe/rules", response={201: MatchRuleOut, **errors(403, 422)})
def rule_create(request: AuthedRequest, payload: MatchRuleIn) -> Status:
    data = payload.model_dump(exclude_unset=True)
    return Status(201, match_rule_save(actor=request.user, data=data))


@router.patch("/dedupe/rules/{rule_id}", response={200: MatchRuleOut, **errors(403, 404, 422)})
def rule_change(request: AuthedRequest, rule_id: int, payload: MatchRuleIn) -> MatchRule:
    services.require_steward(request.user)
    rule = get_object_or_404(MatchRule, pk=rule_id)
    return match_rule_save(
        actor=request.user, data=payload.model_dump(exclude_unset=True), rule=rule
    )


@router.get("/dedupe/actions", response={200: list[ActionOut], **errors(403)})
def action_list(request: AuthedRequest) -> list[dict[str, str]]:
    services.require_steward(request.user)
    return [{"context": c, "action": action_for(c)} for c in DuplicateAction.Context.values]


@router.put("/dedupe/actions/{context}", response={200: ActionOut, **errors(403, 404, 422)})
def action_set(request: AuthedRequest, context: str, payload: ActionIn) -> DuplicateAction:
    return duplicate_action_set(actor=request.user, context=context, action=payload.action)
