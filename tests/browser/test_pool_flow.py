"""A rep claims a customer from the team pool (公海) and returns it with a reason, in Chromium
(issue 14.3): the pool page lists what may be claimed, by name, with links."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Team, User
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.customers.services import customer_assign_pool

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_rep_claims_from_the_pool_and_returns_with_a_reason(
    live_server: Any,
    phone_page: Any,
    rep: User,
    manager: User,
    team_east: Team,
    customer_factory: Any,
) -> None:
    customer = customer_factory(actor=manager, name="公海领取科技有限公司")
    customer_assign_pool(actor=manager, customer=customer, team=team_east)
    page = phone_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "rep")
    page.fill("#id_password", "pass-for-tests-2026")
    page.locator("form:has(#id_password) [type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")  # the dashboard

    page.goto(f"{live_server.url}/pool/")
    row = page.locator("tr.pool-row", has_text="公海领取科技有限公司")
    assert row.locator("a.customer-link").get_attribute("href") == (
        f"/customers/{customer.customer_no}/"
    )
    row.locator("button.claim-button").click()
    page.wait_for_url(f"**/customers/{customer.customer_no}/")
    customer.refresh_from_db()
    assert customer.owner == rep

    page.locator("#return-customer").click()
    page.wait_for_url(f"**/pool/{customer.customer_no}/return/")
    page.fill("#id_reason", "客户今年没有预算")
    page.locator("#return-confirm").click()
    page.wait_for_url("**/pool/")
    pool_row = page.locator("tr.pool-row", has_text="公海领取科技有限公司")
    assert "客户今年没有预算" in pool_row.inner_text()
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.owner_id is None and customer.team_id == team_east.pk
    assert AuditEntry.objects.filter(action="customer.claimed", actor=rep).count() == 1
    returned = AuditEntry.objects.get(action="customer.returned")
    assert returned.note == "客户今年没有预算"
