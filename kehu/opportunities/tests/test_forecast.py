"""The weighted forecast against a hand-computed fixture, stage probabilities, lost reasons and
the product catalogue through the API (issue 16)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kehu.audit.models import AuditEntry
from kehu.opportunities.models import LostReason, Product
from kehu.opportunities.services import opportunity_create

FORECAST = "/api/v1/opportunities/forecast"

# Default probabilities: 初步接洽 10, 需求确认 25, 方案报价 50, 商务谈判 75, 赢单 100, 输单 0.
#                     owner     amount   stage              close       weighted
ROWS = [
    ("A", "rep", "100000", "proposal", "2026-03-15"),  # 50,000
    ("B", "rep", "200000", "negotiation", "2026-03-28"),  # 150,000
    ("C", "rep", "40000", "initial_contact", "2026-04-02"),  # 4,000
    ("D", "rep2", "80000", "needs_confirmed", "2026-04-30"),  # 20,000
    ("E", "rep2", "60000", "won", "2026-03-01"),  # 60,000
    ("F", "rep2", "90000", "lost", "2026-03-05"),  # 0
    ("G", "rep", "500000", "proposal", None),  # no close date: not in the forecast
    ("H", "outsider", "30000", "proposal", "2026-04-10"),  # 15,000 (华南)
]


@pytest.fixture
def fixture_book(rep, rep2, outsider, customer_factory):
    users = {"rep": rep, "rep2": rep2, "outsider": outsider}
    customers = {u: customer_factory(name=f"{u}的客户有限公司", actor=users[u]) for u in users}
    for title, owner, amount, stage, close in ROWS:
        opportunity_create(
            actor=users[owner],
            customer=customers[owner],
            data={
                "title": title,
                "expected_amount": amount,
                "stage": stage,
                "expected_close_date": close,
            },
        )


def money(bucket, key="weighted"):
    return Decimal(bucket[key])


def test_forecast_by_month_rep_and_team(api, manager, fixture_book):
    api.login(manager)  # 华东: A-G
    body = api.get(FORECAST).json()
    months = {m["month"]: m for m in body["months"]}
    assert sorted(months) == ["2026-03", "2026-04"]
    assert money(months["2026-03"], "amount") == Decimal("450000")
    assert money(months["2026-03"]) == Decimal("260000")
    assert months["2026-03"]["count"] == 4
    assert money(months["2026-04"], "amount") == Decimal("120000")
    assert money(months["2026-04"]) == Decimal("24000")
    assert money(body["total"]) == Decimal("284000")
    reps = {r["key"]: r for r in body["reps"]}
    assert set(reps) == {"rep", "rep2"}
    assert reps["rep"]["label"] == "张销售" and reps["rep"]["team"] == "华东销售部"
    assert [money(m) for m in reps["rep"]["months"]] == [Decimal("200000"), Decimal("4000")]
    assert money(reps["rep"]["total"], "amount") == Decimal("340000")
    assert [money(m) for m in reps["rep2"]["months"]] == [Decimal("60000"), Decimal("20000")]
    assert [t["key"] for t in body["teams"]] == ["华东销售部"]
    assert body["probabilities"]["proposal"] == 50


def test_forecast_for_everyone_and_filtered(api, executive, fixture_book):
    api.login(executive)
    body = api.get(FORECAST).json()
    teams = {t["key"]: t for t in body["teams"]}
    assert money(teams["华南销售部"]["total"]) == Decimal("15000")
    assert money(body["total"]) == Decimal("299000")
    body = api.get(FORECAST, open="true", close_from="2026-04-01").json()
    assert money(body["total"]) == Decimal("39000")  # C 4,000 + D 20,000 + H 15,000
    assert api.get(FORECAST, close_from="不是日期").status_code == 422


def test_probabilities_are_editable_by_administrators(api, manager, admin_user, fixture_book):
    api.login(manager)
    before = AuditEntry.objects.count()
    assert (
        api.client.put(
            "/api/v1/stage-probabilities", {"proposal": 40}, content_type="application/json"
        ).status_code
        == 403
    )
    assert AuditEntry.objects.count() == before
    api.login(admin_user)
    response = api.client.put(
        "/api/v1/stage-probabilities", {"proposal": "40%"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert {r["stage"]: r["probability"] for r in response.json()}["proposal"] == 40
    entry = AuditEntry.objects.get(action="stage_probability.changed")
    assert entry.changes == {"proposal": [50, 40]}
    bad = api.client.put(
        "/api/v1/stage-probabilities", {"won": 101, "lost": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"won", "lost"}
    api.login(manager)
    months = {m["month"]: m for m in api.get(FORECAST).json()["months"]}
    assert money(months["2026-03"]) == Decimal("250000")  # A now 40,000


def test_support_sees_bands_only(api, support, rep, customer_factory):
    won = customer_factory(name="已成交有限公司", status="won")
    opportunity_create(
        actor=rep,
        customer=won,
        data={"title": "续约", "expected_amount": "123456", "expected_close_date": "2026-05-01"},
    )
    api.login(support)
    total = api.get(FORECAST).json()["total"]
    assert total["amount"] is None and total["weighted"] is None
    assert total["amount_band"] == "10-50万"


def test_lost_reasons_api(api, rep, admin_user):
    api.login(rep)
    names = [r["name"] for r in api.get("/api/v1/lost-reasons").json()]
    assert names[:2] == ["价格偏高", "选择了竞争对手"]
    assert api.post("/api/v1/lost-reasons", {"name": "X"}).status_code == 403
    api.login(admin_user)
    created = api.post("/api/v1/lost-reasons", {"name": "交付周期太长"})
    assert created.status_code == 201, created.content
    assert api.post("/api/v1/lost-reasons", {"name": "交付周期太长"}).status_code == 422
    reason_id = created.json()["id"]
    archived = api.patch(f"/api/v1/lost-reasons/{reason_id}", {"is_active": False})
    assert archived.json()["is_active"] is False
    assert "交付周期太长" not in [r["name"] for r in api.get("/api/v1/lost-reasons").json()]
    assert api.patch("/api/v1/lost-reasons/999999", {"name": "Y"}).status_code == 404
    assert AuditEntry.objects.filter(action="lost_reason.saved").count() == 2
    assert LostReason.objects.filter(name="交付周期太长", is_active=False).exists()


def test_products_feed_the_amount(api, rep, admin_user, customer_factory):
    api.login(admin_user)
    response = api.post(
        "/api/v1/products", {"name": "数控系统", "code": "CNC-1", "unit_price": "2万"}
    )
    assert response.status_code == 201, response.content
    api.post("/api/v1/products", {"name": "年度维保", "code": "SVC", "unit_price": "5000"})
    assert api.post("/api/v1/products", {"name": "重复", "code": "SVC"}).status_code == 422
    customer = customer_factory()
    api.login(rep)
    assert (
        api.post("/api/v1/products", {"name": "X", "code": "X", "unit_price": 1}).status_code == 403
    )
    created = api.post(
        f"/api/v1/customers/{customer.customer_no}/opportunities",
        {
            "title": "产线改造",
            "lines": [
                {"product": "CNC-1", "quantity": 3},
                {"product": "SVC", "quantity": "2", "unit_price": "4500"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    assert Decimal(created.json()["expected_amount"]) == Decimal("69000")
    detail = api.get(f"/api/v1/opportunities/{created.json()['id']}").json()
    assert [(line["product_name"], Decimal(line["amount"])) for line in detail["lines"]] == [
        ("数控系统", Decimal("60000")),
        ("年度维保", Decimal("9000")),
    ]
    bad = api.patch(f"/api/v1/opportunities/{detail['id']}", {"lines": [{"product": "NONE"}]})
    assert bad.status_code == 422 and "lines[0].product" in bad.json()["errors"]
    won = api.patch(
        f"/api/v1/opportunities/{detail['id']}", {"stage": "won", "create_order": True}
    ).json()
    order = api.get(f"/api/v1/orders/{won['won_order_no']}").json()
    assert Decimal(order["amount"]) == Decimal("69000")
    assert [line["product"] for line in order["lines"]] == ["数控系统", "年度维保"]
    assert Product.objects.count() == 2
