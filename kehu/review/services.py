"""The one review queue's write path: hold a change, decide it, change the rules.

Owning services call `review_hold` when one of their guards holds a change (they raise
ChangeHeld afterwards, so nothing of the change is saved); reviewers call `review_decide`,
which replays an approved change through the owning app's service (kehu/review/appliers.py).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.services import notification_send, notifications_settled
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import AlreadyDecided, DomainError, PermissionDenied, ValidationFailed

from .appliers import applier_for
from .models import ReviewItem, ReviewRule
from .selectors import STEWARD_ACTIONS, can_decide

REVIEW_LINK = "/review/{id}/"


def reviewers_for(item: ReviewItem) -> list[User]:
    """Who is told: stewards for duplicates; else the team's active managers, else the admins."""
    active = User.objects.filter(is_active=True).exclude(pk=item.requested_by_id)
    if item.action in STEWARD_ACTIONS:
        # A unit's steward hears only of its unit's items (kehu.review.selectors).
        unit = item.customer.team_id if item.customer is not None else item.requested_by.team_id
        people: QuerySet[User] = active.filter(role=Role.STEWARD).filter(
            Q(steward_unit__isnull=True) | Q(steward_unit_id=unit)
        )
    elif item.team_id:
        people = active.filter(team_id=item.team_id, role=Role.MANAGER)
    else:
        people = active.none()
    if not people.exists():
        people = active.filter(role=Role.ADMIN)
    return list(people)


def _notify(users: list[User], message: str, link: str) -> None:
    notification_send(users=users, message=message, link=link)


@transaction.atomic
def review_hold(
    *,
    actor: User,
    action: str,
    rule: str,
    reason: str,
    payload: dict[str, Any],
    diff: list[dict[str, Any]] | None = None,
    customer: Any = None,
    team_id: int | None = None,
) -> ReviewItem:
    """Queue a change for a reviewer, tell the reviewers, audit it. The caller then raises
    ChangeHeld (or, for a queued duplicate, goes on with its save). The same change asked for
    again while it waits (a file imported twice, a form sent twice) is the item already
    waiting: a reviewer decides it once."""
    waiting = _waiting_same(actor, action, rule, customer, payload, diff or [])
    if waiting is not None:
        return waiting
    item = ReviewItem.objects.create(
        action=action,
        rule=rule,
        requested_by=actor,
        team_id=team_id or getattr(customer, "team_id", None) or actor.team_id,
        customer=customer,
        payload=payload,
        diff=diff or [],
        reason=reason,
    )
    subject = customer.name if customer is not None else item.get_action_display()
    _notify(
        reviewers_for(item),
        _("%(user)s: %(what)s waits for your review (%(reason)s).")
        % {"user": actor.label, "what": subject, "reason": reason},
        REVIEW_LINK.format(id=item.pk),
    )
    audit_record(
        actor=actor,
        action=AuditAction.REVIEW_HELD,
        target=customer if customer is not None else item,
        changes={"review_item": item.pk, "rule": rule, "action": action},
        note=reason,
    )
    return item


# Words that ride along with a change without being the change: the import names its run.
_NOT_THE_CHANGE = ("status_reason",)
# Actions whose diff is the whole change (cleaned: 成交客户, 已成交 and won are one status).
_DIFF_IS_THE_CHANGE = (ReviewItem.Action.CUSTOMER_CREATE, ReviewItem.Action.CUSTOMER_UPDATE)


def _waiting_same(
    actor: User,
    action: str,
    rule: str,
    customer: Any,
    payload: dict[str, Any],
    diff: list[dict[str, Any]],
) -> ReviewItem | None:
    """The pending item of `actor` asking for the same change: the same payload, or for a
    customer's creation or change the same non-empty diff. Both are sealed, so they are read
    here, among the few pending items of the same action, rule, requester and customer."""
    pending = ReviewItem.objects.filter(
        status=ReviewItem.Status.PENDING, action=action, rule=rule, requested_by=actor
    )
    if customer is not None:
        pending = pending.filter(customer=customer)
    else:
        pending = pending.filter(customer__isnull=True)

    def request(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in _NOT_THE_CHANGE}

    def change(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [row for row in rows if row.get("field") not in _NOT_THE_CHANGE]

    by_diff = action in _DIFF_IS_THE_CHANGE and bool(change(diff))
    for item in pending:
        if request(item.payload) == request(payload):
            return item
        if by_diff and change(item.diff) == change(diff):
            return item
    return None


@transaction.atomic
def review_decide(*, actor: User, item: ReviewItem, approve: bool, note: str = "") -> ReviewItem:
    """Approve (replay the change through its owner's service, atomically) or reject."""
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if not can_decide(actor, item):
        raise PermissionDenied(_("Only the requester's manager or an administrator may decide."))
    if item.status != ReviewItem.Status.PENDING:
        raise AlreadyDecided(_("This item has been decided already."))
    if len(note) > 2000:
        raise ValidationFailed({"note": [_("At most 2,000 characters.")]})
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.note = note
    if approve:
        item.status = ReviewItem.Status.APPROVED
        item.save(update_fields=["status", "reviewed_by", "reviewed_at", "note"])
        applier = applier_for(item.action)
        if applier is None:
            raise DomainError(_("Nothing knows how to apply this kind of change."))
        applier(item)
    else:
        item.status = ReviewItem.Status.REJECTED
        item.save(update_fields=["status", "reviewed_by", "reviewed_at", "note"])
    audit_record(
        actor=actor,
        action=AuditAction.REVIEW_APPROVED if approve else AuditAction.REVIEW_REJECTED,
        target=item.customer if item.customer_id else item,
        changes={"review_item": item.pk, "rule": item.rule, "action": item.action},
        note=note,
    )
    subject = item.customer.name if item.customer else item.get_action_display()
    message = (
        _("Your change to %(what)s was approved.")
        if approve
        else _("Your change to %(what)s was rejected.")
    ) % {"what": subject}
    if note:
        message += " " + note
    _notify([item.requested_by], message, REVIEW_LINK.format(id=item.pk))
    notifications_settled(link=REVIEW_LINK.format(id=item.pk), except_user=item.requested_by)
    return item


def review_approved_unused(*, actor: User, action: str, at_least: int) -> ReviewItem | None:
    """An approved, not yet used item of this user (an export approval is good for 24 hours)."""
    since = timezone.now() - timedelta(days=1)
    return (
        ReviewItem.objects.filter(
            action=action,
            requested_by=actor,
            status=ReviewItem.Status.APPROVED,
            used_at__isnull=True,
            reviewed_at__gte=since,
            payload__count__gte=at_least,
        )
        .order_by("id")
        .first()
    )


def review_mark_used(item: ReviewItem) -> None:
    ReviewItem.objects.filter(pk=item.pk).update(used_at=timezone.now())


@transaction.atomic
def review_rule_change(
    *, actor: User, kind: str, threshold: Any = None, is_active: bool | None = None
) -> ReviewRule:
    """Administrators tune the rules; every change is audited with its before and after."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change review rules."))
    if kind not in ReviewRule.Kind.values:
        raise ValidationFailed({"kind": [_("Unknown rule.")]})
    rule, _created = ReviewRule.objects.select_for_update().get_or_create(kind=kind)
    before = {"threshold": str(rule.threshold), "is_active": rule.is_active}
    if threshold is not None:
        try:
            value = Decimal(str(threshold))
        except InvalidOperation:
            raise ValidationFailed({"threshold": [_("Enter a number.")]}) from None
        if value < 0 or value >= Decimal("1e14"):
            raise ValidationFailed({"threshold": [_("Between 0 and 99,999,999,999,999.")]})
        rule.threshold = value
    if is_active is not None:
        rule.is_active = bool(is_active)
    rule.save()
    after = {"threshold": str(rule.threshold), "is_active": rule.is_active}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(
            actor=actor, action=AuditAction.REVIEW_RULE_CHANGED, target=rule, changes=changes
        )
    return rule


@transaction.atomic
def review_items_move(*, actor: User | None, ids: list[int], customer: Any) -> list[int]:
    """Give these review items to another customer (kehu.dedupe's merge, or its undo): a change
    waiting for review about a merged-away customer then waits about the one it became."""
    moved = list(
        ReviewItem.objects.filter(pk__in=ids)
        .exclude(customer=customer)
        .values_list("pk", flat=True)
    )
    if moved:
        ReviewItem.objects.filter(pk__in=moved).update(customer=customer)
        audit_record(
            actor=actor,
            action=AuditAction.REVIEW_ITEMS_MOVED,
            target=customer,
            changes={"items": moved},
        )
    return moved


def review_item_customer_set(*, item: ReviewItem, customer: Any) -> None:
    """A held new customer was created on approval: the item points at it from now on."""
    ReviewItem.objects.filter(pk=item.pk).update(customer=customer)
    item.customer = customer
