"""A new rep walks the first basic scenario at phone size: opens Training, enters the workspace,
checks (red, with what is missing), creates the customer through the real form inside the
workspace, checks again (green). The live database never sees the customer (issue 20)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.models import Customer
from kehu.training import databases
from kehu.training.services import workspace_create

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NAME = "宁波东海培训汽配制造有限公司"


def test_a_rep_passes_the_first_basic_scenario_on_a_phone(
    live_server: Any, phone_page: Any, rep: Any, admin_user: Any
) -> None:
    workspace = workspace_create(actor=admin_user, trainee=rep)
    page = phone_page
    try:
        sign_in(page, live_server.url, "rep")
        page.goto(f"{live_server.url}/training/")
        page.locator("#scenario-basic-create-customer a").click()
        page.wait_for_selector("#scenario-goal")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#scenario-enter").click()
        page.wait_for_selector("#training-banner")
        assert "培训环境" in page.locator("#training-banner").inner_text()
        page.locator("#check-button").click()
        page.wait_for_selector("#check-summary")
        assert page.locator("#check-summary").get_attribute("data-passed") == "false"
        assert "您还没有在培训环境中新建客户" in page.locator("#result-created").inner_text()

        # The real customer form, inside the workspace.
        page.goto(f"{live_server.url}/customers/new/")
        assert page.locator("#training-banner").is_visible()
        page.fill("#id_name", NAME)
        page.select_option("#id_industry", label="制造业")
        page.locator("#id_size").select_option(index=2)
        page.locator("#id_source").select_option(index=1)
        page.fill("#id_first_contact_date", "2026-11-20")
        page.fill("#id_dm_name", "陈志强")
        page.fill("#id_dm_title", "采购总监")
        page.fill("#id_dm_mobile", "139 0574 1234")
        page.locator("#customer-form [type=submit]").click()
        page.wait_for_url("**/customers/CX*/")

        page.goto(f"{live_server.url}/training/scenarios/basic-create-customer/")
        page.locator("#check-button").click()
        page.wait_for_selector("#check-summary[data-passed='true']")
        assert page.locator(".check-step.ok").count() == 4
        page.screenshot(path="/tmp/training-phone-check.png", full_page=True)
    finally:
        assert not Customer.objects.filter(name=NAME).exists()  # live: untouched
        databases.drop(databases.workspace_database(workspace.pk))
