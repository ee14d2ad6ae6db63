"""Sharing, the team pool, masking, reveal and finance fields, through the API and pages."""

from __future__ import annotations

import re

from kehu.accounts.models import Role
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.customers.models import CustomerShare


def test_owner_shares_customer_and_rep_sees_it_masked(api, customer_factory, rep, rep2):
    customer = customer_factory(name="共享测试有限公司", phone="13912345678")
    assert api.login(rep2).get(f"/api/v1/customers/{customer.customer_no}").status_code == 404
    response = api.login(rep).post(
        f"/api/v1/customers/{customer.customer_no}/shares", {"user": "rep2"}
    )
    assert response.status_code == 201
    body = api.login(rep2).get(f"/api/v1/customers/{customer.customer_no}").json()
    assert body["phone"] == "139****5678"
    assert "*" in body["decision_maker"]["mobile"]
    listed = api.get("/api/v1/customers").json()["items"]
    assert [c["customer_no"] for c in listed] == [customer.customer_no]
    # Shares are read only.
    response = api.patch(f"/api/v1/customers/{customer.customer_no}", {"notes": "x"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.notes == ""


def test_shared_rep_cannot_share_further(api, customer_factory, rep, rep2, outsider):
    customer = customer_factory()
    CustomerShare.objects.create(customer=customer, user=rep2)
    before = AuditEntry.objects.count()
    response = api.login(rep2).post(
        f"/api/v1/customers/{customer.customer_no}/shares", {"user": "outsider"}
    )
    assert response.status_code == 403
    assert not CustomerShare.objects.filter(user=outsider).exists()
    assert AuditEntry.objects.count() == before


def test_marketing_assigns_lead_to_team_pool_visible_to_team_reps(
    api, customer_factory, admin_user, marketing, rep2, outsider, team_east
):
    lead = customer_factory(actor=admin_user, name="线索池客户有限公司")
    assert lead.owner_id is None
    response = api.login(marketing).post(
        f"/api/v1/customers/{lead.customer_no}/pool", {"team": team_east.name}
    )
    assert response.status_code == 200, response.content
    assert api.login(rep2).get(f"/api/v1/customers/{lead.customer_no}").status_code == 200
    assert api.login(outsider).get(f"/api/v1/customers/{lead.customer_no}").status_code == 404
    assert AuditEntry.objects.filter(action="customer.pooled").count() == 1


def test_marketing_cannot_pool_an_owned_customer(api, customer_factory, marketing, team_south):
    customer = customer_factory()  # owned by rep
    response = api.login(marketing).post(
        f"/api/v1/customers/{customer.customer_no}/pool", {"team": team_south.name}
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.owner_id is not None and customer.team.name == "华东销售部"


def test_owner_and_manager_see_whole_numbers_others_masked(
    api, customer_factory, rep, manager, executive
):
    customer = customer_factory(phone="13912345678", email="wang@example.com")
    url = f"/api/v1/customers/{customer.customer_no}"
    for user in (rep, manager):
        body = api.login(user).get(url).json()
        assert body["phone"] == "+8613912345678" and body["email"] == "wang@example.com"
    body = api.login(executive).get(url).json()
    assert body["phone"] == "139****5678" and body["email"] == "w***@example.com"
    mobiles = [c["mobile"] for c in api.get(f"{url}/contacts").json()["items"]]
    assert mobiles and all(re.fullmatch(r"1\d\d\*{4}\d{4}", m) for m in mobiles), mobiles


def test_reveal_needs_grant_and_is_audited(api, customer_factory, executive):
    customer = customer_factory(phone="13912345678")
    url = f"/api/v1/customers/{customer.customer_no}/reveal"
    before = AuditEntry.objects.count()
    assert api.login(executive).post(url, {"field": "phone"}).status_code == 403
    assert AuditEntry.objects.count() == before
    executive.can_reveal_pii = True
    executive.save()
    response = api.post(url, {"field": "phone"})
    assert response.json() == {"field": "phone", "value": "+8613912345678"}
    entry = AuditEntry.objects.get(action="field.revealed")
    assert entry.actor == executive and entry.customer_id == customer.pk


def test_360_page_masks_and_reveal_button_shows_value(client, customer_factory, executive):
    customer = customer_factory(phone="13912345678")
    executive.can_reveal_pii = True
    executive.save()
    client.force_login(executive)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page.replace(" ", "")
    response = client.post(f"/customers/{customer.customer_no}/reveal/?field=phone")
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    assert AuditEntry.objects.filter(action="field.revealed").count() == 1


def test_support_sees_amounts_only_as_bands(api, customer_factory, rep, manager, support):
    customer = customer_factory(budget_amount="300000")
    api.login(manager).post(
        f"/api/v1/customers/{customer.customer_no}/status",
        {"status": "won", "reason": "签约"},
    )
    api.login(rep).post(f"/api/v1/customers/{customer.customer_no}/orders", {"amount": "120000"})
    body = api.login(support).get(f"/api/v1/customers/{customer.customer_no}").json()
    assert body["budget_amount"] is None and body["budget_amount_band"] == "10-50万"
    orders = api.get(f"/api/v1/customers/{customer.customer_no}/orders").json()["items"]
    assert orders[0]["amount"] is None and orders[0]["amount_band"] == "10-50万"
    page = api.client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "10-50万" in page and "300,000" not in page and "120,000" not in page


def test_finance_fields_editable_only_when_granted(api, customer_factory, team_east):
    steward = make_user("steward", Role.STEWARD, None)
    customer = customer_factory(budget_amount="1000")
    url = f"/api/v1/customers/{customer.customer_no}"
    before = AuditEntry.objects.count()
    assert api.login(steward).patch(url, {"budget_amount": "2000"}).status_code == 403
    customer.refresh_from_db()
    assert customer.budget_amount == 1000 and AuditEntry.objects.count() == before
    steward.can_edit_finance = True
    steward.save()
    assert api.patch(url, {"budget_amount": "2000"}).status_code == 200
