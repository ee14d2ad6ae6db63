"""A contact is added once: the same mobile or e-mail on one customer, or the same name with
nothing to tell two people apart, is refused by field, through the API and the page, and nothing
is written. Another person of the same name, with their own mobile, is added."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.audit.models import AuditEntry
from kehu.customers.models import Contact, Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(customer_factory: Any) -> Any:
    return customer_factory(
        name="联系人去重测试有限公司",
        decision_maker={"name": "李雷", "title": "经理", "mobile": "13900139101"},
    )


def _url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.customer_no}/contacts"


def test_the_same_mobile_or_e_mail_is_refused_by_field(
    api: Any, rep: Any, customer: Customer
) -> None:
    api.login(rep)
    before = (Contact.objects.count(), AuditEntry.objects.count())
    response = api.post(_url(customer), {"name": "李雷", "mobile": "139-0013-9101"})
    assert response.status_code == 422, response.content
    assert response.json()["errors"]["mobile"] == ["该客户的联系人“李雷”已使用这个手机。"]
    assert api.post(_url(customer), {"name": "韩梅", "email": "han@lianxi.cn"}).status_code == 201
    response = api.post(_url(customer), {"name": "韩梅梅", "email": "HAN@lianxi.cn"})
    assert response.status_code == 422 and "韩梅" in response.json()["errors"]["email"][0]
    assert (Contact.objects.count(), AuditEntry.objects.count()) == (before[0] + 1, before[1] + 1)


def test_the_same_name_needs_something_to_tell_them_apart(
    api: Any, rep: Any, customer: Customer
) -> None:
    api.login(rep)
    response = api.post(_url(customer), {"name": "李雷", "title": "采购"})
    assert response.status_code == 422 and "李雷" in response.json()["errors"]["name"][0]
    response = api.post(_url(customer), {"name": "李雷", "mobile": "13900139102"})
    assert response.status_code == 201, response.content  # another 李雷, with their own mobile
    assert Contact.objects.filter(customer=customer, name="李雷").count() == 2


def test_the_page_shows_the_refusal_on_the_form(client: Any, rep: Any, customer: Customer) -> None:
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/contacts/new/",
        {"name": "李雷", "mobile": "13900139101"},
    )
    assert response.status_code == 422
    assert "该客户的联系人“李雷”已使用这个手机。" in response.content.decode()
    assert Contact.objects.filter(customer=customer).count() == 1
