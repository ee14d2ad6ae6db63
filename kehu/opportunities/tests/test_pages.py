"""The pipeline pages (issue 16): board, list, opportunity page, stage form, forecast, settings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kehu.audit.models import AuditEntry
from kehu.opportunities.models import LostReason, Opportunity, OpportunityStageChange, Product
from kehu.opportunities.services import opportunity_create


@pytest.fixture
def deal(rep, customer_factory):
    customer = customer_factory(name="华东精密机械有限公司")
    return opportunity_create(
        actor=rep,
        customer=customer,
        data={
            "title": "产线改造",
            "expected_amount": "200000",
            "stage": "proposal",
            "expected_close_date": "2026-05-20",
        },
    )


def test_board_shows_cards_by_stage_with_names(client, rep, deal):
    client.force_login(rep)
    page = client.get("/opportunities/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-stage="proposal"' in html and "产线改造" in html
    assert "华东精密机械有限公司" in html and "张销售" in html
    assert f"/opportunities/{deal.pk}/" in html and "Sortable.min.js" in html
    assert 'id="nav-opportunities"' in html


def test_board_hides_what_the_user_may_not_see(client, outsider, deal):
    client.force_login(outsider)
    assert "产线改造" not in client.get("/opportunities/").content.decode()
    assert "产线改造" not in client.get("/opportunities/?view=list").content.decode()
    assert client.get(f"/opportunities/{deal.pk}/").status_code == 404
    assert client.post(f"/opportunities/{deal.pk}/stage/", {"stage": "won"}).status_code == 404
    assert Opportunity.objects.get().stage == "proposal"


def test_list_filters_and_sorts(client, manager, deal, customer_factory, rep):
    other = customer_factory(name="另一家有限公司")
    opportunity_create(actor=rep, customer=other, data={"title": "小单", "stage": "lost"})
    client.force_login(manager)
    html = client.get("/opportunities/?view=list&stage=proposal&order=-expected_amount").content
    assert "产线改造" in html.decode() and "小单" not in html.decode()
    bad = client.get("/opportunities/?view=list&close_from=2026-02-30")
    assert bad.status_code == 200 and "小单" in bad.content.decode()  # shown unfiltered


def test_stage_menu_moves_a_card_htmx(client, rep, deal):
    client.force_login(rep)
    response = client.post(
        f"/opportunities/{deal.pk}/stage/", {"stage": "negotiation"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-stage="negotiation"' in response.content.decode()
    assert OpportunityStageChange.objects.filter(to_stage="negotiation").count() == 1


def test_lost_without_a_reason_asks_for_one(client, rep, deal):
    client.force_login(rep)
    before = AuditEntry.objects.count()
    response = client.post(f"/opportunities/{deal.pk}/stage/", {"stage": "lost"})
    assert response.status_code == 422
    assert 'id="change-stage-reason"' in response.content.decode()
    assert AuditEntry.objects.count() == before
    reason = LostReason.objects.get(name="预算不足")
    response = client.post(
        f"/opportunities/{deal.pk}/stage/", {"stage": "lost", "lost_reason": reason.name}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "预算不足" in page and 'id="stage-history"' in page


def test_won_from_the_page_creates_the_order(client, rep, deal):
    client.force_login(rep)
    response = client.post(
        f"/opportunities/{deal.pk}/stage/",
        {"stage": "won", "won_amount": "18万", "create_order": "1"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == "won" and deal.expected_amount == Decimal("180000")
    assert deal.won_order is not None and deal.won_order.amount == Decimal("180000")
    page = client.get(f"/opportunities/{deal.pk}/").content.decode()
    assert deal.won_order.order_no in page


def test_a_reader_sees_the_page_but_no_forms(client, executive, deal):
    client.force_login(executive)
    page = client.get(f"/opportunities/{deal.pk}/")
    assert page.status_code == 200
    assert "change-stage-form" not in page.content.decode()
    assert client.post(f"/opportunities/{deal.pk}/stage/", {"stage": "won"}).status_code == 403


def test_products_on_the_page(client, rep, admin_user, deal):
    client.force_login(admin_user)
    response = client.post(
        "/settings/pipeline/products/", {"code": "CNC", "name": "数控系统", "unit_price": "5万"}
    )
    assert response.status_code == 302
    client.force_login(rep)
    response = client.post(f"/opportunities/{deal.pk}/lines/", {"product": "CNC", "quantity": "3"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.expected_amount == Decimal("150000")
    page = client.get(f"/opportunities/{deal.pk}/").content.decode()
    assert "数控系统" in page
    client.post(f"/opportunities/{deal.pk}/lines/", {"remove": "0"})
    assert deal.lines.count() == 0


def test_forecast_page(client, manager, deal):
    client.force_login(manager)
    page = client.get("/opportunities/forecast/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-05" in html and "张销售" in html and "¥100,000" in html


def test_settings_are_for_administrators(client, rep, admin_user):
    client.force_login(rep)
    assert client.get("/settings/pipeline/").status_code == 403
    assert client.post("/settings/pipeline/lost-reasons/", {"name": "X"}).status_code == 403
    client.force_login(admin_user)
    assert client.get("/settings/pipeline/").status_code == 200
    assert client.post("/settings/pipeline/lost-reasons/", {"name": "交期太长"}).status_code == 302
    assert LostReason.objects.filter(name="交期太长").exists()
    response = client.post("/settings/pipeline/probabilities/", {"proposal": "45"})
    assert response.status_code == 302
    assert client.post("/settings/pipeline/probabilities/", {"won": "200"}).status_code == 422
    assert client.post("/settings/pipeline/products/", {"code": ""}).status_code == 422
    assert Product.objects.count() == 0


def test_customer_page_links_to_the_opportunity(client, rep, deal):
    client.force_login(rep)
    page = client.get(f"/customers/{deal.customer.customer_no}/").content.decode()
    assert f"/opportunities/{deal.pk}/" in page
