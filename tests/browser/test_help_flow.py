"""A rep opens the help of the customer list with the "?" button at phone size (390×844) in
Chromium (issue 20): the bottom sheet shows the page's help in Chinese and closes again; the
"what's new" badge goes once the notes are opened."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import User

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_help_panel_on_a_phone(live_server: Any, phone_page: Any, rep: User) -> None:
    page = phone_page
    sign_in(page, live_server.url, "rep")
    page.goto(f"{live_server.url}/customers/")
    page.locator("#help-toggle").click()
    panel = page.locator("#help-panel")
    panel.wait_for()
    assert panel.locator("#help-title").inner_text() == "客户列表"
    assert "待补全" in panel.inner_text()
    box = panel.bounding_box()
    assert box is not None and box["width"] == pytest.approx(390, abs=2)  # a bottom sheet
    assert box["y"] > 0 and box["y"] + box["height"] == pytest.approx(844, abs=2)
    page.locator("#help-close").click()
    assert page.locator("#help-panel").count() == 0
    page.locator("#menu-toggle").click()
    assert page.locator("#whatsnew-badge").is_visible()
    page.locator("#nav-whatsnew").click()
    page.wait_for_url("**/help/whatsnew/")
    assert page.locator("#whatsnew-badge").count() == 0
