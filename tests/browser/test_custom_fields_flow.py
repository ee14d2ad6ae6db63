"""An administrator adds custom fields, then fills them in on a customer's form and sees them on
the 360 page and as a list column, in Chromium (issue 15, custom fields)."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kehu.accounts.models import User
from kehu.customers.models import Customer, CustomField

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_adds_a_custom_field_and_fills_it_in(
    live_server: Any, browser: Any, admin_user: User, customer_factory: Any
) -> None:
    customer = customer_factory(name="自定义字段浏览器测试有限公司")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    device = TOTPDevice.objects.create(user=admin_user, name="手机", confirmed=True)
    sign_in(page, live_server.url, "admin", device=device)

    page.locator("#nav-custom-fields").click()
    page.wait_for_url("**/settings/custom-fields/")
    page.select_option("#id_entity", "customer")
    page.fill("#id_label", "客户等级")
    page.fill("#id_key", "tier")
    page.select_option("#id_kind", "choice")
    page.fill("#id_choices", "A\nB\nC")
    page.check("#id_show_in_list")
    page.fill("#id_help_text", "按年采购额分级")
    page.select_option("#id_personal_class", "ordinary")
    page.locator("#custom-field-add").click()
    page.wait_for_url("**/settings/custom-fields/")
    # A second field: a date.
    page.fill("#id_label", "续约日期")
    page.fill("#id_key", "renewal")
    page.select_option("#id_kind", "date")
    page.select_option("#id_personal_class", "personal")
    page.locator("#custom-field-add").click()
    page.wait_for_url("**/settings/custom-fields/")
    assert "客户等级" in page.locator("#custom-field-table").inner_text()
    assert CustomField.objects.filter(is_active=True).count() == 2

    page.goto(f"{live_server.url}/customers/{customer.customer_no}/edit/")
    assert "按年采购额分级" in page.locator("#custom-fields").inner_text()
    page.select_option("#id_cf_tier", "B")
    page.fill("#id_cf_renewal", "2027-01-31")
    page.locator("#customer-form [type=submit]").click()
    page.wait_for_url(f"**/customers/{customer.customer_no}/")
    facts = page.locator("#customer-header").inner_text()
    assert "客户等级" in facts and "2027-01-31" in facts
    assert page.locator(".custom-fact[data-key=tier] dd").inner_text() == "B"
    customer.refresh_from_db()
    assert customer.custom_fields == {"tier": "B", "renewal": "2027-01-31"}
    assert Customer.objects.filter(custom_fields__tier="B").count() == 1

    page.goto(f"{live_server.url}/customers/")
    assert page.locator("td.custom-cell[data-key=tier]").first.inner_text() == "B"
    context.close()
