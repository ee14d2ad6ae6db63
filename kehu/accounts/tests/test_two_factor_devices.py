"""Issue 14.14: a second authenticator needs the first one's code (or an admin reset).

A password alone must not add a device for a user who already has one; an admin resets a
user's devices (page, API, `kehu otp_reset`), audited; the user is told whenever a device is
added or reset; a leftover unconfirmed device lets nobody in.
"""

from __future__ import annotations

import json
import re
from base64 import b32decode
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts.models import Notification
from kehu.audit.models import AuditEntry

PASSWORD = "pass-for-tests-2026"


def code_for_key(bin_key: bytes) -> str:
    return f"{totp(bin_key):06d}"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_login(client: Client, username: str) -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def shown_secret(page: str) -> bytes:
    secret = re.search(r'<code id="otp-secret">([A-Z2-7=]+)</code>', page)
    assert secret, page
    return b32decode(secret.group(1))


def devices(user: Any) -> list[tuple[int, bool, str]]:
    return list(
        TOTPDevice.objects.filter(user=user).order_by("pk").values_list("pk", "confirmed", "key")
    )


@pytest.fixture
def enrolled(settings: Any, manager: Any) -> TOTPDevice:
    settings.KEHU_REQUIRE_2FA = True
    return TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)


# --- Adding a device


def test_setup_is_refused_to_a_password_only_session_of_a_user_with_a_device(client, enrolled):
    manager = enrolled.user
    password_login(client, "manager")
    before = devices(manager)
    response = client.get("/otp/setup/")
    assert response.status_code == 302
    assert response.url.startswith("/otp/?next=/otp/setup/")
    attacker_key = bytes(20)
    response = client.post("/otp/setup/", {"token": code_for_key(attacker_key)})
    assert response.status_code == 302 and response.url.startswith("/otp/?")
    assert devices(manager) == before
    assert not Notification.objects.exists()
    assert client.get("/api/v1/customers").status_code == 403


def test_a_verified_session_adds_a_second_device_and_the_user_is_told(client, enrolled):
    manager = enrolled.user
    password_login(client, "manager")
    client.post("/otp/", {"token": code_for(enrolled)})
    page = client.get("/otp/setup/")
    assert page.status_code == 200
    key = shown_secret(page.content.decode())
    assert key != enrolled.bin_key
    response = client.post("/otp/setup/", {"token": code_for_key(key)})
    assert response.status_code == 302
    confirmed = TOTPDevice.objects.filter(user=manager, confirmed=True)
    assert sorted(d.bin_key for d in confirmed) == sorted([enrolled.bin_key, key])
    note = Notification.objects.get(user=manager)
    assert "authenticator" in note.message.lower() or "验证器" in note.message
    assert AuditEntry.objects.filter(action="user.otp_added", actor=manager).count() == 1


def test_first_device_needs_only_the_password_and_the_user_is_told(client, settings, manager):
    settings.KEHU_REQUIRE_2FA = True
    password_login(client, "manager")
    key = shown_secret(client.get("/otp/setup/").content.decode())
    assert client.post("/otp/setup/", {"token": "000000"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=manager, confirmed=True).exists()
    assert client.post("/otp/setup/", {"token": code_for_key(key)}).status_code == 302
    assert TOTPDevice.objects.get(user=manager, confirmed=True).bin_key == key
    assert Notification.objects.filter(user=manager).count() == 1
    assert client.get("/api/v1/me").status_code == 200


def test_each_session_is_shown_its_own_key(settings, manager):
    settings.KEHU_REQUIRE_2FA = True
    first, second = Client(), Client()
    password_login(first, "manager")
    password_login(second, "manager")
    key_first = shown_secret(first.get("/otp/setup/").content.decode())
    key_second = shown_secret(second.get("/otp/setup/").content.decode())
    assert key_first != key_second
    assert shown_secret(first.get("/otp/setup/").content.decode()) == key_first
    assert second.post("/otp/setup/", {"token": code_for_key(key_first)}).status_code == 200
    assert not TOTPDevice.objects.filter(user=manager, confirmed=True).exists()


def test_a_leftover_unconfirmed_device_lets_nobody_in(client, settings, manager):
    settings.KEHU_REQUIRE_2FA = True
    leftover = TOTPDevice.objects.create(user=manager, name="abandoned", confirmed=False)
    password_login(client, "manager")
    response = client.post("/otp/", {"token": code_for(leftover), "next": "/customers/"})
    assert response.status_code == 200  # the code page again, with an error
    assert client.get("/api/v1/me").status_code == 403
    key = shown_secret(client.get("/otp/setup/").content.decode())
    assert key != leftover.bin_key
    assert client.post("/otp/setup/", {"token": code_for(leftover)}).status_code == 200
    assert client.get("/api/v1/me").status_code == 403
    leftover.refresh_from_db()
    assert not leftover.confirmed
    assert not TOTPDevice.objects.filter(user=manager, confirmed=True).exists()


# --- Admin reset


def test_admin_resets_a_users_devices_over_the_api(client, enrolled, admin_user):
    manager = enrolled.user
    TOTPDevice.objects.create(user=manager, name="leftover", confirmed=False)
    admin_device = TOTPDevice.objects.create(user=admin_user, name="admin", confirmed=True)
    victim_session = Client()
    password_login(victim_session, "manager")
    victim_session.post("/otp/", {"token": code_for(enrolled)})
    assert victim_session.get("/api/v1/me").status_code == 200

    password_login(client, "admin")
    client.post("/otp/", {"token": code_for(admin_device)})
    response = client.post(f"/api/v1/users/{manager.pk}/otp/reset", content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"username": "manager", "devices_removed": 2}
    assert devices(manager) == []
    assert devices(admin_user) != []
    entry = AuditEntry.objects.get(action="user.otp_reset")
    assert entry.actor == admin_user and entry.target_id == str(manager.pk)
    assert Notification.objects.filter(user=manager).count() == 1
    # The old verified session is verified no more; a new device needs only the password now.
    assert victim_session.get("/api/v1/me").json()["code"] == "otp_required"
    assert victim_session.get("/otp/setup/").status_code == 200


@pytest.mark.parametrize("who", ["manager", "rep", "boss"])
def test_only_an_admin_resets_devices(client, who, manager, rep, executive, admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="admin", confirmed=True)
    entries = AuditEntry.objects.count()
    client.force_login({"manager": manager, "rep": rep, "boss": executive}[who])
    response = client.post(f"/api/v1/users/{admin_user.pk}/otp/reset")
    assert response.status_code == 403
    assert client.post(f"/users/{admin_user.pk}/otp/reset/").status_code == 403
    assert devices(admin_user) == [(device.pk, True, device.key)]
    assert AuditEntry.objects.count() == entries
    assert not Notification.objects.exists()


def test_reset_of_an_unknown_user_is_404(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/api/v1/users/999999/otp/reset")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_admin_token_cannot_reset_devices(enrolled, admin_user):
    out = StringIO()
    call_command("api_token", "admin", stdout=out, stderr=StringIO())
    before = devices(enrolled.user)
    response = Client().post(
        f"/api/v1/users/{enrolled.user.pk}/otp/reset",
        HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "session_required"
    assert devices(enrolled.user) == before


def test_admin_resets_from_the_users_page(client, enrolled, admin_user):
    admin_device = TOTPDevice.objects.create(user=admin_user, name="admin", confirmed=True)
    password_login(client, "admin")
    client.post("/otp/", {"token": code_for(admin_device)})
    page = client.get("/users/").content.decode()
    action = f'action="/users/{enrolled.user.pk}/otp/reset/"'
    assert action in page
    response = client.post(f"/users/{enrolled.user.pk}/otp/reset/")
    assert response.status_code == 302 and response.url == "/users/"
    assert devices(enrolled.user) == []
    assert AuditEntry.objects.filter(action="user.otp_reset").count() == 1
    assert Notification.objects.filter(user=enrolled.user).count() == 1
    assert client.get("/users/").status_code == 200


def test_the_users_page_shows_no_reset_button_to_a_manager(client, manager, rep):
    client.force_login(manager)
    page = client.get("/users/").content.decode()
    assert "/otp/reset/" not in page


def test_the_command_resets_devices(enrolled):
    out = StringIO()
    call_command("otp_reset", "manager", stdout=out, stderr=StringIO())
    assert "manager" in out.getvalue() and "1" in out.getvalue()
    assert devices(enrolled.user) == []
    entry = AuditEntry.objects.get(action="user.otp_reset")
    assert entry.source == "cli" and entry.actor is None
    assert Notification.objects.filter(user=enrolled.user).count() == 1


def test_the_command_names_an_unknown_user(enrolled):
    with pytest.raises(CommandError, match="nobody"):
        call_command("otp_reset", "nobody", stdout=StringIO(), stderr=StringIO())
    assert len(devices(enrolled.user)) == 1
    assert not AuditEntry.objects.filter(action="user.otp_reset").exists()


def test_reset_then_re_enrol_with_the_password(client, enrolled):
    call_command("otp_reset", "manager", stdout=StringIO(), stderr=StringIO())
    password_login(client, "manager")
    assert client.get("/customers/").url.startswith("/otp/setup/")
    key = shown_secret(client.get("/otp/setup/").content.decode())
    assert client.post("/otp/setup/", {"token": code_for_key(key)}).status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    assert Notification.objects.filter(user=enrolled.user).count() == 2
    assert json.loads(client.get("/api/v1/me").content)["username"] == "manager"
