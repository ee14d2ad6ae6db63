"""GET /api/v1/opportunities: the pipeline list, scoped, filtered, sorted, paged (issue 16)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kehu.opportunities.services import opportunity_create

LIST = "/api/v1/opportunities"


@pytest.fixture
def book(rep, rep2, outsider, customer_factory):
    """Three opportunities of the rep, one of a teammate, one of another team."""
    mine = customer_factory(name="甲方制造有限公司")
    theirs = customer_factory(name="乙方贸易有限公司", actor=rep2)
    far = customer_factory(name="华南远方有限公司", actor=outsider)
    made = {}
    for key, customer, actor, data in (
        (
            "a",
            mine,
            rep,
            {
                "title": "一期",
                "expected_amount": "10000",
                "expected_close_date": "2026-03-10",
                "stage": "proposal",
            },
        ),
        (
            "b",
            mine,
            rep,
            {"title": "二期", "expected_amount": "300000", "expected_close_date": "2026-04-20"},
        ),
        (
            "c",
            mine,
            rep,
            {
                "title": "三期",
                "expected_amount": "80000",
                "stage": "won",
                "expected_close_date": "2026-02-01",
            },
        ),
        ("d", theirs, rep2, {"title": "队友的", "expected_amount": "50000"}),
        ("e", far, outsider, {"title": "远方的", "expected_amount": "70000"}),
    ):
        made[key] = opportunity_create(actor=actor, customer=customer, data=data)
    return made


def titles(response):
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_each_role_sees_its_scope(api, rep, manager, outsider, executive, book):
    api.login(rep)
    assert sorted(titles(api.get(LIST))) == ["一期", "三期", "二期"]
    api.login(manager)
    assert sorted(titles(api.get(LIST))) == ["一期", "三期", "二期", "队友的"]
    api.login(outsider)
    assert titles(api.get(LIST)) == ["远方的"]
    api.login(executive)
    body = api.get(LIST).json()
    assert body["total"] == 5 and body["total_is_capped"] is False
    item = next(i for i in body["items"] if i["title"] == "远方的")
    assert item["customer_name"] == "华南远方有限公司"
    assert item["owner_name"] == "赵销售"
    assert item["team"] == "华南销售部"


def test_filters(api, manager, book):
    api.login(manager)
    assert titles(api.get(LIST, stage=["proposal", "赢单"], order="stage")) == ["一期", "三期"]
    assert titles(api.get(LIST, stage="proposal,won", order="stage")) == ["一期", "三期"]
    assert sorted(titles(api.get(LIST, owner="rep2"))) == ["队友的"]
    assert sorted(titles(api.get(LIST, owner="张销售", open="true"))) == ["一期", "二期"]
    assert len(titles(api.get(LIST, team="华东销售部"))) == 4
    assert titles(api.get(LIST, team="华南销售部")) == []
    customer_no = book["d"].customer.customer_no
    assert titles(api.get(LIST, customer_no=customer_no)) == ["队友的"]
    assert titles(
        api.get(
            LIST, close_from="2026-03-01", close_to="2026年4月20日", order="expected_close_date"
        )
    ) == ["一期", "二期"]
    assert titles(
        api.get(LIST, amount_min="5万", amount_max="100000", order="-expected_amount")
    ) == [
        "三期",
        "队友的",
    ]


def test_bad_filters_are_named(api, rep, book):
    api.login(rep)
    response = api.get(LIST, stage="做梦", close_from="2026-02-30", amount_min="很多", order="x")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"stage", "close_from", "amount_min", "order"}


def test_sorted_cursor_pages(api, manager, book):
    api.login(manager)
    seen, cursor = [], None
    while True:
        params = {"order": "expected_close_date", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = api.get(LIST, **params).json()
        seen += [item["title"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    # Dates in order, then those without a date (newest id first is not promised; by id).
    assert seen[:3] == ["三期", "一期", "二期"]
    assert sorted(seen[3:]) == ["队友的"]


def test_support_sees_bands_and_cannot_sort_by_amount(api, support, rep, customer_factory):
    won = customer_factory(name="已成交有限公司", status="won")
    opportunity_create(actor=rep, customer=won, data={"title": "续约", "expected_amount": "123456"})
    api.login(support)
    body = api.get(LIST).json()
    assert [i["title"] for i in body["items"]] == ["续约"]
    assert body["items"][0]["expected_amount"] is None
    assert body["items"][0]["expected_amount_band"] == "10-50万"
    # An exact bound reads as its band: 123457 is still "from the 10-50万 band up".
    assert titles(api.get(LIST, amount_min="123457")) == ["续约"]
    assert titles(api.get(LIST, amount_min="500000")) == []
    assert api.get(LIST, order="-expected_amount").status_code == 422


def test_amounts_are_decimals(api, rep, book):
    api.login(rep)
    items = api.get(LIST, order="-expected_amount").json()["items"]
    assert [Decimal(i["expected_amount"]) for i in items] == [
        Decimal("300000"),
        Decimal("80000"),
        Decimal("10000"),
    ]
