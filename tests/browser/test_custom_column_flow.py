"""A rep picks a custom field as a column of the customer list and sorts it from its header,
both ways; at phone width the rows show its value and the sort menu offers it, in Chromium
(issue 15: custom fields as list columns)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import User
from kehu.customers.services import custom_field_create

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _names(page: Any) -> list[str]:
    return [n.strip() for n in page.locator("#customer-table a.customer-link").all_inner_texts()]


def test_choose_a_custom_column_and_sort_it(
    live_server: Any, browser: Any, rep: User, admin_user: User, customer_factory: Any
) -> None:
    custom_field_create(
        actor=admin_user, data={"entity": "customer", "key": "seats", "label": "座席数",
                                "kind": "number"},
    )  # fmt: skip
    for name, seats in (("九座有限公司", 9), ("十座有限公司", 10), ("两座有限公司", 2)):
        customer_factory(name=name, custom_fields={"seats": seats})
    customer_factory(name="未填有限公司")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, rep.username)
    page.goto(f"{live_server.url}/customers/")

    page.locator("#customer-filters details summary").click()
    page.locator("input[name=cols][value=cf_seats]").check()
    page.locator("#customer-filters .actions button[type=submit]").first.click()
    page.wait_for_url("**cols=**cf_seats**")
    page.locator("#sort-cf_seats").click()
    page.wait_for_url("**order=cf_seats**")
    assert _names(page) == ["两座有限公司", "九座有限公司", "十座有限公司", "未填有限公司"]
    page.locator("#sort-cf_seats").click()
    page.wait_for_url("**order=-cf_seats**")
    assert _names(page) == ["十座有限公司", "九座有限公司", "两座有限公司", "未填有限公司"]
    assert "10" in page.locator("td.custom-cell[data-key=seats]").first.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: rows become cards
    assert page.locator("td.custom-cell[data-key=seats]").first.is_visible()
    page.locator("#customer-filters details summary").click()
    assert page.locator("#id_order option[value='cf_seats']").count() == 1
    page.screenshot(path="/tmp/rest15-custom-column.png", full_page=True)
    context.close()
