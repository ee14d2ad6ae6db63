"""Sign-in: TOTP for managers, admins and stewards; lock-out; logins audited; deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.audit.models import AuditEntry

PASSWORD = "pass-for-tests-2026"


def _token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_manager_needs_a_totp_code_after_the_password(client, settings, manager):
    settings.KEHU_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    response = client.post("/login/", {"username": "manager", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/customers/").url.startswith("/otp/")
    assert client.get("/api/v1/customers").status_code == 403
    response = client.post("/otp/", {"token": _token(device), "next": "/customers/"})
    assert response.status_code == 302 and response.url == "/customers/"
    assert client.get("/customers/").status_code == 200
    assert client.get("/api/v1/customers").status_code == 200


def test_manager_without_device_is_sent_to_setup_and_confirms(client, settings, manager):
    settings.KEHU_REQUIRE_2FA = True
    client.post("/login/", {"username": "manager", "password": PASSWORD})
    response = client.get("/customers/")
    assert response.url.startswith("/otp/setup/")
    page = client.get("/otp/setup/").content.decode()
    assert "otpauth://totp/" in page
    assert not TOTPDevice.objects.filter(
        user=manager
    ).exists()  # kept in the session until confirmed
    secret = page.split('<code id="otp-secret">')[1].split("</code>")[0]
    code = f"{totp(b32decode(secret)):06d}"
    assert client.post("/otp/setup/", {"token": code}).status_code == 302
    device = TOTPDevice.objects.get(user=manager)
    assert device.confirmed and device.bin_key == b32decode(secret)
    assert client.get("/customers/").status_code == 200


def test_rep_signs_in_with_the_password_only(client, settings, rep):
    settings.KEHU_REQUIRE_2FA = True
    client.post("/login/", {"username": "rep", "password": PASSWORD})
    assert client.get("/customers/").status_code == 200


def test_logins_and_failures_are_audited_and_repeated_failures_lock_out(client, settings, rep):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post("/login/", {"username": "rep", "password": "wrong"})
    assert AuditEntry.objects.filter(action="user.login_failed").count() == 3
    response = client.post("/login/", {"username": "rep", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action="user.logged_in").exists()


def test_successful_login_is_audited(client, rep):
    client.post("/login/", {"username": "rep", "password": PASSWORD})
    entry = AuditEntry.objects.get(action="user.logged_in")
    assert entry.actor == rep


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "KEHU_PRODUCTION": "true",
        "KEHU_DEBUG": "false",
        "KEHU_SECRET_KEY": "k" + "x7Qz!9pL#2mV$8rT&4wY*6nB" * 3,
        "KEHU_ALLOWED_HOSTS": "crm.example.com",
        "KEHU_DATA_DIR": str(tmp_path),
    }
    env.pop("KEHU_DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a test-only switch, never set in deployment
    result = subprocess.run(
        [sys.executable, "-m", "kehu", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
