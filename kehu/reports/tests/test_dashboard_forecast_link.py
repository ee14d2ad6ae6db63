"""The dashboard's weighted forecast links to a forecast that adds up to the same figure: the
open stages (and, for a rep, their own opportunities), not the won and lost ones too."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kehu.opportunities.services import opportunity_create

pytestmark = pytest.mark.django_db


def _weighted_item(api, user):
    body = api.login(user).get("/api/v1/dashboard").json()
    items = {i["key"]: i for t in body["tiles"] for i in t["items"]}
    return items.get("weighted_forecast") or items["weighted"]


@pytest.fixture
def book(customer_factory, rep, rep2, manager):
    mine = customer_factory(name="开放贸易有限公司")
    theirs = customer_factory(actor=rep2, name="李氏贸易有限公司")
    for actor, customer, stage, amount in (
        (rep, mine, "proposal", 100000),  # 50,000 weighted
        (manager, mine, "won", 40000),  # closed: not in the open pipeline
        (manager, mine, "lost", 70000),
        (rep2, theirs, "initial_contact", 50000),  # 5,000 weighted, the team's
    ):
        data = {
            "title": f"{stage}项目",
            "stage": stage,
            "expected_amount": amount,
            "expected_close_date": "2026-12-15",
        }
        if stage == "lost":
            data["lost_reason"] = "价格偏高"
        opportunity_create(actor=actor, customer=customer, data=data)


@pytest.mark.parametrize(
    ("who", "expected"), [("rep", "50000"), ("manager", "55000"), ("executive", "55000")]
)
def test_weighted_forecast_link_adds_up_to_the_tile(api, client, book, request, who, expected):
    user = request.getfixturevalue(who)
    item = _weighted_item(api, user)
    assert Decimal(str(item["value"])) == Decimal(expected)
    client.force_login(user)
    page = client.get(item["link"])
    assert page.status_code == 200
    assert page.context["forecast"]["total"]["weighted"] == Decimal(expected)
