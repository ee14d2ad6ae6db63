"""Steps the browser flows share."""

from __future__ import annotations

from typing import Any


def sign_in(
    page: Any, base: str, username: str, password: str = "pass-for-tests-2026", device: Any = None
) -> None:
    """Sign in through the login page (and the TOTP step, given the user's device); waits for
    the home dashboard."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form:has(#id_password) [type=submit]").first.click()
    if device is not None:
        from django_otp.oath import totp

        page.wait_for_url("**/otp/**")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("#id_token", f"{code:06d}")
        page.locator("#otp-form [type=submit]").click()
    page.wait_for_url(f"{base}/")
