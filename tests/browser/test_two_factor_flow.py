"""A manager signs in with the password and a real TOTP code in Chromium (issue 14.13, 14.14).

Before the code, the API refuses the session (403 otp_required), a made-up Bearer token does not
open it (401 invalid_token) and no second authenticator can be added; after the code the same
session reads the API.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FETCH = """async ([url, headers]) => {
    const response = await fetch(url, {headers: headers, credentials: "same-origin"});
    return {status: response.status, body: await response.json()};
}"""


def test_manager_signs_in_with_password_and_totp_and_only_then_reads_the_api(
    live_server: Any, browser: Any, settings: Any, manager: Any, customer_factory: Any
) -> None:
    settings.KEHU_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=manager, name="手机", confirmed=True)
    customer_factory(name="杭州云帆软件有限公司")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "pass-for-tests-2026")
        page.locator("form:has(#id_password) [type=submit]").first.click()
        page.wait_for_url("**/otp/?next=**")

        # Password only: the API refuses the session, with or without a made-up token.
        refused = page.evaluate(FETCH, ["/api/v1/customers", {}])
        assert (refused["status"], refused["body"]["code"]) == (403, "otp_required")
        bogus = page.evaluate(FETCH, ["/api/v1/customers", {"Authorization": "Bearer x"}])
        assert (bogus["status"], bogus["body"]["code"]) == (401, "invalid_token")
        page.goto(f"{live_server.url}/otp/setup/")
        assert "/otp/?next=/otp/setup/" in page.url
        assert TOTPDevice.objects.filter(user=manager).count() == 1

        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("#id_token", f"{code:06d}")
        page.locator("#otp-form [type=submit]").click()
        page.wait_for_url("**/otp/setup/")  # back where the sign-in was going
        assert page.locator("#otp-secret").is_visible()

        served = page.evaluate(FETCH, ["/api/v1/customers", {}])
        assert served["status"] == 200
        assert [c["name"] for c in served["body"]["items"]] == ["杭州云帆软件有限公司"]
        # The token alone decides: a made-up one is refused even beside a verified session.
        bogus = page.evaluate(FETCH, ["/api/v1/customers", {"Authorization": "Bearer x"}])
        assert bogus["status"] == 401
    finally:
        context.close()
