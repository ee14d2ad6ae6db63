"""A won deal reaches support (issue 16): moving an opportunity to 赢单 makes its customer
成交客户 through the customers' write path — at once for a manager, after the manager's approval
for a rep — and that status change is what the shipped rule tells support about (support sees
only won customers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kehu.customers.models import Customer
from kehu.review.models import ReviewItem

pytestmark = pytest.mark.django_db


def _deal(api: Any, customer: Customer, title: str) -> int:
    created = api.post(
        f"/api/v1/customers/{customer.customer_no}/opportunities",
        {"title": title, "stage": "negotiation", "expected_amount": "80000"},
    )
    assert created.status_code == 201, created.content
    return int(created.json()["id"])


def _support_messages(api: Any, support: Any) -> list[str]:
    api.login(support)
    response = api.get("/api/v1/notifications")
    assert response.status_code == 200
    body = response.json()
    return [item["message"] for item in (body["items"] if isinstance(body, dict) else body)]


def test_a_managers_won_deal_makes_the_customer_won_and_tells_support(
    api: Any, customer_factory: Any, manager: Any, support: Any
) -> None:
    customer = customer_factory(name="赢单成交机械有限公司", status="intent")
    api.login(manager)
    moved = api.patch(f"/api/v1/opportunities/{_deal(api, customer, '产线改造')}", {"stage": "won"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["customer_won"] == "changed"
    customer.refresh_from_db()
    assert customer.status == Customer.Status.WON
    assert not _support_messages(api, support)  # nothing before the worker has run the rules
    call_command("workflow_tick", verbosity=0)
    assert [m for m in _support_messages(api, support) if "赢单成交机械有限公司" in m]


def test_a_reps_won_deal_waits_for_approval_then_tells_support(
    api: Any, customer_factory: Any, rep: Any, manager: Any, support: Any
) -> None:
    customer = customer_factory(name="待批成交电子有限公司", status="intent")
    api.login(rep)
    deal = _deal(api, customer, "年度框架合同")
    moved = api.patch(f"/api/v1/opportunities/{deal}", {"stage": "won"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "won"  # the deal is won at once
    assert moved.json()["customer_won"] == "held"
    customer.refresh_from_db()
    assert customer.status == Customer.Status.INTENT
    item = ReviewItem.objects.get(customer=customer, status=ReviewItem.Status.PENDING)
    call_command("workflow_tick", verbosity=0)
    assert not [m for m in _support_messages(api, support) if "待批成交电子" in m]

    api.login(manager)
    approved = api.post(f"/api/v1/review/{item.pk}/approve", {})
    assert approved.status_code == 200, approved.content
    customer.refresh_from_db()
    assert customer.status == Customer.Status.WON
    call_command("workflow_tick", verbosity=0)
    assert [m for m in _support_messages(api, support) if "待批成交电子有限公司" in m]


def test_a_deal_of_a_customer_already_won_leaves_the_status(
    api: Any, customer_factory: Any, rep: Any
) -> None:
    customer = customer_factory(name="老客户复购有限公司", status="won")
    api.login(rep)
    moved = api.patch(f"/api/v1/opportunities/{_deal(api, customer, '二期')}", {"stage": "won"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["customer_won"] == "already"
    assert not ReviewItem.objects.filter(customer=customer).exists()


def test_the_board_says_what_became_of_the_customer(
    client: Any, api: Any, customer_factory: Any, rep: Any
) -> None:
    customer = customer_factory(name="看板提示科技有限公司", status="intent")
    api.login(rep)
    deal = _deal(api, customer, "看板项目")
    client.force_login(rep)
    response = client.post(f"/opportunities/{deal}/stage/", {"stage": "won"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "看板提示科技有限公司成为成交客户需经理审批" in text.replace("，", "")
