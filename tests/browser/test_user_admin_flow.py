"""An administrator creates a user on the users page and that user signs in with the
temporary password shown once, in Chromium (issue 15, users)."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts.models import Role, Team, User

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_creates_a_user_who_then_signs_in(
    live_server: Any, browser: Any, admin_user: User, team_east: Team
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    device = TOTPDevice.objects.create(user=admin_user, name="手机", confirmed=True)
    sign_in(page, live_server.url, "admin", device=device)
    page.goto(f"{live_server.url}/users/")
    page.locator("#user-create-link").click()
    page.wait_for_url("**/users/new/")
    page.fill("#id_username", "xiaozhou")
    page.fill("#id_display_name", "小周")
    page.select_option("#id_role", "rep")
    page.select_option("#id_team", team_east.name)
    page.locator("#user-save").click()
    page.wait_for_url("**/users/*/edit/")
    password = page.locator("#new-password-value").inner_text().strip()
    assert len(password) >= 12
    user = User.objects.get(username="xiaozhou")
    assert (user.role, user.team_id, user.display_name) == (Role.REP, team_east.pk, "小周")
    page.reload()
    assert page.locator("#new-password-value").count() == 0  # shown once
    context.close()

    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = other.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "xiaozhou", password)
    assert page.url == f"{live_server.url}/"  # a rep: no second factor asked; the dashboard
    other.close()
