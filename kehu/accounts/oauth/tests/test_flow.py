"""The authorization-code + PKCE flow through the test client, and what its token may do."""

from __future__ import annotations

import json

import pytest
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from kehu.accounts.oauth.services import oauth_application_revoke, oauth_grant_revoke
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer

from .helpers import REDIRECT, bearer, consent, exchange, pkce_pair, register, token_for

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return sorted(row["name"] for row in response.json()["items"])


def test_code_flow_with_pkce_gives_a_token_that_reads_but_may_not_write(
    client, rep, admin_user, customer_factory
):
    customer_factory(name="华东读取贸易有限公司")
    application, secret = register(admin_user, ["customers:read", "customers:write"])
    body = token_for(client, rep, application, secret, ["customers:read"])
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "customers:read"
    assert body["refresh_token"]
    token = body["access_token"]

    assert names(client.get("/api/v1/customers", **bearer(token))) == ["华东读取贸易有限公司"]

    before = (Customer.objects.count(), AuditEntry.objects.count())
    response = client.post(
        "/api/v1/customers",
        json.dumps({"name": "越权写入有限公司", "mobile": "13800138000"}),
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert response.json()["scope"] == "customers:write"
    assert "customers:write" in response.json()["detail"]
    assert (Customer.objects.count(), AuditEntry.objects.count()) == before


def test_consent_is_audited_and_the_grant_is_the_users(client, rep, admin_user):
    application, secret = register(admin_user, ["customers:read"])
    token_for(client, rep, application, secret, ["customers:read"])
    entry = AuditEntry.objects.filter(action="oauth.granted").get()
    assert entry.actor_id == rep.pk
    assert entry.target_id == str(application.pk)
    assert "customers:read" in entry.note
    assert AccessToken.objects.get(application=application).user_id == rep.pk


def test_refusing_sends_access_denied_back_and_is_audited(client, rep, admin_user):
    application, _secret = register(admin_user, ["customers:read"])
    client.force_login(rep)
    _verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT,
        "scope": "customers:read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = client.post("/oauth/authorize/", params)
    assert response.status_code == 302
    assert "error=access_denied" in response["Location"]
    assert not Grant.objects.exists()
    assert AuditEntry.objects.filter(action="oauth.denied", actor=rep).count() == 1


def test_pkce_is_required_and_checked(client, rep, admin_user):
    application, secret = register(admin_user, ["customers:read"])
    client.force_login(rep)
    page = client.get(
        "/oauth/authorize/",
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": REDIRECT,
            "scope": "customers:read",
        },
    )
    assert not Grant.objects.exists()
    assert page.status_code in (200, 302, 400)
    if page.status_code == 302:
        assert "error=invalid_request" in page["Location"]
    code, _verifier = consent(client, rep, application, ["customers:read"])
    wrong, _challenge = pkce_pair()
    response = exchange(client, application, secret, code, wrong)
    assert response.status_code == 400
    assert not AccessToken.objects.exists()


def test_an_application_cannot_ask_for_scopes_it_was_not_allowed(client, rep, admin_user):
    application, _secret = register(admin_user, ["customers:read"])
    client.force_login(rep)
    _verifier, challenge = pkce_pair()
    response = client.get(
        "/oauth/authorize/",
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": REDIRECT,
            "scope": "customers:read customers:write",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302
    assert "error=invalid_scope" in response["Location"]


def test_a_revoked_applications_token_is_401_and_it_gets_no_new_one(client, rep, admin_user):
    application, secret = register(admin_user, ["customers:read"])
    body = token_for(client, rep, application, secret, ["customers:read"])
    assert client.get("/api/v1/customers", **bearer(body["access_token"])).status_code == 200

    oauth_application_revoke(actor=admin_user, application=application)

    response = client.get("/api/v1/customers", **bearer(body["access_token"]))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert not AccessToken.objects.filter(application=application).exists()
    assert not RefreshToken.objects.filter(application=application).exists()
    refreshed = client.post(
        "/oauth/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    assert refreshed.status_code in (400, 401)
    client.force_login(rep)
    _verifier, challenge = pkce_pair()
    page = client.get(
        "/oauth/authorize/",
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": REDIRECT,
            "scope": "customers:read",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert page.status_code in (400, 401)
    assert not Grant.objects.exists()
    entry = AuditEntry.objects.get(action="oauth_app.revoked")
    assert entry.actor_id == admin_user.pk and "access_tokens=1 refresh_tokens=1" in entry.note


def test_a_users_revoked_grant_is_401_while_others_keep_theirs(client, rep, rep2, admin_user):
    application, secret = register(admin_user, ["customers:read"])
    mine = token_for(client, rep, application, secret, ["customers:read"])["access_token"]
    theirs = token_for(client, rep2, application, secret, ["customers:read"])["access_token"]
    oauth_grant_revoke(actor=rep, user=rep, application=application)
    assert client.get("/api/v1/customers", **bearer(mine)).status_code == 401
    assert client.get("/api/v1/customers", **bearer(theirs)).status_code == 200
    assert AuditEntry.objects.filter(action="oauth.grant_revoked", actor=rep).count() == 1


def test_the_token_sees_what_its_user_sees(client, rep, outsider, admin_user, customer_factory):
    own = customer_factory(name="华东自有贸易有限公司")
    other = customer_factory(name="华南他人贸易有限公司", actor=outsider)
    application, secret = register(admin_user, ["customers:read"])
    token = token_for(client, rep, application, secret, ["customers:read"])["access_token"]

    assert names(client.get("/api/v1/customers", **bearer(token))) == ["华东自有贸易有限公司"]
    assert client.get(f"/api/v1/customers/{own.customer_no}", **bearer(token)).status_code == 200
    assert client.get(f"/api/v1/customers/{other.customer_no}", **bearer(token)).status_code == 404
    admins = token_for(client, admin_user, application, secret, ["customers:read"])["access_token"]
    assert names(client.get("/api/v1/customers", **bearer(admins))) == [
        "华东自有贸易有限公司",
        "华南他人贸易有限公司",
    ]


def test_client_credentials_act_as_the_named_user(
    client, rep, admin_user, outsider, customer_factory
):
    customer_factory(name="华东自有贸易有限公司")
    customer_factory(name="华南他人贸易有限公司", actor=outsider)
    application, secret = register(
        admin_user,
        ["customers:read"],
        name="BI 同步",
        grant_type="client-credentials",
        redirect_uris=[],
        acts_as=rep,
    )
    response = client.post(
        "/oauth/token/",
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": secret,
            "scope": "customers:read",
        },
    )
    assert response.status_code == 200, response.content.decode()
    token = response.json()["access_token"]
    assert names(client.get("/api/v1/customers", **bearer(token))) == ["华东自有贸易有限公司"]
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert client.get("/api/v1/customers", **bearer(token)).status_code == 401


def test_an_oauth_token_cannot_change_sign_in_credentials(client, rep, admin_user):
    application, secret = register(admin_user, sorted(["customers:read", "customers:write"]))
    token = token_for(client, rep, application, secret, ["customers:read", "customers:write"])
    response = client.post(
        "/api/v1/tokens",
        json.dumps({"name": "x"}),
        content_type="application/json",
        **bearer(token["access_token"]),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_for_applications"


def test_an_unknown_bearer_is_still_401(client, rep):
    response = client.get("/api/v1/customers", **bearer("not-a-token"))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_the_application_revokes_its_own_token_and_it_is_audited(client, rep, admin_user):
    application, secret = register(admin_user, ["customers:read"])
    token = token_for(client, rep, application, secret, ["customers:read"])["access_token"]
    response = client.post(
        "/oauth/revoke_token/",
        {"token": token, "client_id": application.client_id, "client_secret": secret},
    )
    assert response.status_code == 200
    assert client.get("/api/v1/customers", **bearer(token)).status_code == 401
    entry = AuditEntry.objects.get(action="oauth.token_revoked")
    assert entry.actor_id == rep.pk
    assert entry.changes == {"token_type": ["access_token", None]}
