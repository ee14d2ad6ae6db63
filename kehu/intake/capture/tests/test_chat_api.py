"""POST /api/v1/capture/chat: a draft card; with commit an opportunity, tags and a WeChat note."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from kehu.interactions.models import Interaction
from kehu.opportunities.models import Opportunity
from kehu.tags.selectors import tag_names_for

pytestmark = pytest.mark.django_db
TEXT = "我们需要采购200台设备,预算大概50万,下个月定"


@time_machine.travel("2026-05-14 10:00 +0800", tick=False)
def test_draft_is_not_saved(api: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    response = api.login(rep).post(
        "/api/v1/capture/chat", {"text": TEXT, "customer_no": customer.customer_no}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["quantity"] == 200 and body["unit"] == "台" and body["product"] == "设备"
    assert body["budget_amount"] == 500000 and body["time_frame"] == "2026-06-30"
    assert body["tags"] == ["批量采购"]
    assert Opportunity.objects.count() == 0 and Interaction.objects.count() == 0


@time_machine.travel("2026-05-14 10:00 +0800", tick=False)
def test_commit_creates_opportunity_tags_and_wechat_interaction(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    response = api.login(rep).post(
        "/api/v1/capture/chat",
        {"text": TEXT, "customer_no": customer.customer_no, "commit": True},
    )
    assert response.status_code == 200, response.content
    opportunity = Opportunity.objects.get(pk=response.json()["opportunity_id"])
    assert opportunity.source == Opportunity.Origin.CHAT_CAPTURE
    assert opportunity.expected_amount == 500000
    assert str(opportunity.expected_close_date) == "2026-06-30"
    interaction = Interaction.objects.get(pk=response.json()["interaction_id"])
    assert interaction.method == "wechat" and interaction.summary == TEXT
    assert f"#{opportunity.pk}" in interaction.topic
    assert tag_names_for(customer) == ["批量采购"]
    tags = api.get(f"/api/v1/customers/{customer.customer_no}/tags").json()
    assert tags["tags"] == ["批量采购"]


def test_commit_needs_write_access(api: Any, outsider: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    response = api.login(outsider).post(
        "/api/v1/capture/chat",
        {"text": TEXT, "customer_no": customer.customer_no, "commit": True},
    )
    assert response.status_code == 404
    assert Opportunity.objects.count() == 0


# Issue 14 item 8: the four messages that were misread, and a range through the API.
REPORTED = [
    ("需要1,500件防护服", 1500, "件", "防护服", None),
    ("总预算约2百万", None, "", "", 2000000),
    ("预算5万5", None, "", "", 55000),
    ("预计采购金额：￥380,000；数量：120 台", 120, "台", "", 380000),
]


@pytest.mark.parametrize("text,quantity,unit,product,budget", REPORTED)
def test_reported_messages_are_read_right(
    api: Any, rep: Any, text: str, quantity: Any, unit: str, product: str, budget: Any
) -> None:
    response = api.login(rep).post("/api/v1/capture/chat", {"text": text})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["quantity"], body["unit"], body["product"]) == (quantity, unit, product)
    assert body["budget_amount"] == budget
    assert body["quantity_max"] is None


def test_a_quantity_range_takes_the_lower_bound_and_shows_the_upper(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    response = api.login(rep).post(
        "/api/v1/capture/chat",
        {"text": "需要20-30台笔记本，预算每台不超过5000", "customer_no": customer.customer_no},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["quantity"], body["quantity_max"], body["unit"]) == (20, 30, "台")
    assert body["product"] == "笔记本" and body["budget_amount"] is None  # a unit price
    assert Opportunity.objects.count() == 0
