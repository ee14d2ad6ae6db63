"""Opportunities and orders through the API: stages, order lines, order numbers, scope."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.opportunities.models import Opportunity, Order, OrderLine


def state() -> tuple[int, int, int, int]:
    return (
        Opportunity.objects.count(),
        Order.objects.count(),
        OrderLine.objects.count(),
        AuditEntry.objects.count(),
    )


def opportunities_url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.customer_no}/opportunities"


def orders_url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.customer_no}/orders"


# --- Opportunities


def test_create_opportunity_in_chinese(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    response = api.post(
        opportunities_url(customer),
        {
            "title": "二期产线自动化改造",
            "expected_amount": "50万",
            "stage": "方案报价",
            "expected_close_date": "2026年6月30日",
            "source": "表单",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer_no"] == customer.customer_no
    assert Decimal(body["expected_amount"]) == Decimal("500000")
    assert body["stage"] == "proposal"
    assert body["expected_close_date"] == "2026-06-30"
    assert body["source"] == "web_form"
    assert body["owner"] == "rep"
    entry = AuditEntry.objects.get(action="opportunity.created")
    assert entry.customer_id == customer.pk
    assert entry.changes["stage"] == [None, "proposal"]


def test_opportunity_errors_are_named(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    before = state()
    response = api.post(
        opportunities_url(customer),
        {"expected_amount": "-1", "stage": "做梦", "expected_close_date": "2026-02-30"},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "title",
        "expected_amount",
        "stage",
        "expected_close_date",
    }
    assert state() == before


def test_move_an_opportunity_along(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    created = api.post(opportunities_url(customer), {"title": "年度框架协议"}).json()
    assert created["stage"] == "initial_contact"
    response = api.patch(f"/api/v1/opportunities/{created['id']}", {"stage": "商务谈判"})
    assert response.status_code == 200
    assert response.json()["stage"] == "negotiation"
    # A move of stage is audited as such (issue 16), with the stage's before and after.
    entry = AuditEntry.objects.get(action="opportunity.stage_changed")
    assert entry.changes == {"stage": ["initial_contact", "negotiation"]}
    assert not AuditEntry.objects.filter(action="opportunity.updated").exists()
    listed = api.get(opportunities_url(customer)).json()["items"]
    assert [o["id"] for o in listed] == [created["id"]]
    assert api.delete(f"/api/v1/opportunities/{created['id']}").status_code == 204
    assert Opportunity.objects.count() == 0


def test_opportunities_outside_scope(api, rep, outsider, executive, customer_factory):
    customer = customer_factory()
    api.login(rep)
    opportunity_id = api.post(opportunities_url(customer), {"title": "商机"}).json()["id"]
    before = state()
    api.login(outsider)
    assert api.get(f"/api/v1/opportunities/{opportunity_id}").status_code == 404
    assert api.patch(f"/api/v1/opportunities/{opportunity_id}", {"title": "X"}).status_code == 404
    assert api.delete(f"/api/v1/opportunities/{opportunity_id}").status_code == 404
    assert api.post(opportunities_url(customer), {"title": "X"}).status_code == 404
    api.login(executive)
    assert api.get(f"/api/v1/opportunities/{opportunity_id}").status_code == 200
    assert api.patch(f"/api/v1/opportunities/{opportunity_id}", {"title": "X"}).status_code == 403
    assert api.post(opportunities_url(customer), {"title": "X"}).status_code == 403
    assert state() == before
    assert Opportunity.objects.get().title == "商机"


# --- Orders


def test_order_amount_is_the_sum_of_its_lines(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    response = api.post(
        orders_url(customer),
        {
            "signed_on": "2026年3月5日",
            "status": "已签订",
            "lines": [
                {"product": "数控机床保养", "quantity": "2", "unit_price": "1万"},
                {"product": "备件包", "amount": "5,000"},
                {"product": "培训", "quantity": 4, "amount": "6000"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"DD202603\d{4}", body["order_no"])
    assert Decimal(body["amount"]) == Decimal("31000")
    assert body["currency"] == "CNY"
    assert body["status"] == "signed"
    lines = body["lines"]
    assert [Decimal(line["amount"]) for line in lines] == [
        Decimal("20000"),
        Decimal("5000"),
        Decimal("6000"),
    ]
    assert Decimal(lines[2]["unit_price"]) == Decimal("1500")
    entry = AuditEntry.objects.get(action="order.created")
    assert entry.customer_id == customer.pk
    assert api.get(f"/api/v1/orders/{body['order_no']}").status_code == 200


def test_generated_order_numbers_follow_the_signing_month(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    numbers = [
        api.post(orders_url(customer), {"signed_on": day, "amount": "1000"}).json()["order_no"]
        for day in ("2026-03-05", "2026-03-20", "2026-04-01")
    ]
    assert numbers == ["DD2026030001", "DD2026030002", "DD2026040001"]


def test_amount_that_does_not_match_the_lines_is_named(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    before = state()
    response = api.post(
        orders_url(customer),
        {"amount": "9999", "lines": [{"product": "A", "quantity": 2, "unit_price": "100"}]},
    )
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]
    assert state() == before


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": 1, "unit_price": "100"}, "lines[0].product"),
        ({"product": "A"}, "lines[0].unit_price"),
        ({"product": "A", "quantity": 2, "unit_price": "100", "amount": "300"}, "lines[0].amount"),
        ({"product": "A", "unit_price": "-100"}, "lines[0].unit_price"),
        ({"product": "A", "quantity": "0", "amount": "100"}, "lines[0].quantity"),
        ({"product": "A", "amount": "100", "colour": "red"}, "lines[0].colour"),
        ({"product": "A", "quantity": "100亿", "unit_price": "1"}, "lines[0].quantity"),
        ({"product": "A", "quantity": "2", "unit_price": "9000亿"}, "lines[0].amount"),
    ],
)
def test_bad_order_lines_are_named(api, rep, customer_factory, line, field):
    customer = customer_factory()
    api.login(rep)
    before = state()
    response = api.post(orders_url(customer), {"lines": [line]})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert state() == before


def test_order_numbers_are_unique_and_immutable(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    first = api.post(orders_url(customer), {"order_no": "HT-2026-001", "amount": "1万"})
    assert first.status_code == 201
    before = state()
    clash = api.post(orders_url(customer), {"order_no": "HT-2026-001", "amount": "2万"})
    assert clash.status_code == 422
    assert "order_no" in clash.json()["errors"]
    renamed = api.patch("/api/v1/orders/HT-2026-001", {"order_no": "HT-2026-002"})
    assert renamed.status_code == 422
    assert "order_no" in renamed.json()["errors"]
    assert state() == before
    assert Order.objects.get().order_no == "HT-2026-001"


def test_generated_number_skips_one_entered_by_hand(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    manual = api.post(
        orders_url(customer),
        {"order_no": "DD2026030001", "signed_on": "2026-03-01", "amount": "100"},
    )
    assert manual.status_code == 201
    generated = api.post(orders_url(customer), {"signed_on": "2026-03-02", "amount": "100"})
    assert generated.status_code == 201, generated.content
    assert generated.json()["order_no"] == "DD2026030002"


def test_changing_the_lines_recomputes_the_amount(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    order_no = api.post(
        orders_url(customer), {"lines": [{"product": "A", "amount": "100"}]}
    ).json()["order_no"]
    response = api.patch(
        f"/api/v1/orders/{order_no}",
        {
            "status": "执行中",
            "lines": [{"product": "A", "amount": "100"}, {"product": "B", "amount": "50"}],
        },
    )
    assert response.status_code == 200, response.content
    assert Decimal(response.json()["amount"]) == Decimal("150")
    assert response.json()["status"] == "in_progress"
    assert OrderLine.objects.count() == 2
    entry = AuditEntry.objects.get(action="order.updated")
    assert entry.changes["amount"] == ["100.00", "150.00"]


def test_amount_alone_must_still_match_the_existing_lines(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    order_no = api.post(
        orders_url(customer), {"lines": [{"product": "A", "amount": "100"}]}
    ).json()["order_no"]
    before = state()
    response = api.patch(f"/api/v1/orders/{order_no}", {"amount": "999"})
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]
    assert state() == before
    assert Order.objects.get().amount == Decimal("100")


def test_orders_outside_scope(api, rep, outsider, support, customer_factory):
    customer = customer_factory(status="won")
    api.login(rep)
    order_no = api.post(orders_url(customer), {"amount": "100"}).json()["order_no"]
    before = state()
    api.login(outsider)
    assert api.get(f"/api/v1/orders/{order_no}").status_code == 404
    assert api.get(orders_url(customer)).status_code == 404
    assert api.patch(f"/api/v1/orders/{order_no}", {"notes": "X"}).status_code == 404
    assert api.delete(f"/api/v1/orders/{order_no}").status_code == 404
    api.login(support)
    assert api.get(f"/api/v1/orders/{order_no}").status_code == 200
    assert api.patch(f"/api/v1/orders/{order_no}", {"notes": "X"}).status_code == 403
    assert api.delete(f"/api/v1/orders/{order_no}").status_code == 403
    assert state() == before
    api.login(rep)
    assert api.delete(f"/api/v1/orders/{order_no}").status_code == 204
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["amount", "signed_on"])
def test_required_order_fields_cannot_be_blanked(api, rep, customer_factory, field):
    customer = customer_factory()
    api.login(rep)
    order_no = api.post(orders_url(customer), {"amount": "100"}).json()["order_no"]
    before = state()
    response = api.patch(f"/api/v1/orders/{order_no}", {field: ""})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert state() == before


def test_lines_adding_up_beyond_the_largest_amount_are_refused(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    before = state()
    line = {"product": "A", "amount": "6000亿"}
    response = api.post(orders_url(customer), {"lines": [line, line]})
    assert response.status_code == 422, response.content
    assert "amount" in response.json()["errors"]
    assert state() == before
