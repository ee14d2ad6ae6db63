"""A rep picks 省 → 市 → 区 on the customer form at phone size (each select fills the next through
htmx, a new province empties the district), then filters the list by a city (issue 15, forms)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.models import Customer

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_pick_a_region_then_filter_the_list_by_it(
    live_server: Any, phone_page: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="浙江旧客户", region_code="330106")
    page = phone_page
    sign_in(page, live_server.url, "rep")
    page.goto(f"{live_server.url}/customers/{customer.customer_no}/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#id_district").input_value() == "330106"
    page.select_option("#id_province", "440000")
    page.wait_for_selector("#id_city option[value='440300']", state="attached")
    # The district of the old province is gone with it.
    assert page.locator("#id_district option").count() == 1
    page.select_option("#id_city", "440300")
    page.wait_for_selector("#id_district option[value='440305']", state="attached")
    page.select_option("#id_district", "440305")
    page.locator("#customer-form [type=submit]").click()
    page.wait_for_url(f"**/customers/{customer.customer_no}/")
    customer.refresh_from_db()
    assert (customer.region_code, customer.city, customer.district) == (
        "440305",
        "深圳市",
        "南山区",
    )

    customer_factory(name="北京新客户", region_code="110105")
    page.goto(f"{live_server.url}/customers/")
    page.locator("#customer-filters summary").click()
    page.select_option("#id_region_province", "440000")
    page.wait_for_selector("#id_region_city option[value='440300']", state="attached")
    page.select_option("#id_region_city", "440300")
    page.locator("#customer-filters .actions [type=submit]").click()
    page.wait_for_url("**/customers/?*region=440300*")
    rows = page.locator("#customer-results .customer-link")
    assert rows.count() == 1 and rows.first.inner_text() == "浙江旧客户"
    assert Customer.objects.count() == 2
