"""The roles the requirements name: finance (orders, contracts and amounts in full, personal
contact data masked, changes nothing) and support revealing a won customer's phone to call
them (a reason, audited)."""

from __future__ import annotations

import re

import pytest

from kehu.accounts.models import Role
from kehu.audit.models import AuditEntry, ReadEntry
from kehu.conftest import make_user
from kehu.customers.models import Contact


@pytest.fixture
def finance(db):
    return make_user("qian", Role.FINANCE, None, display_name="钱会计")


@pytest.fixture
def won(customer_factory, rep, api):
    customer = customer_factory(
        name="成交测试有限公司", status="won", phone="13912345678", budget_amount="300000"
    )
    api.login(rep).post(f"/api/v1/customers/{customer.customer_no}/orders", {"amount": "120000"})
    return customer


def test_finance_sees_amounts_in_full_and_contacts_masked(
    api, won, finance, outsider, customer_factory
):
    elsewhere = customer_factory(actor=outsider, name="别的团队有限公司", budget_amount="5000")
    url = f"/api/v1/customers/{won.customer_no}"
    body = api.login(finance).get(url).json()
    assert body["budget_amount"] == "300000.00"
    assert body["phone"] == "139****5678"
    mobiles = [c["mobile"] for c in api.get(f"{url}/contacts").json()["items"]]
    assert mobiles and all(re.fullmatch(r"1\d\d\*{4}\d{4}", m) for m in mobiles), mobiles
    orders = api.get(f"{url}/orders").json()["items"]
    assert orders[0]["amount"] == "120000.00"
    order = api.get(f"/api/v1/orders/{orders[0]['order_no']}").json()
    assert order["amount"] == "120000.00"
    # Every customer, whichever team owns it.
    listed = {c["customer_no"] for c in api.get("/api/v1/customers").json()["items"]}
    assert {won.customer_no, elsewhere.customer_no} <= listed
    page = api.client.get(f"/customers/{won.customer_no}/").content.decode()
    assert "¥120,000.00" in page and "139****5678" in page
    assert "13912345678" not in page.replace(" ", "")
    # Nor the decision maker's mobile, in the history's "决策人·手机" changes either.
    assert won.contacts.get().mobile[-8:] not in page


def test_finance_changes_no_customer_or_contact(api, won, finance):
    url = f"/api/v1/customers/{won.customer_no}"
    contact = won.contacts.get()
    before = AuditEntry.objects.count()
    api.login(finance)
    assert api.patch(url, {"notes": "财务改的"}).status_code == 403
    assert (
        api.post(f"{url}/contacts", {"name": "新联系人", "mobile": "13800001111"}).status_code
        == 403
    )
    assert api.patch(f"/api/v1/contacts/{contact.pk}", {"title": "财务"}).status_code in (403, 404)
    assert api.post(f"{url}/reveal", {"field": "phone"}).status_code == 403
    won.refresh_from_db()
    assert won.notes == "" and Contact.objects.filter(customer=won).count() == 1
    assert AuditEntry.objects.count() == before
    page = api.client.get(f"/customers/{won.customer_no}/")
    assert page.context["can_edit"] is False


def test_finance_home_shows_revenue_and_pipeline(client, api, won, finance):
    body = api.login(finance).get("/api/v1/dashboard").json()
    assert body["role"] == "finance"
    tiles = {tile["key"]: tile for tile in body["tiles"]}
    assert set(tiles) == {"kpi_month", "kpi_quarter", "company_pipeline"}
    revenue = {item["key"]: item["value"] for item in tiles["kpi_month"]["items"]}["revenue"]
    assert float(revenue) == 120000.0
    page = client.get("/").content.decode()
    assert "¥120,000.00" in page


# --- Support: reveal a won customer's phone to call them ---------------------------------------


def test_support_reveals_a_won_customers_phone_with_a_reason(api, won, support):
    contact = won.contacts.get()
    url = f"/api/v1/contacts/{contact.pk}/reveal"
    api.login(support)
    before = AuditEntry.objects.count()
    response = api.post(url, {"field": "mobile"})
    assert response.status_code == 422 and "reason" in response.content.decode()
    assert AuditEntry.objects.count() == before
    response = api.post(url, {"field": "mobile", "reason": "售后回访"})
    assert response.status_code == 200
    assert response.json() == {"field": "mobile", "value": contact.mobile}
    entry = AuditEntry.objects.get(action="field.revealed")
    assert entry.actor == support and entry.note == "售后回访"
    assert entry.customer_id == won.pk and entry.changes == {"field": "mobile"}
    assert ReadEntry.objects.filter(kind="reveal", actor=support).count() == 1
    # The customer's own phone too; never an e-mail or an ID.
    response = api.post(
        f"/api/v1/customers/{won.customer_no}/reveal", {"field": "phone", "reason": "报修回电"}
    )
    assert response.json()["value"] == "+8613912345678"
    before = AuditEntry.objects.count()
    assert api.post(url, {"field": "email", "reason": "发邮件"}).status_code == 403
    assert AuditEntry.objects.count() == before


def test_support_cannot_reveal_other_customers(api, customer_factory, support, rep, manager):
    lost = customer_factory(name="流失客户有限公司", status="lost", status_reason="价格")
    contact = lost.contacts.get()
    before = AuditEntry.objects.count()
    response = api.login(support).post(
        f"/api/v1/contacts/{contact.pk}/reveal", {"field": "mobile", "reason": "回访"}
    )
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before


def test_support_reveals_on_the_360_page(client, won, support):
    contact = won.contacts.get()
    client.force_login(support)
    page = client.get(f"/customers/{won.customer_no}/").content.decode()
    assert "拨打前查看" in page and 'name="reason"' in page
    assert contact.mobile[-8:] not in page
    url = f"/contacts/{contact.pk}/reveal/?field=mobile"
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "售后回访"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="tel:{contact.mobile}"' in html
    assert AuditEntry.objects.get(action="field.revealed").note == "售后回访"
