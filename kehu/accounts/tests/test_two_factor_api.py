"""Issue 14.13: the API takes a session only with its second factor, and a Bearer token alone.

A password-only session of a manager must get 403 otp_required from every API route, and adding
`Authorization: Bearer <anything unknown>` must give 401 invalid_token instead of falling back to
the session. Valid tokens keep working as before; minting one needs a verified session.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts.models import ApiToken, Notification
from kehu.api import api
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer

PASSWORD = "pass-for-tests-2026"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def new_token(username: str, *args: str) -> str:
    out = StringIO()
    call_command("api_token", username, *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def password_login(client: Client, username: str) -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def state() -> tuple[int, ...]:
    """What a refused request must leave as it was."""
    return (
        ApiToken.objects.count(),
        Customer.objects.count(),
        AuditEntry.objects.exclude(action__startswith="user.").count(),
        TOTPDevice.objects.count(),
        Notification.objects.count(),
    )


def all_api_operations() -> list[tuple[str, str]]:
    """Every operation of /api/v1, path parameters filled with 1."""
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        (method.upper(), re.sub(r"\{\w+\}", "1", path))
        for path, operations in paths.items()
        for method in operations
    )


def send(client: Client, method: str, url: str, **extra: Any) -> Any:
    if method == "GET":
        return client.get(url, **extra)
    return client.generic(method, url, "{}", content_type="application/json", **extra)


@pytest.fixture
def two_factor_manager(settings: Any, manager: Any) -> TOTPDevice:
    settings.KEHU_REQUIRE_2FA = True
    return TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)


# --- The bypass


def test_password_only_session_with_a_bogus_bearer_is_401_not_the_session(
    client, two_factor_manager, customer_factory
):
    customer_factory(name="华东看不见贸易有限公司")
    password_login(client, "manager")
    assert client.get("/api/v1/customers").status_code == 403
    response = client.get("/api/v1/customers", **bearer("x"))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert "华东看不见贸易有限公司" not in json.dumps(response.json(), ensure_ascii=False)


def test_password_only_session_cannot_mint_a_token_with_a_bogus_bearer(client, two_factor_manager):
    password_login(client, "manager")
    before = state()
    response = client.post(
        "/api/v1/tokens",
        json.dumps({"name": "永久", "scope": "read_write"}),
        content_type="application/json",
        **bearer("x"),
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert state() == before


@pytest.mark.parametrize("header", ["bearer x", "Bearer", "Bearer  ", "BEARER kehu_nope"])
def test_any_spelling_of_an_unknown_bearer_is_401(client, two_factor_manager, header):
    password_login(client, "manager")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_verified_session_is_not_used_when_a_bearer_token_is_sent(client, two_factor_manager):
    password_login(client, "manager")
    client.post("/otp/", {"token": code_for(two_factor_manager)})
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", **bearer("kehu_not-a-token"))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_expired_and_revoked_tokens_are_401_invalid_token_even_with_a_session(
    client, two_factor_manager
):
    raw = new_token("manager", "--expires-days", "1")
    password_login(client, "manager")
    client.post("/otp/", {"token": code_for(two_factor_manager)})
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        expired = client.get("/api/v1/me", **bearer(raw))
    assert expired.status_code == 401 and expired.json()["code"] == "invalid_token"
    ApiToken.objects.update(revoked_at=timezone.now())
    revoked = client.get("/api/v1/me", **bearer(raw))
    assert revoked.status_code == 401 and revoked.json()["code"] == "invalid_token"


@pytest.mark.parametrize(("method", "url"), all_api_operations())
def test_every_api_operation_refuses_a_password_only_session(
    client, two_factor_manager, method, url
):
    client.force_login(two_factor_manager.user)  # a session without its second factor
    before = state()
    response = send(client, method, url)
    assert (response.status_code, response.json()["code"]) == (403, "otp_required")
    response = send(client, method, url, **bearer("kehu_bogus"))
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")
    assert state() == before


def test_a_rep_session_needs_no_second_factor(client, settings, rep, customer_factory):
    settings.KEHU_REQUIRE_2FA = True
    customer_factory(name="代表自己的客户有限公司")
    password_login(client, "rep")
    response = client.get("/api/v1/customers")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["items"]] == ["代表自己的客户有限公司"]


def test_other_authorization_schemes_leave_the_session_to_decide(client, two_factor_manager):
    password_login(client, "manager")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Basic cmVwOnB3")
    assert (response.status_code, response.json()["code"]) == (403, "otp_required")


# --- Valid tokens work as before


def test_a_valid_token_works_whatever_the_session(client, two_factor_manager, rep):
    raw = new_token("manager")
    password_login(client, "rep")  # someone else's session in the same client
    me = client.get("/api/v1/me", **bearer(raw))
    assert me.status_code == 200 and me.json()["username"] == "manager"
    created = client.post(
        "/api/v1/customers",
        json.dumps({"name": "令牌经理创建", "mobile": "13800138000"}),
        content_type="application/json",
        **bearer(raw),
    )
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == "manager"
    assert Client().get("/api/v1/customers", **bearer(raw)).status_code == 200


def test_a_read_token_still_only_reads(two_factor_manager):
    raw = new_token("manager", "--scope", "read")
    client = Client()
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    before = state()
    response = client.post(
        "/api/v1/customers",
        json.dumps({"name": "只读令牌", "mobile": "13800138000"}),
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 403
    assert state() == before


# --- Minting a token needs a verified session


def test_a_token_cannot_mint_another_token(two_factor_manager):
    raw = new_token("manager", "--expires-days", "1")
    before = state()
    response = Client().post(
        "/api/v1/tokens",
        json.dumps({"name": "永久"}),
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "session_required"
    assert state() == before
    listed = Client().get("/api/v1/tokens", **bearer(raw))
    assert listed.status_code == 200 and len(listed.json()) == 1


def test_profile_page_mints_only_for_a_verified_session(client, two_factor_manager):
    password_login(client, "manager")
    before = state()
    response = client.post("/profile/", {"name": "ERP", "scope": "read_write"})
    assert response.status_code == 302 and response.url.startswith("/otp/")
    assert state() == before
    client.post("/otp/", {"token": code_for(two_factor_manager)})
    assert client.post("/profile/", {"name": "ERP", "scope": "read_write"}).status_code == 302
    assert ApiToken.objects.filter(user=two_factor_manager.user).count() == 1


def test_a_verified_session_mints_over_the_api(client, two_factor_manager):
    password_login(client, "manager")
    client.post("/otp/", {"token": code_for(two_factor_manager)})
    response = client.post(
        "/api/v1/tokens", json.dumps({"name": "脚本"}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Client().get("/api/v1/me", **bearer(response.json()["token"])).status_code == 200
