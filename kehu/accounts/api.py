"""The caller's own account and API tokens; an administrator's reset of a user's two-factor."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from kehu.core.api_utils import errors
from kehu.core.company import company_settings
from kehu.core.errors import PermissionDenied, ValidationFailed, one_of

from . import services
from .auth import require_verified_session
from .models import ApiToken, User
from .requests import AuthedRequest

router = Router(tags=["account"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    team: str | None
    time_zone: str  # the zone pages show times in (the company's when the user set none)


class MeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    time_zone: str | None = None


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


class OtpResetOut(Schema):
    username: str
    devices_removed: int


def _me(user: User) -> dict[str, object]:
    return {
        "username": user.get_username(),
        "display_name": user.display_name,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "team": user.team.name if user.team else None,
        "time_zone": user.time_zone or company_settings().time_zone,
    }


@router.get("/me", response=MeOut)
def me(request: AuthedRequest) -> dict[str, object]:
    return _me(request.user)


@router.patch("/me", response={200: MeOut, **errors(422)}, summary="Change your own settings")
def me_update(request: AuthedRequest, payload: MeIn) -> dict[str, object]:
    """time_zone: an IANA name (Asia/Shanghai), or "" for the company's."""
    if payload.time_zone is not None:
        services.user_time_zone_set(actor=request.user, time_zone=payload.time_zone)
    return _me(request.user)


@router.get("/tokens", response=list[TokenOut])
def token_list(request: AuthedRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=request.user))


@router.post(
    "/tokens",
    response={201: NewTokenOut, **errors(403, 422)},
    summary="Create a token (shown once)",
)
def token_create(request: AuthedRequest, payload: TokenIn) -> Status:
    """Only from a signed-in session (verified where the role needs two-factor), not a token."""
    require_verified_session(request)
    if payload.scope not in ApiToken.Scope.values:
        raise ValidationFailed({"scope": [one_of(ApiToken.Scope.values)]})
    token, raw = services.api_token_create(
        actor=request.user,
        user=request.user,
        name=payload.name,
        scope=payload.scope,
        expires_at=payload.expires_at,
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None, **errors(404, 422)})
def token_revoke(request: AuthedRequest, token_id: int) -> Status:
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    services.api_token_revoke(actor=request.user, token=token)
    return Status(204, None)


@router.post(
    "/users/{user_id}/otp/reset",
    response={200: OtpResetOut, **errors(403, 404, 422)},
    summary="Remove a user's two-factor devices (administrators)",
)
def otp_reset(request: AuthedRequest, user_id: int) -> dict[str, object]:
    """The user sets up an authenticator again at the next sign-in. Audited; the user is told.
    Only from an administrator's signed-in, verified session."""
    require_verified_session(request)
    if not services.can_reset_two_factor(request.user):
        raise PermissionDenied(_("Only an administrator may reset two-factor sign-in."))
    user = get_object_or_404(User, pk=user_id)
    removed = services.otp_devices_reset(actor=request.user, user=user)
    return {"username": user.get_username(), "devices_removed": removed}
