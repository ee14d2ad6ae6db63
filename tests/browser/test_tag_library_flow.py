"""On a phone-sized 360 page: apply a tag from the library (search, grouped select, htmx), see
it with its provenance, and see an exclusive group's tag replaced (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.tags.models import CustomerTag
from kehu.tags.services import tag_apply

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_rep_applies_a_library_tag_on_a_phone(
    live_server: Any, shipped_tags: None, phone_page: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="苏州云启智能科技有限公司")
    tag_apply(actor=rep, customer=customer, name="中价值")
    page = phone_page
    sign_in(page, live_server.url, rep.username)
    page.goto(f"{live_server.url}/customers/{customer.customer_no}/")

    panel = page.locator("#tags-panel")
    panel.scroll_into_view_if_needed()
    assert "中价值" in panel.inner_text()
    page.fill("#tag-search", "高价")
    page.locator("#tag-select").select_option("高价值")
    page.fill("#tag-note", "年度预算上调")
    page.locator("#tag-apply").click()

    page.locator("#tag-message").wait_for()
    message = page.locator("#tag-message").inner_text()
    assert "高价值" in message and "中价值" in message
    item = page.locator("#tags-panel .tag-item[data-tag='高价值']")
    item.wait_for()
    text = item.inner_text()
    assert "张销售" in text and "年度预算上调" in text
    assert page.locator("#tags-panel .tag-item[data-tag='中价值']").count() == 0
    link = CustomerTag.objects.get(customer=customer)
    assert link.tag.name == "高价值" and link.added_by == rep and link.note == "年度预算上调"
    # The page fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
