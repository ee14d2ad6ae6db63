"""Pages: the consent screen, the administrator's applications, a user's connected applications."""

from __future__ import annotations

import pytest
from oauth2_provider.models import AccessToken, Application

from kehu.audit.models import AuditEntry

from .helpers import REDIRECT, authorize_params, issue, pkce_pair, register

pytestmark = pytest.mark.django_db


def test_the_consent_page_names_the_application_and_scopes_in_chinese(client, rep, admin_user):
    application, _secret = register(admin_user, ["customers:read", "interactions:write"])
    client.force_login(rep)
    _verifier, challenge = pkce_pair()
    page = client.get(
        "/oauth/authorize/",
        authorize_params(application, ["customers:read", "interactions:write"], challenge),
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "ERP 同步" in html
    assert "读取客户" in html and "记录互动和跟进" in html
    assert "允许" in html and "拒绝" in html
    assert 'name="viewport"' in html


def test_a_bad_authorisation_request_is_explained(client, rep):
    client.force_login(rep)
    page = client.get("/oauth/authorize/", {"response_type": "code", "client_id": "unknown"})
    assert page.status_code in (400, 401)
    assert "无法接受" in page.content.decode()


def test_consent_needs_a_signed_in_user(client, admin_user):
    application, _secret = register(admin_user, ["customers:read"])
    _verifier, challenge = pkce_pair()
    page = client.get(
        "/oauth/authorize/", authorize_params(application, ["customers:read"], challenge)
    )
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


def test_an_administrator_registers_through_the_page_and_revokes(client, admin_user, rep):
    client.force_login(admin_user)
    assert client.get("/oauth/applications/").status_code == 200
    response = client.post(
        "/oauth/applications/",
        {
            "name": "客服系统",
            "grant_type": "authorization-code",
            "client_type": "confidential",
            "redirect_uris": f"{REDIRECT}\nhttps://erp.example.com/other",
            "scopes": ["customers:read", "contacts:read"],
        },
    )
    application = Application.objects.get(name="客服系统")
    assert response.status_code == 302
    assert response["Location"] == f"/oauth/applications/{application.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert application.client_id in detail
    assert "不会再次显示" in detail  # the secret, once
    again = client.get(response["Location"]).content.decode()
    assert "不会再次显示" not in again
    token = issue(rep, application, ["customers:read"])
    assert "rep" in again or rep.label in again
    client.post(f"/oauth/applications/{application.pk}/revoke/")
    assert not AccessToken.objects.filter(token=token).exists()
    assert AuditEntry.objects.filter(action="oauth_app.revoked").count() == 1


def test_a_bad_registration_form_names_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/oauth/applications/",
        {
            "name": "X",
            "grant_type": "authorization-code",
            "client_type": "confidential",
            "scopes": ["customers:read"],
        },
    )
    assert response.status_code == 422
    assert 'id="error-redirect_uris"' in response.content.decode()
    assert not Application.objects.exists()


def test_only_administrators_see_the_applications_pages(client, manager, admin_user):
    application, _secret = register(admin_user, ["customers:read"])
    client.force_login(manager)
    assert client.get("/oauth/applications/").status_code == 403
    assert client.get(f"/oauth/applications/{application.pk}/").status_code == 403
    assert client.post(f"/oauth/applications/{application.pk}/revoke/").status_code == 403
    assert not AuditEntry.objects.filter(action="oauth_app.revoked").exists()


def test_a_user_revokes_a_connected_application(client, rep, rep2, admin_user):
    application, _secret = register(admin_user, ["customers:read"])
    mine = issue(rep, application, ["customers:read"])
    theirs = issue(rep2, application, ["customers:read"])
    client.force_login(rep)
    page = client.get("/oauth/connected/").content.decode()
    assert "ERP 同步" in page and "读取客户" in page
    response = client.post(f"/oauth/connected/{application.pk}/revoke/", follow=True)
    assert "“ERP 同步”已不能再使用你的账号。" in response.content.decode()
    assert not AccessToken.objects.filter(token=mine).exists()
    assert AccessToken.objects.filter(token=theirs).exists()
    assert "ERP 同步" not in client.get("/oauth/connected/").content.decode()
