"""A deal recorded as won when it is entered (the 360 page's form and the API offer 赢单 as the
first stage) makes its customer 成交客户 like a move to 赢单 does: at once for a manager, after
the manager's approval for a rep."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.models import Customer
from kehu.review.models import ReviewItem

pytestmark = pytest.mark.django_db


def _won(api: Any, customer: Customer) -> Any:
    return api.post(
        f"/api/v1/customers/{customer.customer_no}/opportunities",
        {"title": "现场签约", "stage": "won", "expected_amount": "80000"},
    )


def test_a_managers_deal_entered_as_won_makes_the_customer_won(
    api: Any, customer_factory: Any, manager: Any
) -> None:
    customer = customer_factory(name="当场签约机械有限公司", status="intent")
    created = _won(api.login(manager), customer)
    assert created.status_code == 201, created.content
    assert created.json()["stage"] == "won"
    customer.refresh_from_db()
    assert customer.status == Customer.Status.WON


def test_a_reps_deal_entered_as_won_waits_for_approval(
    client: Any, customer_factory: Any, rep: Any
) -> None:
    customer = customer_factory(name="当场签约电子有限公司", status="intent")
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/opportunities/new/",
        {"title": "现场签约", "expected_amount": "8万", "stage": "won"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == Customer.Status.INTENT
    assert ReviewItem.objects.filter(customer=customer, status=ReviewItem.Status.PENDING).exists()
