"""API authentication: the browser session (with CSRF) or `Authorization: Bearer <token>`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken
from .services import api_token_authenticate

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_authenticate(token)
        if found is None:
            return None
        user, api_token = found
        if api_token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise HttpError(403, "This API token may only read.")
        request.user = user
        return user


def api_auth() -> list[Any]:
    return [BearerTokenAuth(), SessionAuth(csrf=True)]
