"""The OAuth dance through the test client: register, consent, exchange the code (PKCE)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from kehu.accounts.models import User
from kehu.accounts.oauth.services import oauth_application_register

REDIRECT = "https://erp.example.com/callback"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def register(
    admin: User, scopes: list[str], name: str = "ERP 同步", **extra: Any
) -> tuple[Application, str]:
    extra.setdefault("redirect_uris", [REDIRECT])
    return oauth_application_register(actor=admin, name=name, scopes=scopes, **extra)


def authorize_params(application: Application, scopes: list[str], challenge: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT,
        "scope": " ".join(scopes),
        "state": "state-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def consent(
    client: Client, user: User, application: Application, scopes: list[str]
) -> tuple[str, str]:
    """Sign `user` in, show the consent page, allow; returns (code, verifier)."""
    client.force_login(user)
    verifier, challenge = pkce_pair()
    params = authorize_params(application, scopes, challenge)
    page = client.get("/oauth/authorize/", params)
    assert page.status_code == 200, page.content.decode()[:500]
    assert application.name in page.content.decode()
    answer = client.post("/oauth/authorize/", {**params, "allow": "Authorize"})
    assert answer.status_code == 302, answer.content.decode()[:500]
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["state-42"]
    client.logout()
    return query["code"][0], verifier


def exchange(
    client: Client, application: Application, secret: str, code: str, verifier: str
) -> Any:
    return client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": application.client_id,
            "client_secret": secret,
            "code_verifier": verifier,
        },
    )


def token_for(
    client: Client, user: User, application: Application, secret: str, scopes: list[str]
) -> dict[str, Any]:
    """The whole authorization-code + PKCE flow; returns the token endpoint's JSON."""
    code, verifier = consent(client, user, application, scopes)
    response = exchange(client, application, secret, code, verifier)
    assert response.status_code == 200, response.content.decode()
    return dict(json.loads(response.content))


def issue(user: User | None, application: Application, scopes: list[str]) -> str:
    """An access token stored directly (for tests about what a token may do, not how it is got)."""
    raw = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        user=user,
        application=application,
        token=raw,
        scope=" ".join(scopes),
        expires=timezone.now() + timedelta(hours=1),
    )
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
