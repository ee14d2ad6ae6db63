"""/api/v1/review: the one review queue (approvals, anomalies, queued duplicates) and its rules.

/api/v1/change-requests keeps the approval queue's older shape for integrations that use it;
it reads and decides the same items (rule "approval").
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import Paged, errors, paged
from kehu.core.errors import PermissionDenied, ValidationFailed, one_of

from .models import ReviewItem, ReviewRule
from .selectors import can_decide, review_item_get_for, review_queue_for
from .services import review_decide, review_rule_change

router = Router(tags=["review"])
RULE_READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD, Role.EXECUTIVE)


class DiffRow(Schema):
    field: str
    label: str
    before: str
    after: str


class ReviewItemOut(Schema):
    id: int
    action: str
    action_label: str
    rule: str
    rule_label: str
    status: str
    status_label: str
    requested_by: str
    customer_no: str
    customer_name: str
    reason: str
    changes: list[DiffRow]
    note: str
    reviewed_by: str
    reviewed_at: datetime | None
    created_at: datetime
    can_decide: bool


class ReviewPage(Paged):
    items: list[ReviewItemOut]


class DecisionIn(Schema):
    note: str = ""


class ReviewRuleOut(Schema):
    id: int
    kind: str
    label: str
    threshold: Decimal
    is_active: bool


class ReviewRuleIn(Schema):
    threshold: Decimal | None = None
    is_active: bool | None = None


def item_out(item: ReviewItem, user: Any) -> dict[str, Any]:
    return {
        "id": item.pk,
        "action": item.action,
        "action_label": item.get_action_display(),
        "rule": item.rule,
        "rule_label": item.get_rule_display(),
        "status": item.status,
        "status_label": item.get_status_display(),
        "requested_by": item.requested_by.label,
        "customer_no": item.customer.customer_no if item.customer else "",
        "customer_name": item.customer.name if item.customer else "",
        "reason": item.reason,
        "changes": item.diff,
        "note": item.note,
        "reviewed_by": item.reviewed_by.label if item.reviewed_by else "",
        "reviewed_at": item.reviewed_at,
        "created_at": item.created_at,
        "can_decide": can_decide(user, item),
    }


def review_filtered(user: Any, *, status: str, action: str = "", rule: str = "") -> Any:
    queryset = review_queue_for(user)
    if status:
        if status not in ReviewItem.Status.values:
            raise ValidationFailed({"status": [one_of(["pending", "approved", "rejected"])]})
        queryset = queryset.filter(status=status)
    if action:
        queryset = queryset.filter(action=action)
    if rule:
        queryset = queryset.filter(rule=rule)
    return queryset


@router.get("/review", response={200: ReviewPage, **errors(422)}, summary="The review queue")
def review_list(
    request: AuthedRequest,
    status: str = "pending",
    action: str = "",
    rule: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Items waiting for (or decided by) a reviewer that this user may see, newest first."""
    queryset = review_filtered(request.user, status=status, action=action, rule=rule)
    return paged(queryset, cursor=cursor, limit=limit, item=lambda i: item_out(i, request.user))


@router.get(
    "/review/rules", response={200: list[ReviewRuleOut], **errors(403)}, summary="Review rules"
)
def review_rules(request: AuthedRequest) -> list[dict[str, Any]]:
    if request.user.role not in RULE_READERS:
        raise PermissionDenied(_("Only managers, stewards and administrators read the rules."))
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "label": r.get_kind_display(),
            "threshold": r.threshold,
            "is_active": r.is_active,
        }
        for r in ReviewRule.objects.all()
    ]


@router.put(
    "/review/rules/{kind}",
    response={200: ReviewRuleOut, **errors(403, 404, 422)},
    summary="Change a review rule",
)
def review_rule_put(request: AuthedRequest, kind: str, payload: ReviewRuleIn) -> dict[str, Any]:
    """Administrators only; audited ("review.rule_changed"). `kind` is the rule's kind (or its
    id, as before)."""
    if kind.isdigit():
        found = ReviewRule.objects.filter(pk=int(kind)).first() if len(kind) < 19 else None
        kind = found.kind if found else kind
    rule = review_rule_change(
        actor=request.user, kind=kind, threshold=payload.threshold, is_active=payload.is_active
    )
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "label": rule.get_kind_display(),
        "threshold": rule.threshold,
        "is_active": rule.is_active,
    }


@router.get(
    "/review/{item_id}",
    response={200: ReviewItemOut, **errors(404, 422)},
    summary="One review item",
)
def review_detail(request: AuthedRequest, item_id: int) -> dict[str, Any]:
    return item_out(review_item_get_for(request.user, item_id), request.user)


@router.post(
    "/review/{item_id}/approve",
    response={200: ReviewItemOut, **errors(403, 404, 409, 422)},
    summary="Approve and apply",
)
def review_approve(
    request: AuthedRequest, item_id: int, payload: DecisionIn | None = None
) -> dict[str, Any]:
    item = review_item_get_for(request.user, item_id)
    done = review_decide(
        actor=request.user, item=item, approve=True, note=payload.note if payload else ""
    )
    return item_out(done, request.user)


@router.post(
    "/review/{item_id}/reject",
    response={200: ReviewItemOut, **errors(403, 404, 409, 422)},
    summary="Reject",
)
def review_reject(
    request: AuthedRequest, item_id: int, payload: DecisionIn | None = None
) -> dict[str, Any]:
    item = review_item_get_for(request.user, item_id)
    done = review_decide(
        actor=request.user, item=item, approve=False, note=payload.note if payload else ""
    )
    return item_out(done, request.user)


# --- /change-requests: the approval queue in its older shape (same items, rule "approval").


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


class ChangeRequestPage(Paged):
    items: list[ChangeRequestOut]


class CommentIn(Schema):
    comment: str = ""


def change_request_out(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "customer_no": item.customer.customer_no if item.customer else "",
        "customer_name": item.customer.name if item.customer else "",
        "requested_by": item.requested_by.get_username(),
        "fields": [row.get("field", "") for row in item.diff],
        "payload": item.payload,
        "status": item.status,
        "reviewed_by": item.reviewed_by.get_username() if item.reviewed_by else None,
        "reviewed_at": item.reviewed_at,
        "comment": item.note,
        "created_at": item.created_at,
    }


def _approval_item(request: AuthedRequest, request_id: int) -> ReviewItem:
    item = review_item_get_for(request.user, request_id)
    if item.rule != ReviewRule.Kind.APPROVAL:
        raise ValidationFailed({"request_id": [_("Not a change request; see /api/v1/review.")]})
    return item


@router.get(
    "/change-requests", response={200: ChangeRequestPage, **errors(422)}, tags=["approvals"]
)
def change_request_list(
    request: AuthedRequest,
    status: str | None = "pending",
    customer: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    queryset = review_filtered(request.user, status=status or "", rule=ReviewRule.Kind.APPROVAL)
    if customer:
        queryset = queryset.filter(customer__customer_no=customer.strip().upper())
    return paged(queryset, cursor=cursor, limit=limit, item=change_request_out)


@router.post(
    "/change-requests/{request_id}/approve",
    response={200: ChangeRequestOut, **errors(403, 404, 409, 422)},
    tags=["approvals"],
)
def change_request_approve(
    request: AuthedRequest, request_id: int, payload: CommentIn | None = None
) -> dict[str, Any]:
    item = _approval_item(request, request_id)
    comment = payload.comment if payload else ""
    return change_request_out(
        review_decide(actor=request.user, item=item, approve=True, note=comment)
    )


@router.post(
    "/change-requests/{request_id}/reject",
    response={200: ChangeRequestOut, **errors(403, 404, 409, 422)},
    tags=["approvals"],
)
def change_request_reject(
    request: AuthedRequest, request_id: int, payload: CommentIn | None = None
) -> dict[str, Any]:
    item = _approval_item(request, request_id)
    comment = payload.comment if payload else ""
    return change_request_out(
        review_decide(actor=request.user, item=item, approve=False, note=comment)
    )
