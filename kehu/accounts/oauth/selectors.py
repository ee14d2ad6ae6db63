"""Reads of connected applications: the token behind a request, lists for the pages and API."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from .errors import NotForApplications, ScopeMissing
from .scopes import parse_scopes, required_scope

if TYPE_CHECKING:
    from kehu.accounts.models import User


def oauth_token_checksum(raw: str) -> str:
    """How the toolkit finds a token: the SHA-256 of the raw value (AccessToken.token_checksum)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def oauth_token_authenticate(raw: str) -> tuple[User, AccessToken] | None:
    """The user an access token acts as, and the token; None when it is unknown, expired, of a
    revoked application, or its user is deactivated. The user is the one who authorised the
    application (authorization code) or the one named for it (client credentials)."""
    checksum = oauth_token_checksum(raw)
    token = (
        AccessToken.objects.select_related(
            "user", "user__team", "application__kehu_policy__acts_as__team"
        )
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None or token.application is None or token.is_expired():
        return None
    policy = getattr(token.application, "kehu_policy", None)
    if policy is None or policy.is_revoked:
        return None
    user = token.user or policy.acts_as
    if user is None or not user.is_active:
        return None
    return user, token


def oauth_require_scope(token: AccessToken, method: str, path: str) -> str:
    """The scope this operation needs, if the token holds it; else ScopeMissing or
    NotForApplications (403)."""
    scope = required_scope(method, path)
    if scope is None:
        raise NotForApplications()
    if scope not in token.scope.split():
        raise ScopeMissing(scope)
    return scope


def _live_tokens() -> Q:
    return Q(accesstoken__expires__gt=timezone.now())


def oauth_application_list() -> QuerySet[Application]:
    """Every registered application, newest first, with its count of live tokens and users."""
    live = _live_tokens()
    applications: QuerySet[Application] = (
        Application.objects.filter(kehu_policy__isnull=False)
        .select_related("kehu_policy", "kehu_policy__acts_as", "user")
        .annotate(
            live_tokens=Count("accesstoken", filter=live, distinct=True),
            users=Count("accesstoken__user", filter=live, distinct=True),
        )
        .order_by("-created", "-pk")
    )
    return applications


def oauth_application_get(application_id: int) -> Application:
    return (
        Application.objects.filter(kehu_policy__isnull=False)
        .select_related("kehu_policy", "kehu_policy__acts_as", "user")
        .get(pk=application_id)
    )


@dataclass(frozen=True)
class Connection:
    """An application's live grant on one account: it holds an unexpired access token or an
    unrevoked refresh token. `user` is None for a server-to-server application's tokens."""

    application: Application
    user: User | None
    scopes: list[str]
    since: datetime
    last_issued: datetime
    tokens: int


def oauth_connections(
    *, user: User | None = None, application: Application | None = None
) -> list[Connection]:
    """The live grants of one user (their connected applications) or of one application (who
    authorised it), oldest first."""
    tokens = AccessToken.objects.filter(
        Q(expires__gt=timezone.now())
        | Q(refresh_token__isnull=False, refresh_token__revoked__isnull=True)
    )
    if user is not None:
        tokens = tokens.filter(user=user)
    if application is not None:
        tokens = tokens.filter(application=application)
    grouped: dict[tuple[int | None, int | None], list[AccessToken]] = {}
    for token in tokens.select_related("application", "user").order_by("created", "pk"):
        grouped.setdefault((token.application_id, token.user_id), []).append(token)
    return [
        Connection(
            application=group[0].application,
            user=group[0].user,
            scopes=parse_scopes(" ".join(token.scope for token in group)),
            since=group[0].created,
            last_issued=group[-1].created,
            tokens=len(group),
        )
        for group in grouped.values()
        if group[0].application is not None
    ]
