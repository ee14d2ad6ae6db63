"""Tags on the customer's 360 page: what the API applied and removed is what the page shows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db


def _tags_on_page(client: Any, customer: Any) -> list[str]:
    response = client.get(f"/customers/{customer.customer_no}/")
    assert response.status_code == 200
    return re.findall(r'<span class="tag">([^<]*)</span>', response.content.decode())


def test_the_360_page_shows_the_tags(api: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    library("重点客户")
    url = f"/api/v1/customers/{customer.customer_no}/tags"
    api.login(rep)
    assert _tags_on_page(api.client, customer) == ["暂无标签"]
    for tag in ("重点客户", "批量采购"):
        assert api.post(url, {"tag": tag}).status_code == 200
    assert sorted(_tags_on_page(api.client, customer)) == ["批量采购", "重点客户"]
    assert api.post(url, {"tag": "重点客户", "remove": True}).status_code == 200
    assert _tags_on_page(api.client, customer) == ["批量采购"]


def test_the_page_of_a_customer_out_of_scope_shows_no_tags(
    api: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    library("内部标签")
    api.login(rep).post(f"/api/v1/customers/{customer.customer_no}/tags", {"tag": "内部标签"})
    api.login(outsider)
    response = api.client.get(f"/customers/{customer.customer_no}/")
    assert response.status_code == 404
    assert "内部标签" not in response.content.decode()
