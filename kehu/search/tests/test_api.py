"""The typeahead API, the search page and the locale check."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import connection

from kehu.conftest import next_mobile
from kehu.core import checks
from kehu.customers.services import contact_create

pytestmark = pytest.mark.django_db


def test_api_groups_and_counts(api: Any, rep: Any, company: Any) -> None:
    response = api.login(rep).get("/api/v1/search", q="腾讯")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["total_label"] == "1"
    (group,) = body["groups"]
    assert group["kind"] == "customer"
    assert group["hits"][0]["customer_no"] == company.customer_no
    assert group["hits"][0]["url"] == f"/customers/{company.customer_no}/"
    assert group["hits"][0]["match"] == "prefix"


def test_api_scoped_for_outsider(api: Any, outsider: Any, company: Any) -> None:
    body = api.login(outsider).get("/api/v1/search", q="腾讯").json()
    assert body == {
        "query": "腾讯",
        "total": 0,
        "total_label": "0",
        "is_capped": False,
        "index_catching_up": None,  # no bulk import's index is behind
        "groups": [],
    }


def test_api_needs_login(api: Any, company: Any) -> None:
    assert api.get("/api/v1/search", q="腾讯").status_code == 401


def test_api_rejects_bad_parameters(api: Any, rep: Any) -> None:
    api.login(rep)
    for params, field in (({"limit": 0}, "limit"), ({"kind": "order"}, "kind")):
        response = api.get("/api/v1/search", q="a", **params)
        assert response.status_code == 422
        assert field in response.content.decode(), (params, response.content)


def test_api_kind_filter(api: Any, rep: Any, company: Any) -> None:
    """腾 finds the customer (腾讯) and a contact (腾飞): the filter keeps the one kind asked for."""
    contact_create(actor=rep, customer=company, data={"name": "腾飞", "mobile": next_mobile()})
    api.login(rep)
    both = api.get("/api/v1/search", q="腾").json()
    assert {g["kind"] for g in both["groups"]} == {"customer", "contact"}
    body = api.get("/api/v1/search", q="腾", kind="contact").json()
    (group,) = body["groups"]
    assert group["kind"] == "contact"
    assert [hit["title"] for hit in group["hits"]] == ["腾飞"]
    assert body["total"] == 1


def test_page_and_typeahead_partial(client: Any, rep: Any, company: Any) -> None:
    client.force_login(rep)
    page = client.get("/search/", {"q": "txkj"})
    assert page.status_code == 200
    assert "深圳市腾讯科技有限公司" in page.content.decode()
    partial = client.get("/search/", {"q": "txkj"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "深圳市腾讯科技有限公司" in partial.content.decode()


def test_page_needs_login(client: Any) -> None:
    assert client.get("/search/").status_code == 302


def test_check_warns_when_ctype_is_not_utf8() -> None:
    cursor = mock.MagicMock()
    cursor.__enter__.return_value.fetchone.return_value = ["C"]
    with (
        mock.patch.object(checks, "connection") as fake,
    ):
        fake.vendor = "postgresql"
        fake.cursor.return_value = cursor
        warnings = checks.check_postgres_ctype(databases=["default"])
    assert [w.id for w in warnings] == ["kehu.W001"]
    assert "'C'" in warnings[0].msg


def test_check_quiet_on_this_database() -> None:
    """SQLite, or PostgreSQL created with C.UTF-8 (as the test database is): no warning."""
    assert checks.check_postgres_ctype(databases=["default"]) == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            assert "utf" in cursor.fetchone()[0].lower()
