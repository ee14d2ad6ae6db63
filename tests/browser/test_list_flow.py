"""The customer list a manager works from, in Chromium (issue 15): sort by a column header,
filter, choose rows and assign them to a rep in bulk, then save the view and open it again."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts.models import User
from kehu.customers.models import Customer

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _names(page: Any) -> list[str]:
    return [n.strip() for n in page.locator("#customer-table a.customer-link").all_inner_texts()]


def test_sort_filter_bulk_assign_and_save_the_view(
    live_server: Any, browser: Any, manager: User, rep2: User, customer_factory: Any
) -> None:
    for name in ("丙丁贸易有限公司", "甲乙贸易有限公司", "戊己物流有限公司"):
        customer_factory(name=name)
    customer_factory(name="庚辛意向科技有限公司", status="intent")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    device = TOTPDevice.objects.create(user=manager, name="手机", confirmed=True)
    sign_in(page, live_server.url, manager.username, device=device)
    page.goto(f"{live_server.url}/customers/")

    # Sort: the status header puts 意向 (intent) before 线索 (lead); again, the other way.
    page.locator("#sort-status").click()
    page.wait_for_url("**order=status**")
    assert _names(page)[0] == "庚辛意向科技有限公司"
    page.locator("#sort-status").click()
    page.wait_for_url("**order=-status**")
    assert _names(page)[-1] == "庚辛意向科技有限公司"

    # Filter: only leads, by status; the total follows.
    page.locator("#customer-filters details summary").click()
    page.select_option("#id_status", "lead")
    page.locator("#customer-filters button[type=submit]", has_text="筛选").or_(
        page.locator("#customer-filters .actions button[type=submit]")
    ).first.click()
    page.wait_for_url("**status=lead**")
    assert sorted(_names(page)) == sorted(
        ["丙丁贸易有限公司", "甲乙贸易有限公司", "戊己物流有限公司"]
    )

    # Bulk assign: tick two rows, choose the rep, assign.
    page.locator("tr.customer-row", has_text="丙丁贸易有限公司").locator("input.pick").check()
    page.locator("tr.customer-row", has_text="甲乙贸易有限公司").locator("input.pick").check()
    page.locator("#bulk-actions summary").click()
    page.select_option("#bulk-owner", str(rep2.pk))
    page.locator("#bulk-assign").click()
    page.wait_for_url("**status=lead**")
    assert page.locator(".message.success").count() == 1
    owners = dict(Customer.objects.values_list("name", "owner__username"))
    assert owners["丙丁贸易有限公司"] == owners["甲乙贸易有限公司"] == rep2.username
    assert owners["戊己物流有限公司"] == "rep"

    # Save the filtered view and open it from its chip.
    page.locator("#save-view-details summary").click()
    page.fill("#save-view-name", "线索")
    page.locator("#save-view").click()
    page.wait_for_url("**view=**")
    page.goto(f"{live_server.url}/customers/")
    page.locator("#saved-views a.saved-view", has_text="线索").click()
    page.wait_for_url("**status=lead**")
    assert len(_names(page)) == 3
    context.close()
