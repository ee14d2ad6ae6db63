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
