"""/api/v1/oauth/…: registration, grants, revocation; each user's connections."""

from __future__ import annotations

import json

import pytest
from oauth2_provider.models import AccessToken, Application

from kehu.audit.models import AuditEntry

from .helpers import REDIRECT, bearer, issue, register, token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/oauth/applications"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_an_administrator_registers_an_application_and_sees_the_secret_once(client, admin_user):
    client.force_login(admin_user)
    response = post(
        client,
        URL,
        {
            "name": "ERP 同步",
            "redirect_uris": [REDIRECT],
            "scopes": ["customers:read", "tags:read"],
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["client_secret"] and body["client_id"]
    assert body["scopes"] == ["customers:read", "tags:read"]
    assert body["grant_type"] == "authorization-code"
    application = Application.objects.get(pk=body["id"])
    assert body["client_secret"] not in application.client_secret  # only a hash is stored
    entry = AuditEntry.objects.get(action="oauth_app.registered")
    assert entry.actor_id == admin_user.pk
    assert entry.note == "scopes=customers:read tags:read"
    assert entry.changes["name"] == [None, "ERP 同步"]
    listed = client.get(URL).json()
    assert [a["name"] for a in listed] == ["ERP 同步"]
    assert "client_secret" not in listed[0]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": " ", "redirect_uris": [REDIRECT], "scopes": ["customers:read"]}, "name"),
        ({"name": "A", "redirect_uris": [], "scopes": ["customers:read"]}, "redirect_uris"),
        (
            {
                "name": "A",
                "redirect_uris": ["ftp://x.example.com/cb"],
                "scopes": ["customers:read"],
            },
            "redirect_uris",
        ),
        ({"name": "A", "redirect_uris": [REDIRECT], "scopes": ["customers:admin"]}, "scopes"),
        ({"name": "A", "redirect_uris": [REDIRECT], "scopes": []}, "scopes"),
        (
            {
                "name": "A",
                "redirect_uris": [REDIRECT],
                "scopes": ["customers:read"],
                "grant_type": "password",
            },
            "grant_type",
        ),
        (
            {"name": "A", "scopes": ["customers:read"], "grant_type": "client-credentials"},
            "acts_as",
        ),
        (
            {
                "name": "A",
                "scopes": ["customers:read"],
                "grant_type": "client-credentials",
                "acts_as": "nobody",
            },
            "acts_as",
        ),
    ],
)
def test_bad_registrations_name_the_field_and_store_nothing(client, admin_user, data, field):
    client.force_login(admin_user)
    response = post(client, URL, data)
    assert response.status_code == 422, response.content.decode()
    assert field in response.json()["errors"]
    assert not Application.objects.exists()
    assert not AuditEntry.objects.filter(action="oauth_app.registered").exists()


def test_only_administrators_manage_applications(client, manager, admin_user):
    application, _secret = register(admin_user, ["customers:read"])
    client.force_login(manager)
    assert client.get(URL).status_code == 403
    assert (
        post(
            client, URL, {"name": "X", "redirect_uris": [REDIRECT], "scopes": ["customers:read"]}
        ).status_code
        == 403
    )
    assert client.get(f"{URL}/{application.pk}").status_code == 403
    assert client.post(f"{URL}/{application.pk}/revoke").status_code == 403
    assert Application.objects.count() == 1
    assert not AuditEntry.objects.filter(action="oauth_app.revoked").exists()


def test_detail_lists_grants_and_revoke_kills_every_token(client, rep, rep2, admin_user):
    application, secret = register(admin_user, ["customers:read"])
    first = token_for(client, rep, application, secret, ["customers:read"])["access_token"]
    second = token_for(client, rep2, application, secret, ["customers:read"])["access_token"]
    client.force_login(admin_user)
    detail = client.get(f"{URL}/{application.pk}").json()
    assert sorted(g["user"] for g in detail["grants"]) == ["rep", "rep2"]
    assert all(g["scopes"] == ["customers:read"] for g in detail["grants"])
    response = client.post(f"{URL}/{application.pk}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"]
    client.logout()
    for token in (first, second):
        assert client.get("/api/v1/customers", **bearer(token)).status_code == 401
    client.force_login(admin_user)
    assert client.get(f"{URL}/{application.pk}").json()["grants"] == []


def test_a_user_lists_and_withdraws_their_connections(client, rep, rep2, admin_user):
    application, _secret = register(admin_user, ["customers:read", "tags:read"])
    mine = issue(rep, application, ["customers:read", "tags:read"])
    theirs = issue(rep2, application, ["customers:read"])
    client.force_login(rep)
    listed = client.get("/api/v1/oauth/connections").json()
    assert [(c["application_name"], c["scopes"]) for c in listed] == [
        ("ERP 同步", ["customers:read", "tags:read"])
    ]
    assert client.delete(f"/api/v1/oauth/connections/{application.pk}").status_code == 204
    assert client.get("/api/v1/oauth/connections").json() == []
    assert client.delete(f"/api/v1/oauth/connections/{application.pk}").status_code == 404
    assert not AccessToken.objects.filter(token=mine).exists()
    assert AccessToken.objects.filter(token=theirs).exists()
    assert AuditEntry.objects.filter(action="oauth.grant_revoked", actor=rep).count() == 1


def test_everyone_reads_the_scopes(client, support):
    client.force_login(support)
    scopes = client.get("/api/v1/oauth/scopes").json()
    assert [s["scope"] for s in scopes][:2] == ["customers:read", "customers:write"]
    assert scopes[0]["label"] == "读取客户"
