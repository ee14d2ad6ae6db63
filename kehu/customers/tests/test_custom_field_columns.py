"""Custom fields as columns of the customer list (issue 15): offered in the column chooser
(`cols=cf_<key>`), sorted from their header both ways (`order=cf_<key>` / `-cf_<key>`, on the
page and in /api/v1/customers) by typed value with empty values last, and kept in saved views."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from kehu.accounts.models import User
from kehu.customers.models import Customer, CustomField, SavedView
from kehu.customers.services import custom_field_create

pytestmark = pytest.mark.django_db
API = "/api/v1/customers"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fields(admin_user: User) -> dict[str, CustomField]:
    def add(**data: Any) -> CustomField:
        return custom_field_create(actor=admin_user, data={"entity": "customer", **data})

    return {
        "seats": add(key="seats", label="Seats", kind="number"),
        "deposit": add(key="deposit", label="Deposit", kind="amount"),
        "renewal": add(key="renewal", label="Renewal", kind="date"),
        "tier": add(key="tier", label="Tier", kind="choice", choices=["Gold", "Silver", "Bronze"]),
        "products": add(key="products", label="Products", kind="multi_choice",
                        choices=["ERP", "CRM", "BI"]),
        "code": add(key="code", label="Code", kind="text"),
    }  # fmt: skip


@pytest.fixture
def four(fields: dict[str, CustomField], customer_factory: Any) -> dict[str, Customer]:
    """Values whose text order differs from their value order (9 < 10, 900 < 1000, …)."""
    values = {
        "a": {"seats": 9, "deposit": "900", "renewal": "2027-01-05", "tier": "Bronze",
              "products": ["BI"], "code": "b-2"},
        "b": {"seats": 10, "deposit": "1000", "renewal": "2026-12-31", "tier": "Gold",
              "products": ["CRM", "BI"], "code": "a-10"},
        "c": {"seats": 2.5, "deposit": "8万", "renewal": "2027-03-01", "tier": "Silver",
              "products": ["ERP"], "code": "c"},
        "empty": {},
    }  # fmt: skip
    return {
        key: customer_factory(name=f"排序{key}有限公司", custom_fields=custom)
        for key, custom in values.items()
    }


EXPECTED = {  # ascending; the customer without a value always last
    "seats": ["c", "a", "b"],
    "deposit": ["a", "b", "c"],
    "renewal": ["b", "a", "c"],
    "tier": ["b", "c", "a"],  # the choices' own order: Gold, Silver, Bronze
    "products": ["c", "b", "a"],  # by the first chosen, in the choices' order: ERP, CRM, BI
    "code": ["b", "a", "c"],
}


def _keys(four: dict[str, Customer], numbers: list[str]) -> list[str]:
    by_no = {c.customer_no: key for key, c in four.items()}
    return [by_no[n] for n in numbers]


def _api(api: Any, **params: Any) -> list[str]:
    response = api.get(API, **params)
    assert response.status_code == 200, response.content
    return [c["customer_no"] for c in response.json()["items"]]


@pytest.mark.parametrize("key", list(EXPECTED))
def test_api_sorts_by_a_custom_field_both_ways_empty_last(
    api: Any, rep: User, four: dict[str, Customer], key: str
) -> None:
    api.login(rep)
    assert _keys(four, _api(api, order=f"cf_{key}")) == [*EXPECTED[key], "empty"]
    assert _keys(four, _api(api, order=f"-cf_{key}")) == [*EXPECTED[key][::-1], "empty"]


@pytest.mark.parametrize("key", ["seats", "deposit", "renewal", "code"])
def test_api_pages_through_a_custom_sort(
    api: Any, rep: User, four: dict[str, Customer], key: str
) -> None:
    api.login(rep)
    for order, expected in ((f"cf_{key}", EXPECTED[key]), (f"-cf_{key}", EXPECTED[key][::-1])):
        seen, cursor = [], None
        while True:
            params = {"order": order, "limit": 1, **({"cursor": cursor} if cursor else {})}
            body = api.get(API, **params).json()
            seen += [c["customer_no"] for c in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert _keys(four, seen) == [*expected, "empty"]


def test_a_manager_sorts_across_the_scope_branches(
    api: Any, manager: User, rep: User, four: dict[str, Customer]
) -> None:
    api.login(manager)
    assert _keys(four, _api(api, order="-cf_seats", limit=2)) == ["b", "a"]


def test_unknown_or_archived_field_order_is_refused(
    api: Any, rep: User, admin_user: User, fields: dict[str, CustomField]
) -> None:
    api.login(rep)
    response = api.get(API, order="cf_nothing")
    assert response.status_code == 422 and "order" in response.json()["errors"]
    api.login(admin_user)
    assert api.delete(f"/api/v1/custom-fields/{fields['code'].pk}").status_code in (200, 204)
    assert api.get(API, order="cf_code").status_code == 422


def test_the_page_offers_custom_columns_and_sorts_them_from_the_header(
    client: Client, rep: User, four: dict[str, Customer]
) -> None:
    client.force_login(rep)
    html = client.get("/customers/").content.decode()
    assert 'value="cf_seats"' in html  # offered in the column chooser
    assert 'id="sort-cf_seats"' not in html  # not shown unless chosen (or shown by default)
    chosen = client.get("/customers/", {"cols": ["status", "cf_seats", "cf_deposit"]})
    body = chosen.content.decode()
    assert re.findall(r'<th class="custom-column" data-key="(\w+)">', body) == ["seats", "deposit"]
    link = re.search(r'id="sort-cf_seats" href="([^"]+)"', body)
    assert link is not None and "order=cf_seats" in link.group(1)
    assert "cols=status%2Ccf_seats%2Ccf_deposit" in link.group(1).replace("&amp;", "&")
    assert re.search(r'data-key="deposit">80,000 \S+</td>', body)

    def names(**params: Any) -> list[str]:
        response = client.get("/customers/", {"cols": "cf_seats", **params})
        assert response.status_code == 200
        return re.findall(
            r'class="customer-link" href="/customers/[^/]+/">排序(\w+)有限公司',
            (response.content.decode()),
        )

    assert names(order="cf_seats") == ["c", "a", "b", "empty"]
    assert names(order="-cf_seats") == ["b", "a", "c", "empty"]
    header = client.get("/customers/", {"cols": "cf_seats", "order": "cf_seats"}).content.decode()
    assert re.search(r'id="sort-cf_seats" href="[^"]*order=-cf_seats', header)  # the other way
    assert '<option value="cf_seats" selected>' in header  # "Apply filters" keeps it


def test_a_field_shown_in_the_list_is_a_default_column(
    client: Client,
    rep: User,
    admin_user: User,
    four: dict[str, Customer],
    fields: dict[str, CustomField],
) -> None:
    from kehu.customers.services import custom_field_update

    custom_field_update(actor=admin_user, field=fields["tier"], data={"show_in_list": True})
    client.force_login(rep)
    body = client.get("/customers/").content.decode()
    assert re.findall(r'<th class="custom-column" data-key="(\w+)">', body) == ["tier"]
    assert re.search(r'value="cf_tier"[^>]*checked', body)
    assert not re.search(r'value="cf_seats"[^>]*checked', body)


def test_a_saved_view_keeps_custom_columns_and_sort(
    client: Client, api: Any, rep: User, four: dict[str, Customer]
) -> None:
    client.force_login(rep)
    response = client.post(
        "/saved-views/", {"name": "按座位", "query": "order=-cf_seats&cols=cf_seats&cols=owner"}
    )
    assert response.status_code == 302
    view = SavedView.objects.get(owner=rep)
    assert "order=-cf_seats" in view.query and "cols=owner%2Ccf_seats" in view.query
    opened = client.get(response["Location"]).content.decode()
    assert 'id="sort-cf_seats"' in opened
    assert (
        opened.index("排序b有限公司")
        < opened.index("排序a有限公司")
        < opened.index("排序c有限公司")
    )
    made = api.post(
        "/api/v1/saved-views",
        {"name": "按续约", "params": {"order": "cf_renewal", "cols": "cf_renewal"}},
    )
    assert made.status_code == 201, made.content
    assert made.json()["params"] == {"cols": "cf_renewal", "order": "cf_renewal"}
    bad = api.post("/api/v1/saved-views", {"name": "x", "params": {"order": "cf_nothing"}})
    assert bad.status_code == 422 and "order" in bad.json()["errors"]
