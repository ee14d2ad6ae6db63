"""API authentication: `Authorization: Bearer <token>` alone, or the session with its second factor.

- A request that sends a Bearer header is authenticated by the token and nothing else: an
  unknown, expired or revoked token is 401 `invalid_token`, and the session cookie beside it is
  never looked at (ninja tries auths in order; the session must not catch what the token drops).
- Without one, the browser session (with CSRF), which must have passed two-factor sign-in when
  the user's role requires it (403 `otp_required`).
- A connected application's OAuth access token (kehu.accounts.oauth) is a Bearer token too: it
  acts as the user who authorised the application, and only within its scopes (403
  `insufficient_scope` naming the missing one; `not_for_applications` where no scope grants it).
- Sign-in credentials (new tokens, device resets) are changed only from a session, verified when
  the role requires it (403 `session_required` for a token).

RequireTwoFactorMiddleware (two_factor.py) applies these rules to every /api/ path before
routing; the classes below apply them again for each operation.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from oauth2_provider.models import AccessToken

from kehu.core.company import company_settings

from .errors import InvalidToken, OtpRequired, ReadOnlyToken, SessionRequired
from .models import ApiToken, User
from .oauth.selectors import oauth_require_scope, oauth_token_authenticate, oauth_token_checksum
from .services import api_token_authenticate

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_TOKEN_ATTRIBUTE = "kehu_api_token"
_OAUTH_ATTRIBUTE = "kehu_oauth_token"


def requires_2fa(user: object) -> TypeGuard[User]:
    """The roles the company settings name (two_factor_roles, default KEHU_2FA_ROLES: managers,
    administrators, data stewards; or every role) sign in with a second factor, and users an
    administrator asked it of (`user` is the request's: anonymous, or a User).
    KEHU_REQUIRE_2FA=false turns it off for everyone."""
    return bool(
        settings.KEHU_REQUIRE_2FA
        and isinstance(user, User)
        and (user.requires_two_factor or company_settings().two_factor_for(user.role))
    )


def session_is_verified(user: User | AnonymousUser) -> bool:
    """The session has passed every step of sign-in its user's role requires."""
    return not requires_2fa(user) or bool(getattr(user, "is_verified", lambda: False)())


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header ('' if empty); None without one."""
    parts = request.headers.get("Authorization", "").split(None, 1)
    if not parts or parts[0].lower() != "bearer":
        return None
    return parts[1].strip() if len(parts) == 2 else ""


def request_api_token(request: HttpRequest) -> ApiToken | None:
    """The token this request was authenticated with, if any."""
    return getattr(request, _TOKEN_ATTRIBUTE, None)


def request_oauth_token(request: HttpRequest) -> AccessToken | None:
    """The connected application's access token this request was authenticated with, if any."""
    found = getattr(request, _OAUTH_ATTRIBUTE, None)
    return found[1] if found is not None else None


def authenticate_bearer(request: HttpRequest, raw: str) -> Any:
    """Make the token's user the request's user, or raise InvalidToken. Looked up once a request.

    A personal API token first; else a connected application's OAuth access token
    (kehu.accounts.oauth), which acts as the user who authorised the application."""
    oauth = getattr(request, _OAUTH_ATTRIBUTE, None)
    if oauth is not None and oauth[1].token_checksum == oauth_token_checksum(raw.strip()):
        return _as_token_user(request, oauth[0])
    token = request_api_token(request)
    if token is None or token.token_hash != ApiToken.hash_token(raw.strip()):
        found = api_token_authenticate(raw) if raw else None
        if found is None:
            return _authenticate_oauth(request, raw.strip())
        token = found[1]
        setattr(request, _TOKEN_ATTRIBUTE, token)
    return _as_token_user(request, token.user)


def _authenticate_oauth(request: HttpRequest, raw: str) -> Any:
    found = oauth_token_authenticate(raw) if raw else None
    if found is None:
        raise InvalidToken()
    setattr(request, _OAUTH_ATTRIBUTE, found)
    return _as_token_user(request, found[0])


def _as_token_user(request: HttpRequest, user: User) -> User:
    # A token is its own credential, not a second factor: the user is not "verified".
    user.otp_device = None
    user.is_verified = _not_verified
    request.user = user
    return user


def _not_verified() -> bool:
    return False


def require_verified_session(request: HttpRequest) -> None:
    """For changes to sign-in credentials: a session, not a token, verified where required."""
    if request_api_token(request) is not None or bearer_token(request) is not None:
        raise SessionRequired()
    if not session_is_verified(request.user):
        raise OtpRequired()


class BearerTokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        raw = bearer_token(request)
        if raw is None:
            return None
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_bearer(request, token)
        oauth_token = request_oauth_token(request)
        if oauth_token is not None:
            # A connected application: only what its scopes grant (kehu.accounts.oauth.scopes).
            oauth_require_scope(oauth_token, request.method or "GET", request.path_info)
            return user
        api_token = request_api_token(request)
        if (
            api_token is not None
            and api_token.scope == ApiToken.Scope.READ
            and request.method not in SAFE_METHODS
        ):
            raise ReadOnlyToken()
        return user


class TwoFactorSessionAuth(SessionAuth):
    """The session (with CSRF), only without a Bearer header and only with its second factor."""

    def __call__(self, request: HttpRequest) -> Any:
        if bearer_token(request) is not None:
            return None  # the token alone decides; BearerTokenAuth has answered already
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not session_is_verified(user):
            raise OtpRequired()
        return user


def api_auth() -> list[Any]:
    return [BearerTokenAuth(), TwoFactorSessionAuth(csrf=True)]
