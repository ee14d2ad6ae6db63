"""/api/v1/segments: saved customer-list filters with live counts (thin edges)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from ninja import Query, Router, Schema, Status

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import capped_count_arms, errors, paged, payload_data
from kehu.core.errors import ValidationFailed, one_of
from kehu.customers.api import customers_for_output, decision_maker_prefetch
from kehu.customers.consent_gate import consent_gate
from kehu.customers.pull_volume import pull_rows
from kehu.customers.schemas import CustomerPage
from kehu.customers.selectors import ORDERINGS, customer_order_known, customer_ordered

from . import services
from .models import Segment
from .schemas import CountOut, PreviewIn, PreviewOut, SegmentIn, SegmentOut, SegmentPatch
from .selectors import (
    segment_count_for,
    segment_count_or_none,
    segment_customers_for,
    segment_get_for,
    segment_may_change,
    segments_for,
)
from .validators import segment_params, segment_query_clean

router = Router(tags=["segments"])


def segment_out(user: Any, segment: Segment, *, count: bool = True) -> dict[str, Any]:
    """A segment as the caller reads it, with its count as they see it."""
    return {
        "id": segment.pk,
        "name": segment.name,
        "description": segment.description,
        "owner": segment.owner.username,
        "owner_name": segment.owner.label,
        "visibility": segment.visibility,
        "team": segment.team.name if segment.team_id and segment.team else None,
        "query": segment.query,
        "params": segment_params(segment.query),
        "count": segment_count_or_none(user, segment) if count else None,
        "followup": {
            "cadence": segment.followup_cadence,
            "title": segment.followup_title,
            "due_days": segment.followup_due_days,
            "last_period": segment.followup_period,
        }
        if segment.followup_cadence
        else None,
        "may_change": segment_may_change(user, segment),
        "url": reverse("segment-detail", args=[segment.pk]),
        "created_at": segment.created_at,
        "updated_at": segment.updated_at,
    }


@router.get("/segments", response={200: list[SegmentOut]}, summary="Segments, with counts")
def segment_list(request: AuthedRequest) -> list[dict[str, Any]]:
    """The caller's segments and those shared with them, each counted as the caller sees the
    customers (their own visibility, not the owner's)."""
    return [segment_out(request.user, s) for s in segments_for(request.user)]


@router.post("/segments", response={201: SegmentOut, **errors(422)}, summary="Create a segment")
def segment_create(request: AuthedRequest, payload: SegmentIn) -> Status:
    segment = services.segment_create(actor=request.user, data=payload.model_dump())
    return Status(201, segment_out(request.user, segment_get_for(request.user, segment.pk)))


@router.post(
    "/segments/preview",
    response={200: PreviewOut, **errors(422)},
    summary="Count a filter before saving it",
)
def segment_preview(request: AuthedRequest, payload: PreviewIn) -> dict[str, Any]:
    """What the segment editor shows: how many customers the filter matches for the caller."""
    query = segment_query_clean(payload.query, actor=request.user)
    return {"count": segment_count_for(request.user, query), "query": query}


@router.get(
    "/segments/{segment_id}", response={200: SegmentOut, **errors(404, 422)}, summary="One segment"
)
def segment_detail(request: AuthedRequest, segment_id: int) -> dict[str, Any]:
    return segment_out(request.user, segment_get_for(request.user, segment_id))


@router.patch(
    "/segments/{segment_id}",
    response={200: SegmentOut, **errors(403, 404, 422)},
    summary="Change a segment (its owner or an administrator)",
)
def segment_update(request: AuthedRequest, segment_id: int, payload: SegmentPatch) -> Any:
    segment = segment_get_for(request.user, segment_id, for_change=True)
    services.segment_update(actor=request.user, segment=segment, data=payload_data(payload))
    return segment_out(request.user, segment_get_for(request.user, segment_id))


@router.delete(
    "/segments/{segment_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Delete a segment (its owner or an administrator)",
)
def segment_delete(request: AuthedRequest, segment_id: int) -> Status:
    segment = segment_get_for(request.user, segment_id, for_change=True)
    services.segment_delete(actor=request.user, segment=segment)
    return Status(204, None)


@router.get(
    "/segments/{segment_id}/count",
    response={200: CountOut, **errors(404, 422)},
    summary="How many customers the segment holds for the caller",
    exclude_none=True,
)
def segment_count(
    request: AuthedRequest, segment_id: int, purpose: str = ""
) -> dict[str, int | None]:
    """`purpose=marketing` (issue 19): also how many of them a marketing action would leave out
    for want of a live consent (`reachable` and `left_out`)."""
    segment = segment_get_for(request.user, segment_id)
    count = segment_count_for(request.user, segment.query)
    if not purpose:
        return {"count": count}
    customers, _arms = segment_customers_for(request.user, segment.query)
    _gated, left_out = consent_gate(customers, purpose)
    return {"count": count, "reachable": count - left_out, "left_out": left_out}


class PageQuery(Schema):
    order: str = "newest"
    cursor: str | None = None
    limit: int | None = None


@router.get(
    "/segments/{segment_id}/customers",
    response={200: CustomerPage, **errors(403, 404, 422)},
    summary="The segment's customers, paged like the customer list",
)
def segment_customers(
    request: AuthedRequest, segment_id: int, paging: Query[PageQuery]
) -> dict[str, object]:
    """The customers of the segment the caller sees, as GET /api/v1/customers?segment=<id>
    gives them (the same rows, order, cursor and daily volume rule)."""
    segment = segment_get_for(request.user, segment_id)
    if not customer_order_known(paging.order):
        raise ValidationFailed({"order": [one_of([*ORDERINGS, "cf_<key>", "-cf_<key>"])]})
    customers, (filtered, arms) = segment_customers_for(
        request.user, segment.query, order=paging.order
    )
    queryset, order = customer_ordered(customers, paging.order)
    page = paged(
        customers_for_output(queryset).prefetch_related(decision_maker_prefetch()),
        order=order,
        cursor=paging.cursor,
        limit=paging.limit,
        arms=arms,
        **capped_count_arms(filtered, arms),
    )
    pull_rows(actor=request.user, rows=len(page["items"]), refuse=True)
    return page
