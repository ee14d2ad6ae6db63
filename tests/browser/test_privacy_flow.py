"""The data steward registers an erasure request, sees what is held and erases the person, on a
phone-sized Chromium (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts.models import Role, User
from kehu.audit.services import audit_verify
from kehu.conftest import make_user
from kehu.contacts.models import Contact

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_steward_erases_a_person(live_server: Any, browser: Any, customer_factory: Any) -> None:
    customer = customer_factory(
        name="青岛浏览器测试有限公司",
        decision_maker={"name": "邵浏览", "title": "经理", "mobile": "13700004444"},
    )
    steward: User = make_user("steward", Role.STEWARD, None)
    device = TOTPDevice.objects.create(user=steward, name="手机", confirmed=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "steward", device=device)
    page.goto(f"{live_server.url}/privacy/requests/")
    page.select_option("#id_kind", "erasure")
    page.fill("#id_phone", "137 0000 4444")
    page.locator("#request-submit").click()
    page.wait_for_url("**/privacy/requests/*/")
    assert "邵浏览" in page.locator("#holdings").inner_text()
    page.locator("#erase-submit").click()  # without the tick: refused, nothing erased
    page.wait_for_load_state()
    assert Contact.objects.get(customer=customer).name == "邵浏览"
    page.locator("#erase-confirm").check()
    page.locator("#erase-submit").click()
    page.wait_for_selector("#erase-result")
    assert "邵浏览" not in page.content()
    assert Contact.objects.get(customer=customer).name == "[erased]"
    assert list(audit_verify()) == []
    context.close()
