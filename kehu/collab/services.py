"""Hand-over of a departing user (admin or the user's team manager).

Preview: their customers, open opportunities and open follow-ups. Confirm (one transaction):
each customer goes to the successor chosen for it (or the default, or "" = the team pool: no
owner, team kept), opportunities and follow-ups follow their customer (else the default
successor, else the customer's new owner); the user is deactivated, their sessions deleted and
API tokens revoked; a HandOver row and an audit entry are written; successors are notified.
Successors own the customers, so they see their whole history.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import ApiToken, Notification, Role, User
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.customers import services as customer_services
from kehu.customers.models import Customer
from kehu.customers.services import PermissionDenied
from kehu.interactions.models import FollowUp
from kehu.opportunities.models import Opportunity

from .models import HandOver

POOL = ""
CLOSED_STAGES = (Opportunity.Stage.WON, Opportunity.Stage.LOST)


def can_hand_over(actor: Any, user: User) -> bool:
    if actor.pk == user.pk:
        return False
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.MANAGER and bool(actor.team_id) and actor.team_id == user.team_id


def handover_user_get(actor: Any, user_id: int) -> User:
    """The user to hand over, if the actor may (else 404: other teams' users are not named)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not can_hand_over(actor, user):
        raise Http404
    return user


def handover_preview(user: User) -> dict[str, QuerySet[Any]]:
    return {
        "customers": Customer.objects.filter(owner=user).order_by("id"),
        "opportunities": Opportunity.objects.filter(owner=user)
        .exclude(stage__in=CLOSED_STAGES)
        .select_related("customer")
        .order_by("id"),
        "follow_ups": FollowUp.objects.filter(owner=user, done_at__isnull=True)
        .select_related("customer")
        .order_by("id"),
    }


def _successor(actor: Any, user: User, raw: Any, field: str) -> User | None:
    """A successor (active, not the user; a manager's within the team) or None for the pool."""
    raw = "" if raw is None else str(raw).strip()
    if raw in (POOL, "pool"):
        return None
    users = User.objects.filter(is_active=True).exclude(pk=user.pk)
    found = (
        users.filter(pk=int(raw)).first() if raw.isdigit() else users.filter(username=raw).first()
    )
    if found is None or found.role not in (Role.REP, Role.MANAGER):
        raise ValidationFailed(
            {field: [_("No active sales rep or manager '%(name)s'.") % {"name": raw}]}
        )
    if actor.role == Role.MANAGER and found.team_id != actor.team_id:
        raise ValidationFailed({field: [_("A manager hands over within their own team only.")]})
    return found


def _revoke_sessions(user: User) -> int:
    removed = 0
    for session in Session.objects.filter(expire_date__gte=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            removed += 1
    return removed


@transaction.atomic
def handover_confirm(
    *, actor: Any, user: User, assignments: dict[str, Any], default: Any = None
) -> HandOver:
    if not can_hand_over(actor, user):
        raise PermissionDenied(_("Only an administrator or the user's manager may hand over."))
    user = User.objects.select_for_update().get(pk=user.pk)
    preview = handover_preview(user)
    default_user = _successor(actor, user, default, "default") if default is not None else None
    has_default = default is not None
    plan: dict[int, User | None] = {}
    chosen: dict[str, str] = {}
    for customer in preview["customers"]:
        if customer.customer_no in assignments:
            plan[customer.pk] = _successor(
                actor, user, assignments[customer.customer_no], customer.customer_no
            )
        elif has_default:
            plan[customer.pk] = default_user
        else:
            raise ValidationFailed(
                {customer.customer_no: [_("Choose a successor or the team pool.")]}
            )
        successor = plan[customer.pk]
        chosen[customer.customer_no] = successor.username if successor else POOL
    received: dict[int, list[str]] = {}
    for customer in list(preview["customers"]):
        successor = plan[customer.pk]
        if successor is not None:
            customer_services.customer_update(
                actor=actor, customer=customer, data={"owner": str(successor.pk)}
            )
            received.setdefault(successor.pk, []).append(customer.name)
        else:
            Customer.objects.filter(pk=customer.pk).update(owner=None)
            customer.refresh_from_db()
            customer_services.customer_reindex(customer)
            audit_record(
                actor=actor,
                action="customer.updated",
                target=customer,
                changes={"owner": [user.get_username(), None]},
                note=_("Hand-over to the team pool"),
            )
    counts = {"opportunities": 0, "follow_ups": 0}
    for key, rows in (
        ("opportunities", preview["opportunities"]),
        ("follow_ups", preview["follow_ups"]),
    ):
        for row in list(rows):
            if row.customer_id in plan:
                new_owner = plan[row.customer_id]
            elif default_user is not None:
                new_owner = default_user
            else:
                new_owner = Customer.objects.get(pk=row.customer_id).owner
                new_owner = None if new_owner == user else new_owner
            type(row).objects.filter(pk=row.pk).update(owner=new_owner)
            counts[key] += 1
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = _revoke_sessions(user)
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    summary = {
        "customers": len(plan),
        **counts,
        "sessions_revoked": sessions,
        "tokens_revoked": tokens,
    }
    handover = HandOver.objects.create(user=user, by=actor, assignments=chosen, summary=summary)
    audit_record(
        actor=actor,
        action="user.handed_over",
        target=handover,
        changes={"user": user.get_username(), "assignments": chosen, **summary},
    )
    for successor_id, names in received.items():
        Notification.objects.create(
            user_id=successor_id,
            message=(
                _("%(user)s's customers are now yours: %(names)s")
                % {"user": user.label, "names": "、".join(names)}
            )[:500],
            link="/customers/?owner=me",
        )
    return handover
