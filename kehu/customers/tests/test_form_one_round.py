"""The customer form shows every error in one round (issue 15, forms): a missing name does not
hide a bad credit code, date, phone, e-mail or amount behind a second submit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import User
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def errors_of(html: str) -> list[str]:
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    return [re.sub(r"<[^>]+>", " ", item).strip() for item in lists]


def test_every_error_shows_at_once(client: Client, rep: User) -> None:
    client.force_login(rep)
    response = client.post(
        "/customers/new/",
        {
            "name": "",
            "kind": "company",
            "credit_code": "123",
            "email": "bad@",
            "phone": "12",
            "status": "lead",
            "budget_amount": "abc",
            "first_contact_date": "2026-13-45",
        },
    )
    assert response.status_code == 422
    shown = " ".join(errors_of(response.content.decode()))
    for part in ("此字段必填", "统一社会信用代码", "日期", "电话号码", "电子邮箱", "金额"):
        assert part in shown, (part, shown)
    assert not Customer.objects.exists()


def test_a_valid_form_still_saves(client: Client, rep: User) -> None:
    client.force_login(rep)
    response = client.post(
        "/customers/new/",
        {
            "name": "一轮校验测试有限公司",
            "kind": "company",
            "status": "lead",
            "phone": "021-62345678",
        },
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    assert Customer.objects.filter(name="一轮校验测试有限公司").exists()


def test_the_quick_add_of_an_interaction_shows_every_error_at_once(
    client: Client, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/interactions/new/",
        {"method": "phone", "topic": "", "next_action": "跟进" * 200},
        headers={"HX-Request": "true"},
    )
    shown = " ".join(errors_of(response.content.decode()))
    assert "300" in shown  # the form's own length check on the next action
    for part in ("主题", "摘要", "客户反馈"):  # and the standard's rules, in the same round
        assert part in shown, (part, shown)
