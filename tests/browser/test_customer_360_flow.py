"""Log in, open the list, open a customer's 360 page and log an interaction, on a phone screen."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.interactions.models import Interaction

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_rep_logs_interaction_from_360_page_on_phone(
    live_server: Any, phone_page: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="杭州云帆软件有限公司")
    page = phone_page

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", rep.username)
    page.fill("#id_password", "pass-for-tests-2026")
    page.locator("form:has(#id_password)").locator(
        "button[type=submit], input[type=submit]"
    ).first.click()
    page.wait_for_url(f"{live_server.url}/")  # the dashboard
    page.goto(f"{live_server.url}/customers/")

    page.locator("a.customer-link", has_text="杭州云帆软件有限公司").first.click()
    page.wait_for_url(f"**/customers/{customer.customer_no}/")
    assert customer.customer_no in page.content()

    form = page.locator("#quick-interaction")
    form.scroll_into_view_if_needed()
    assert form.is_visible()
    form.locator("[name=method]").select_option("phone")
    form.locator("[name=topic]").fill("报价确认")
    form.locator("[name=summary]").fill("客户需要采购200台设备,预算大概50万")
    form.locator("[name=feedback]").select_option("interested")  # the field standard's four
    form.locator("[name=next_action]").fill("周五前发送正式报价")
    form.locator("button[type=submit], input[type=submit]").first.click()

    page.locator("#timeline .interaction-item", has_text="报价确认").first.wait_for()
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.topic == "报价确认"
    assert interaction.performed_by == rep
    assert interaction.interaction_no == f"HD{customer.customer_no}0001"

    # The page fits the phone: no horizontal scrolling.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
