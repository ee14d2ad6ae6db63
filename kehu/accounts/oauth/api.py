"""/api/v1/oauth/…: administrators register, inspect and revoke connected applications; every
user lists and revokes their own grants; anyone reads the scopes. No scope opens these to an
application's own token (kehu.accounts.oauth.scopes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from oauth2_provider.models import Application
from pydantic import ConfigDict

from kehu.accounts.models import User
from kehu.accounts.policy import can_manage_oauth_applications
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import PermissionDenied, ValidationFailed

from .scopes import SCOPES, parse_scopes
from .selectors import Connection, oauth_application_get, oauth_application_list, oauth_connections
from .services import (
    oauth_application_register,
    oauth_application_revoke,
    oauth_grant_revoke,
)

router = Router(tags=["oauth"])


class ScopeOut(Schema):
    scope: str
    label: str


class ApplicationIn(Schema):
    """grant_type: 'authorization-code' (users authorise it; PKCE) or 'client-credentials'
    (server to server, acting as the user `acts_as` names); client_type 'confidential' or
    'public' (no secret)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    scopes: list[str]
    redirect_uris: list[str] = []
    grant_type: str = "authorization-code"
    client_type: str = "confidential"
    acts_as: str | None = None  # a username


class GrantOut(Schema):
    application_id: int
    application_name: str
    user: str | None  # username; None: the application's own (client-credentials) tokens
    scopes: list[str]
    since: datetime
    last_issued: datetime
    tokens: int


class ApplicationOut(Schema):
    id: int
    name: str
    client_id: str
    grant_type: str
    client_type: str
    redirect_uris: list[str]
    scopes: list[str]
    acts_as: str | None
    created_at: datetime
    revoked_at: datetime | None


class ApplicationCreatedOut(ApplicationOut):
    client_secret: str  # shown once; '' for a public client


class ApplicationDetailOut(ApplicationOut):
    grants: list[GrantOut]


def _application_out(application: Application) -> dict[str, Any]:
    policy = application.kehu_policy
    return {
        "id": application.pk,
        "name": application.name,
        "client_id": application.client_id,
        "grant_type": application.authorization_grant_type,
        "client_type": application.client_type,
        "redirect_uris": application.redirect_uris.split(),
        "scopes": parse_scopes(policy.allowed_scopes),
        "acts_as": policy.acts_as.get_username() if policy.acts_as else None,
        "created_at": application.created,
        "revoked_at": policy.revoked_at,
    }


def _grant_out(connection: Connection) -> dict[str, Any]:
    return {
        "application_id": connection.application.pk,
        "application_name": connection.application.name,
        "user": connection.user.get_username() if connection.user else None,
        "scopes": connection.scopes,
        "since": connection.since,
        "last_issued": connection.last_issued,
        "tokens": connection.tokens,
    }


def _require_manager(request: AuthedRequest) -> None:
    if not can_manage_oauth_applications(request.user):
        raise PermissionDenied()


def _application(application_id: int) -> Application:
    try:
        return oauth_application_get(application_id)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None


@router.get("/oauth/scopes", response=list[ScopeOut], summary="The scopes applications ask for")
def scope_list(request: AuthedRequest) -> list[dict[str, str]]:
    return [{"scope": scope, "label": str(label)} for scope, label in SCOPES.items()]


@router.get(
    "/oauth/applications",
    response={200: list[ApplicationOut], **errors(403)},
    summary="Registered applications (administrators)",
)
def application_list(request: AuthedRequest) -> list[dict[str, Any]]:
    _require_manager(request)
    return [_application_out(application) for application in oauth_application_list()]


@router.post(
    "/oauth/applications",
    response={201: ApplicationCreatedOut, **errors(403, 422)},
    summary="Register an application (administrators; the secret is shown once)",
)
def application_register(request: AuthedRequest, payload: ApplicationIn) -> Status:
    _require_manager(request)
    acts_as = None
    if payload.acts_as:
        acts_as = User.objects.filter(username=payload.acts_as).first()
        if acts_as is None:
            raise ValidationFailed({"acts_as": [_no_user(payload.acts_as)]})
    application, secret = oauth_application_register(
        actor=request.user,
        name=payload.name,
        redirect_uris=payload.redirect_uris,
        scopes=payload.scopes,
        grant_type=payload.grant_type,
        client_type=payload.client_type,
        acts_as=acts_as,
    )
    return Status(201, {**_application_out(application), "client_secret": secret})


def _no_user(username: str) -> str:
    return _("No user named %(username)s.") % {"username": username}


@router.get(
    "/oauth/applications/{application_id}",
    response={200: ApplicationDetailOut, **errors(403, 404, 422)},
    summary="An application with who has authorised it",
)
def application_detail(request: AuthedRequest, application_id: int) -> dict[str, Any]:
    _require_manager(request)
    application = _application(application_id)
    grants = [_grant_out(c) for c in oauth_connections(application=application)]
    return {**_application_out(application), "grants": grants}


@router.post(
    "/oauth/applications/{application_id}/revoke",
    response={200: ApplicationOut, **errors(403, 404, 422)},
    summary="Revoke an application: all its tokens stop working at once",
)
def application_revoke(request: AuthedRequest, application_id: int) -> dict[str, Any]:
    _require_manager(request)
    application = _application(application_id)
    oauth_application_revoke(actor=request.user, application=application)
    return _application_out(_application(application_id))


@router.get(
    "/oauth/connections",
    response=list[GrantOut],
    summary="The applications you have allowed to use your account",
)
def connection_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_grant_out(c) for c in oauth_connections(user=request.user)]


@router.delete(
    "/oauth/connections/{application_id}",
    response={204: None, **errors(404, 422)},
    summary="Withdraw an application's access to your account",
)
def connection_revoke(request: AuthedRequest, application_id: int) -> Status:
    application = Application.objects.filter(pk=application_id).first()
    if application is None or not oauth_connections(user=request.user, application=application):
        raise Http404("No such connection.")
    oauth_grant_revoke(actor=request.user, user=request.user, application=application)
    return Status(204, None)
