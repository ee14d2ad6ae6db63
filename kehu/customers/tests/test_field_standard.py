"""The field standard for customers (issue 15): a company known by an abbreviation (腾讯 for
深圳市腾讯计算机系统有限公司) is 待补全 with "use the registered full name", shown on the 360
page and asked for by 去补全; individuals are exempt; the standard's own list words (零售业)
are accepted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import User
from kehu.core.normalize import is_registered_full_name
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db
MAKER = {"name": "王建国", "title": "总经理", "mobile": "13900002222"}


@pytest.mark.parametrize(
    ("name", "full"),
    [
        ("深圳市腾讯计算机系统有限公司", True),
        ("华为技术有限公司", True),
        ("北京大学", True),
        ("上海市第一人民医院", True),
        ("北京金杜律师事务所", True),
        ("某某投资合伙企业（有限合伙）", True),
        ("杭州西湖区张记面馆", True),
        ("Shenzhen Huaxin Software Co., Ltd.", True),
        ("腾讯", False),
        ("腾讯公司", False),
        ("阿里巴巴", False),
        ("某某厂", False),
        ("Tencent", False),
    ],
)
def test_what_reads_as_a_registered_full_name(name: str, full: bool) -> None:
    assert is_registered_full_name(name) is full


def test_an_abbreviated_company_name_is_incomplete_until_the_full_name_is_given(
    api: Any, client: Client, rep: User, manager: User
) -> None:
    created = api.login(rep).post(
        "/api/v1/customers",
        {"name": "腾讯", "industry": "零售业", "source": "官网", "decision_maker": MAKER},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    customer = Customer.objects.get(customer_no=body["customer_no"])
    assert customer.industry is not None and customer.industry.name == "批发和零售业"
    assert customer.source is not None and customer.source.name == "官网注册"
    assert "full_name" in customer.missing_fields
    assert customer.quality == Customer.Quality.INCOMPLETE

    client.force_login(rep)
    client.cookies["django_language"] = "en"
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "use the registered full name" in page
    form = client.get(f"/customers/{customer.customer_no}/edit/?only=missing").content.decode()
    assert 'id="id_name"' in form and 'type="hidden" name="name"' not in form
    assert "Use the registered full name, as on the business licence." in form

    fixed = api.patch(
        f"/api/v1/customers/{customer.customer_no}", {"name": "深圳市腾讯计算机系统有限公司"}
    )
    # The name is a key field: a rep's change waits for the manager, as any rename does.
    assert fixed.status_code == 202, fixed.content
    approved = api.login(manager).post(f"/api/v1/review/{fixed.json()['pending_id']}/approve", {})
    assert approved.status_code == 200, approved.content
    customer.refresh_from_db()
    assert customer.name == "深圳市腾讯计算机系统有限公司"
    assert "full_name" not in customer.missing_fields


def test_individuals_are_exempt(api: Any, rep: User) -> None:
    created = api.login(rep).post(
        "/api/v1/customers", {"kind": "individual", "name": "张三", "mobile": "13900003333"}
    )
    assert created.status_code == 201, created.content
    customer = Customer.objects.get(customer_no=created.json()["customer_no"])
    assert "full_name" not in customer.missing_fields
