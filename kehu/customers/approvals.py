"""Approvals: a rep's key changes wait for the team manager as a ChangeRequest.

Held (by `change_guard`, listed in settings.KEHU_CHANGE_GUARDS): a sales rep moving a customer
to 成交客户 (won) or 流失客户 (lost), or changing its name, credit code, owner or budget
(band or amount). The whole edit waits; nothing is saved. The manager of the customer's team (or
an administrator) approves, which applies the payload through `customer_update` as the
requester, or rejects it; both with a comment, both audited. Managers' and others' own edits are
not held; non-key edits by reps apply directly.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Notification, Role, User
from kehu.audit.services import audit_record
from kehu.core.errors import DomainError, ValidationFailed
from kehu.core.guards import ChangeHeld

from .models import ChangeRequest, Customer
from .services import PermissionDenied, customer_clean, customer_update

KEY_FIELDS = ("name", "credit_code", "owner", "budget_band", "budget_amount")
HELD_STATUSES = (Customer.Status.WON, Customer.Status.LOST)


class AlreadyDecided(DomainError):
    """This change request has been approved or rejected already."""

    status_code = 409
    code = "already_decided"


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return getattr(o, "pk", None) if hasattr(o, "pk") else str(o)


def held_fields(customer: Customer, data: dict[str, Any], *, actor: Any) -> list[str]:
    """The key fields (and a won/lost status) this edit changes; [] when nothing is held."""
    if not isinstance(data, dict):
        return []
    if not {*KEY_FIELDS, "status"} & set(data):
        return []
    if "customer_no" in data and str(data["customer_no"]).strip().upper() != customer.customer_no:
        return []  # the service refuses it
    probe = {k: v for k, v in data.items() if k not in ("customer_no", "allow_duplicate")}
    try:
        values = customer_clean(probe, actor=actor)
    except ValidationFailed:
        return []  # the service reports the bad value itself
    found = []
    for name in ("name", "credit_code", "budget_band", "budget_amount"):
        if name in values and values[name] != getattr(customer, name):
            found.append(name)
    if "owner" in values:
        owner = values["owner"]
        if (owner.pk if owner is not None else None) != customer.owner_id:
            found.append("owner")
    status = values.get("status")
    if "status" in data and status in HELD_STATUSES and status != customer.status:
        if not values.get("status_reason"):
            return []  # the service asks for the reason first; nothing to hold yet
        found.append("status")
    return found


def reviewers_for(change: ChangeRequest) -> list[User]:
    """The active managers of the request's team, else the administrators."""
    managers = User.objects.none()
    if change.team_id:
        managers = User.objects.filter(team_id=change.team_id, role=Role.MANAGER, is_active=True)
    if not managers.exists():
        managers = User.objects.filter(role=Role.ADMIN, is_active=True)
    return list(managers.exclude(pk=change.requested_by_id))


@transaction.atomic
def change_request_create(
    *, actor: Any, customer: Customer, data: dict[str, Any], fields: list[str]
) -> ChangeRequest:
    payload = json.loads(json.dumps(data, cls=_Encoder))
    change = ChangeRequest.objects.create(
        customer=customer,
        requested_by=actor,
        team_id=customer.team_id or actor.team_id,
        payload=payload,
        fields=fields,
    )
    link = reverse("change-request-list")
    for manager in reviewers_for(change):
        Notification.objects.create(
            user=manager,
            message=_("%(user)s asks to change %(customer)s (%(fields)s).")
            % {"user": actor.label, "customer": customer.name, "fields": ", ".join(fields)},
            link=link,
        )
    audit_record(
        actor=actor,
        action="change_request.created",
        target=customer,
        changes={"change_request": change.pk, "fields": fields},
    )
    return change


def change_guard(*, action: str, actor: Any, customer: Any = None, data: Any = None) -> None:
    """Hold a rep's key edit as a ChangeRequest (raise ChangeHeld); otherwise return."""
    if action != "customer_update" or customer is None:
        return
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.REP:
        return
    fields = held_fields(customer, data or {}, actor=actor)
    if not fields:
        return
    clean = {k: v for k, v in (data or {}).items() if k != "allow_duplicate"}
    change = change_request_create(actor=actor, customer=customer, data=clean, fields=fields)
    raise ChangeHeld(
        _("This change waits for approval by your manager (request #%(id)s).") % {"id": change.pk},
        pending_id=change.pk,
    )


# --- Reading and deciding


def change_request_queryset_for(user: Any) -> QuerySet[ChangeRequest]:
    """Admins see every request, managers their team's (and their own), others their own."""
    queryset = ChangeRequest.objects.select_related(
        "customer", "requested_by", "reviewed_by", "team"
    )
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return queryset
    if role == Role.MANAGER and user.team_id:
        return queryset.filter(Q(team_id=user.team_id) | Q(requested_by=user))
    return queryset.filter(requested_by=user)


def change_request_get_for(user: Any, request_id: int) -> ChangeRequest:
    change = change_request_queryset_for(user).filter(pk=request_id).first()
    if change is None:
        raise Http404
    return change


def can_decide(user: Any, change: ChangeRequest) -> bool:
    if change.requested_by_id == getattr(user, "pk", None):
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and bool(user.team_id) and user.team_id == change.team_id


@transaction.atomic
def change_request_decide(
    *, actor: Any, change: ChangeRequest, approve: bool, comment: str = ""
) -> ChangeRequest:
    """Approve (apply as the requester, atomically) or reject; audited, requester notified."""
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if not can_decide(actor, change):
        raise PermissionDenied(_("Only the team's manager may decide on this change."))
    if change.status != ChangeRequest.Status.PENDING:
        raise AlreadyDecided(_("This change request has been decided already."))
    if approve:
        customer_update(
            actor=change.requested_by, customer=change.customer, data=dict(change.payload)
        )
    change.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REJECTED
    change.reviewed_by = actor
    change.reviewed_at = timezone.now()
    change.comment = comment[:2000]
    change.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
    audit_record(
        actor=actor,
        action="change_request.approved" if approve else "change_request.rejected",
        target=change.customer,
        changes={"change_request": change.pk, "fields": change.fields},
        note=comment,
    )
    Notification.objects.create(
        user=change.requested_by,
        message=(
            _("Your change to %(customer)s was approved.")
            if approve
            else _("Your change to %(customer)s was rejected.")
        )
        % {"customer": change.customer.name},
        link=reverse("customer-detail", args=[change.customer.customer_no]),
    )
    return change
