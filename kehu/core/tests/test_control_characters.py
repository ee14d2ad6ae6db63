"""A NUL or another control character in a page's query string or form never reaches the
database (PostgreSQL refuses NUL in text: `/customers/?q=%00` answered 500 there)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/customers/?q=%00%E6%8E%A7%E5%88%B6",
        "/customers/?industry=%00",
        "/search/?q=%E6%8E%A7%00%E5%88%B6",
        "/pool/?q=%00",
        "/audit/?actor=%00admin",
    ],
)
def test_pages_read_queries_without_control_characters(
    client: Any, admin_user: Any, customer_factory: Any, url: str
) -> None:
    customer_factory(name="控制字符页面测试有限公司")
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code in (200, 422), (url, response.status_code)


def test_search_page_finds_through_a_nul(client: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(name="控制字符页面测试有限公司")
    client.force_login(rep)
    page = client.get("/search/?q=%E6%8E%A7%E5%88%B6%00%E5%AD%97%E7%AC%A6")
    assert page.status_code == 200
    assert customer.customer_no in page.content.decode()


def test_a_form_post_is_read_without_control_characters(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="表单控制字符测试有限公司")
    client.force_login(rep)
    form = client.get(f"/customers/{customer.customer_no}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"address": "中山路\u00001号", "notes": "备注\u0007"})
    url = f"/customers/{customer.customer_no}/edit/"
    # A multipart form is left to the form: Django's fields refuse a NUL, naming the field.
    refused = client.post(url, data)
    assert refused.status_code == 422 and "address" in refused.context["form"].errors
    # A browser's ordinary form (urlencoded) is read without the control characters.
    response = client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302, response.status_code
    customer.refresh_from_db()
    assert (customer.address, customer.notes) == ("中山路1号", "备注")
