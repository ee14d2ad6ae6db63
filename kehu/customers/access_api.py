"""/api/v1 sharing, team pool and reveal endpoints (kehu.customers.access)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from kehu.accounts.models import Team, User
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors

from . import access, services
from .models import CustomerShare
from .selectors import contact_get_for, customer_get_for

router = Router(tags=["sharing"])


class ShareIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user: str | int


class ShareOut(Schema):
    user: str
    user_name: str
    shared_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_user(obj: CustomerShare) -> str:
        return obj.user.username

    @staticmethod
    def resolve_user_name(obj: CustomerShare) -> str:
        return obj.user.label

    @staticmethod
    def resolve_shared_by(obj: CustomerShare) -> str | None:
        return obj.shared_by.username if obj.shared_by else None


class PoolIn(Schema):
    model_config = ConfigDict(extra="forbid")

    team: str | int


class PoolOut(Schema):
    customer_no: str
    team: str
    owner: str | None


class RevealIn(Schema):
    """`reason`: why the value is needed; required when support reveals a won customer's phone
    to call them (audited with the reveal)."""

    model_config = ConfigDict(extra="forbid")

    field: str
    reason: str = ""


class RevealOut(Schema):
    field: str
    value: str


def _user(raw: str | int) -> User:
    users = User.objects.filter(is_active=True)
    text = str(raw).strip()
    user = (users.filter(pk=int(text)) if text.isdigit() else users.filter(username=text)).first()
    if user is None:
        raise Http404("No such user.")
    return user


@router.get("/customers/{customer_no}/shares", response={200: list[ShareOut], **errors(404)})
def share_list(request: AuthedRequest, customer_no: str) -> list[CustomerShare]:
    customer = customer_get_for(request.user, customer_no)
    return list(customer.shares.select_related("user", "shared_by"))


@router.post(
    "/customers/{customer_no}/shares", response={201: ShareOut, **errors(403, 404, 409, 422)}
)
def share_create(request: AuthedRequest, customer_no: str, payload: ShareIn) -> Status:
    customer = customer_get_for(request.user, customer_no)
    share = services.customer_share(actor=request.user, customer=customer, user=_user(payload.user))
    return Status(201, share)


@router.delete(
    "/customers/{customer_no}/shares/{user_id}", response={204: None, **errors(403, 404, 422)}
)
def share_delete(request: AuthedRequest, customer_no: str, user_id: int) -> Status:
    customer = customer_get_for(request.user, customer_no)
    services.customer_unshare(actor=request.user, customer=customer, user=_user(user_id))
    return Status(204, None)


@router.post(
    "/customers/{customer_no}/pool",
    response={200: PoolOut, **errors(403, 404, 409, 422)},
    summary="Assign to a team pool",
)
def pool_assign(request: AuthedRequest, customer_no: str, payload: PoolIn) -> dict[str, object]:
    customer = customer_get_for(request.user, customer_no)
    text = str(payload.team).strip()
    teams = Team.objects.filter(pk=int(text)) if text.isdigit() else Team.objects.filter(name=text)
    team = teams.first()
    if team is None:
        raise Http404("No such team.")
    customer = services.customer_assign_pool(actor=request.user, customer=customer, team=team)
    return {"customer_no": customer.customer_no, "team": team.name, "owner": None}


@router.post(
    "/customers/{customer_no}/reveal",
    response={200: RevealOut, **errors(403, 404, 422)},
    summary="Reveal a field",
)
def customer_reveal(request: AuthedRequest, customer_no: str, payload: RevealIn) -> dict[str, str]:
    customer = customer_get_for(request.user, customer_no)
    value = access.pii_reveal(
        actor=request.user, obj=customer, field=payload.field, reason=payload.reason
    )
    return {"field": payload.field, "value": value}


@router.post(
    "/contacts/{contact_id}/reveal",
    response={200: RevealOut, **errors(403, 404, 422)},
    summary="Reveal a field",
)
def contact_reveal(request: AuthedRequest, contact_id: int, payload: RevealIn) -> dict[str, str]:
    contact = contact_get_for(request.user, contact_id)
    value = access.pii_reveal(
        actor=request.user, obj=contact, field=payload.field, reason=payload.reason
    )
    return {"field": payload.field, "value": value}
