"""The caller's own account and API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from kehu.core.errors import ValidationFailed

from . import services
from .models import ApiToken

router = Router(tags=["account"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    team: str | None


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    scope: str = ApiToken.Scope.READ_WRITE
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewTokenOut(TokenOut):
    token: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.get_username(),
        "display_name": user.display_name,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "team": user.team.name if user.team_id else None,
    }


@router.get("/tokens", response=list[TokenOut])
def token_list(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=request.user))


@router.post("/tokens", response={201: NewTokenOut}, summary="Create a token (shown once)")
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    if payload.scope not in ApiToken.Scope.values:
        raise ValidationFailed({"scope": [f"One of: {', '.join(ApiToken.Scope.values)}."]})
    token, raw = services.api_token_create(
        actor=request.user,
        user=request.user,
        name=payload.name,
        scope=payload.scope,
        expires_at=payload.expires_at,
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Status:
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    services.api_token_revoke(actor=request.user, token=token)
    return Status(204, None)
