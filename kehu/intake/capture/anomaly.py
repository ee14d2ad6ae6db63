"""Anomaly review: suspicious changes wait for a manager instead of being saved.

Rules are AnomalyRule rows (kind + threshold, editable by an admin):
- amount_jump: a customer's budget (budget_amount, our "annual purchase" figure) set to ≥ N×
  its current value;
- vip_phone: the phone of a VIP changes: a VIP has the tag "VIP", or a budget above the
  threshold (yuan; default 50万), or the budget band >50万;
- bulk_change: one action changes the status or owner of more than N customers;
- export_spike: a user exports more than N× their trailing average export (last 90 days, at
  least KEHU_EXPORT_BASELINE_ROWS rows as the baseline).

`change_guard` is listed in settings.KEHU_CHANGE_GUARDS and called by the edges through
kehu.core.guards before the service; a hit stores a PendingChange with the payload, alerts the
requester's team managers (ReviewAlert + audit entry) and raises ChangeHeld. Approval applies
the payload through the normal services, as the requester.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kehu.accounts.models import Role, User
from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_record
from kehu.core.errors import DomainError, ValidationFailed
from kehu.core.guards import ChangeHeld
from kehu.core.validators import parse_amount, parse_phone
from kehu.customers.models import Customer
from kehu.customers.services import PermissionDenied, customer_update
from kehu.tags.selectors import customer_has_tag

from .models import AnomalyRule, PendingChange, ReviewAlert

VIP_TAG = "VIP"
EXPORT_WINDOW_DAYS = 90


def _rule(kind: str) -> AnomalyRule | None:
    return AnomalyRule.objects.filter(kind=kind, is_active=True).first()


def _amount(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return parse_amount(raw)
    except Exception:  # noqa: BLE001 - the service reports a bad amount itself
        return None


def _phone(raw: Any) -> str:
    try:
        return parse_phone(str(raw))[0] if raw else ""
    except Exception:  # noqa: BLE001
        return str(raw)


def is_vip(customer: Customer, rule: AnomalyRule) -> bool:
    if customer_has_tag(customer, VIP_TAG):
        return True
    if customer.budget_band == Customer.BudgetBand.OVER_500K:
        return True
    return customer.budget_amount is not None and customer.budget_amount > rule.threshold


def _update_reason(customer: Customer, data: dict[str, Any]) -> tuple[str, str] | None:
    rule = _rule(AnomalyRule.Kind.AMOUNT_JUMP)
    new = _amount(data.get("budget_amount")) if "budget_amount" in data else None
    old = customer.budget_amount
    if rule and new is not None and old and old > 0 and new >= old * rule.threshold:
        return rule.kind, f"预算从 {old:,.0f} 元变为 {new:,.0f} 元(≥{rule.threshold:g}倍)"
    rule = _rule(AnomalyRule.Kind.VIP_PHONE)
    if rule and is_vip(customer, rule):
        changed = []
        for key in ("phone", "mobile"):
            if key in data and _phone(data[key]) != customer.phone:
                changed.append(key)
        maker = data.get("decision_maker")
        if isinstance(maker, dict):
            current = customer.contacts.filter(decision_role="decision_maker").first()
            for key in ("mobile", "phone", "landline"):
                if key in maker and (
                    current is None or _phone(maker[key]) not in (current.mobile, current.landline)
                ):
                    changed.append(f"decision_maker.{key}")
        if changed:
            return rule.kind, f"VIP 客户的电话被修改({', '.join(changed)})"
    return None


def _export_baseline(actor: Any) -> Decimal:
    since = timezone.now() - timedelta(days=EXPORT_WINDOW_DAYS)
    sizes = [
        int((entry or {}).get("rows") or 0)
        for entry in AuditEntry.objects.filter(
            actor=actor, action="customers.exported", created_at__gte=since
        ).values_list("changes", flat=True)[:50]
    ]
    average = Decimal(sum(sizes)) / len(sizes) if sizes else Decimal(0)
    return max(average, Decimal(getattr(settings, "KEHU_EXPORT_BASELINE_ROWS", 50)))


def _approved_export(actor: Any, count: int) -> PendingChange | None:
    since = timezone.now() - timedelta(days=1)
    return (
        PendingChange.objects.filter(
            action=PendingChange.Action.EXPORT,
            requested_by=actor,
            status=PendingChange.Status.APPROVED,
            used_at__isnull=True,
            reviewed_at__gte=since,
            payload__count__gte=count,
        )
        .order_by("id")
        .first()
    )


def managers_of(user: Any) -> list[User]:
    """Who is alerted: the active managers of the user's team, else the administrators."""
    managers: QuerySet[User] = User.objects.none()
    if getattr(user, "team_id", None):
        managers = User.objects.filter(team_id=user.team_id, role=Role.MANAGER, is_active=True)
        managers = managers.exclude(pk=user.pk)
    if not managers.exists():
        managers = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    return list(managers)


def hold(
    *, action: str, kind: str, actor: Any, customer: Customer | None, payload: Any, reason: str
) -> PendingChange:
    """Store the change in the review queue and alert the managers (own transaction)."""
    with transaction.atomic():
        pending = PendingChange.objects.create(
            action=action,
            kind=kind,
            requested_by=actor,
            team_id=getattr(actor, "team_id", None),
            customer=customer,
            payload=payload,
            reason=reason,
        )
        for manager in managers_of(actor):
            ReviewAlert.objects.create(recipient=manager, pending=pending)
        audit_record(
            actor=actor,
            action="change.held",
            target=customer or pending,
            changes={"pending_change": pending.pk, "rule": kind},
            note=reason,
        )
    return pending


def change_guard(*, action: str, actor: Any, customer: Any = None, data: Any = None) -> None:
    """Hold the change when a rule matches (raise ChangeHeld); else return."""
    if not getattr(actor, "is_authenticated", False) or actor.role == Role.ADMIN:
        return  # administrators are the reviewers; the web-form user creates only
    found: tuple[str, str] | None = None
    payload: Any = data
    if action == PendingChange.Action.CUSTOMER_UPDATE and customer is not None:
        found = _update_reason(customer, data or {})
    elif action == PendingChange.Action.BULK_UPDATE:
        rule = _rule(AnomalyRule.Kind.BULK_CHANGE)
        ids = list((data or {}).get("customer_ids") or [])
        changes = (data or {}).get("changes") or {}
        if rule and len(ids) > rule.threshold and ({"status", "owner"} & set(changes)):
            found = rule.kind, f"一次修改 {len(ids)} 个客户的状态或负责人(上限 {rule.threshold:g})"
    elif action == PendingChange.Action.EXPORT:
        rule = _rule(AnomalyRule.Kind.EXPORT_SPIKE)
        count = int((data or {}).get("count") or 0)
        if rule:
            baseline = _export_baseline(actor)
            if count > baseline * rule.threshold:
                approved = _approved_export(actor, count)
                if approved is not None:
                    approved.used_at = timezone.now()
                    approved.save(update_fields=["used_at"])
                    return
                found = (
                    rule.kind,
                    (f"导出 {count} 个客户,超过平常({baseline:.0f})的 {rule.threshold:g} 倍"),
                )
    if found is None:
        return
    kind, reason = found
    pending = hold(
        action=action, kind=kind, actor=actor, customer=customer, payload=payload, reason=reason
    )
    raise ChangeHeld(
        f"This change waits for review by your manager (#{pending.pk}): {reason}",
        pending_id=pending.pk,
    )


# --- The review queue


def pending_queryset_for(user: Any) -> QuerySet[PendingChange]:
    """Admins see every held change, managers their team's, everyone else their own."""
    queryset = PendingChange.objects.select_related("requested_by", "customer", "reviewed_by")
    if getattr(user, "role", None) == Role.ADMIN:
        return queryset
    if getattr(user, "role", None) == Role.MANAGER and user.team_id:
        return queryset.filter(Q(team_id=user.team_id) | Q(requested_by=user))
    return queryset.filter(requested_by=user)


def can_review(user: Any, pending: PendingChange) -> bool:
    if pending.requested_by_id == getattr(user, "pk", None):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and bool(user.team_id) and user.team_id == pending.team_id


class AlreadyReviewed(DomainError):
    """This change has been reviewed already."""

    status_code = 409
    code = "already_reviewed"


def _apply(pending: PendingChange) -> None:
    actor = pending.requested_by
    if pending.action == PendingChange.Action.CUSTOMER_UPDATE and pending.customer:
        customer_update(actor=actor, customer=pending.customer, data=pending.payload)
    elif pending.action == PendingChange.Action.BULK_UPDATE:
        changes = pending.payload.get("changes") or {}
        for customer in Customer.objects.filter(pk__in=pending.payload.get("customer_ids") or []):
            customer_update(actor=actor, customer=customer, data=changes)
    # An export is not replayed: the approval lets the requester download it once (24 h).


@transaction.atomic
def pending_review(
    *, actor: Any, pending: PendingChange, approve: bool, note: str = ""
) -> PendingChange:
    """Approve (apply through the services) or reject a held change."""
    pending = PendingChange.objects.select_for_update().get(pk=pending.pk)
    if not can_review(actor, pending):
        raise PermissionDenied("Only the requester's manager or an administrator may review this.")
    if pending.status != PendingChange.Status.PENDING:
        raise AlreadyReviewed()
    if approve:
        try:
            _apply(pending)
        except ValidationFailed:
            raise
    pending.status = PendingChange.Status.APPROVED if approve else PendingChange.Status.REJECTED
    pending.reviewed_by = actor
    pending.reviewed_at = timezone.now()
    pending.review_note = note[:2000]
    pending.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    ReviewAlert.objects.filter(pending=pending, read_at__isnull=True).update(read_at=timezone.now())
    audit_record(
        actor=actor,
        action="change.approved" if approve else "change.rejected",
        target=pending.customer or pending,
        changes={"pending_change": pending.pk},
        note=note,
    )
    return pending


def bulk_update(*, actor: Any, customers: list[Customer], changes: dict[str, Any]) -> int:
    """Change several customers at once; more than the rule allows waits for review."""
    from kehu.core.guards import change_guard as run_guards

    run_guards(
        action=PendingChange.Action.BULK_UPDATE,
        actor=actor,
        data={"customer_ids": [c.pk for c in customers], "changes": changes},
    )
    with transaction.atomic():
        for customer in customers:
            customer_update(actor=actor, customer=customer, data=changes)
    return len(customers)


def export_guard(*, actor: Any, params: dict[str, Any], file_format: str) -> None:
    """Called by the export edges before exporting: a spike waits for review (ChangeHeld)."""
    from kehu.core.guards import change_guard as run_guards
    from kehu.intake.exports import customer_export_queryset

    count = customer_export_queryset(actor, params).count()
    run_guards(
        action=PendingChange.Action.EXPORT,
        actor=actor,
        data={"count": count, "format": file_format, "filters": params},
    )
