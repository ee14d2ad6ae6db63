"""The customer's region as a GB/T 2260 code through the API: /api/v1/regions, region_code in and
out of /api/v1/customers (names resolve to it, it fills the names), and the list's region filter."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_regions_lists_provinces_then_children(api: Any, rep: Any) -> None:
    api.login(rep)
    provinces = api.get("/api/v1/regions").json()
    assert len(provinces) == 31
    guangdong = next(p for p in provinces if p["code"] == "440000")
    assert guangdong == {
        "code": "440000",
        "name": "广东省",
        "level": "province",
        "has_children": True,
    }
    cities = api.get("/api/v1/regions", parent="440000").json()
    assert {"code": "440300", "name": "深圳市", "level": "city", "has_children": True} in cities
    districts = api.get("/api/v1/regions", parent="4403").json()  # the package's short form too
    nanshan = next(d for d in districts if d["name"] == "南山区")
    assert nanshan == {
        "code": "440305",
        "name": "南山区",
        "level": "district",
        "has_children": False,
    }
    assert api.get("/api/v1/regions", parent="440305").json() == []


def test_regions_unknown_parent_is_named(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.get("/api/v1/regions", parent="999999")
    assert response.status_code == 422
    assert "parent" in response.json()["errors"]


def test_region_code_fills_the_names_and_round_trips(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        {"name": "深圳南山科技有限公司", "phone": "0755-86001234", "region_code": "440305"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region_code"] == "440305"
    assert body["region"] == {"province": "广东省", "city": "深圳市", "district": "南山区"}
    customer = Customer.objects.get(customer_no=body["customer_no"])
    assert (customer.region_code, customer.province, customer.district) == (
        "440305",
        "广东省",
        "南山区",
    )
    again = api.get(f"/api/v1/customers/{customer.customer_no}").json()
    assert again["region_code"] == "440305"
    # Changing the code changes the names with it, in the audit trail too.
    response = api.patch(f"/api/v1/customers/{customer.customer_no}", {"region_code": "110105"})
    assert response.status_code == 200, response.content
    assert response.json()["region"] == {
        "province": "北京市",
        "city": "北京市",
        "district": "朝阳区",
    }
    entry = AuditEntry.objects.filter(action="customer.updated").latest("id")
    assert "region_code" in str(entry.changes) and "朝阳区" in str(entry.changes)


def test_names_resolve_to_the_code(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        {"name": "广东简称公司", "phone": "0755-86001235", "province": "广东", "city": "深圳"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region_code"] == "440300"
    assert body["region"] == {"province": "广东省", "city": "深圳市", "district": ""}
    text = api.post(
        "/api/v1/customers",
        {"name": "文本地区公司", "phone": "0755-86001236", "region": "广东省深圳市南山区"},
    ).json()
    assert text["region_code"] == "440305"
    # The province left out, or traditional characters: resolved, stored by canonical names.
    for number, region, code in (
        ("0755-86001238", "深圳市", "440300"),
        ("0755-86001239", "深圳南山", "440305"),
        ("0755-86001240", "廣東 深圳 南山", "440305"),
    ):
        body = api.post(
            "/api/v1/customers",
            {"name": f"地区{code}{number[-2:]}公司", "phone": number, "region": region},
        ).json()
        assert body["region_code"] == code, region
        assert body["region"]["province"] == "广东省", region
    body = api.post(
        "/api/v1/customers",
        {"name": "繁体省份公司", "phone": "0755-86001241", "province": "廣東省", "city": "深圳市"},
    ).json()
    assert body["region_code"] == "440300"


def test_unresolvable_names_are_kept_without_a_code(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        {"name": "海外客户公司", "phone": "0755-86001237", "province": "新加坡", "city": "裕廊"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region_code"] == ""
    assert body["region"] == {"province": "新加坡", "city": "裕廊", "district": ""}


def test_invalid_region_code_is_a_422_naming_it(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        {"name": "坏代码公司", "phone": "0755-86001238", "region_code": "449999"},
    )
    assert response.status_code == 422
    assert "449999" in str(response.json()["errors"]["region_code"])
    assert not Customer.objects.filter(name="坏代码公司").exists()


@pytest.fixture
def spread(customer_factory: Any) -> dict[str, Customer]:
    return {
        "nanshan": customer_factory(name="南山公司", region_code="440305"),
        "futian": customer_factory(name="福田公司", region_code="440304"),
        "guangzhou": customer_factory(name="广州公司", province="广东省", city="广州市"),
        "beijing": customer_factory(name="北京公司", region_code="110105"),
        "abroad": customer_factory(name="海外公司", province="新加坡"),
    }


def _names(api: Any, **params: Any) -> list[str]:
    response = api.get("/api/v1/customers", **params)
    assert response.status_code == 200, response.content
    return sorted(c["name"] for c in response.json()["items"])


def test_list_filters_by_region_prefix(api: Any, rep: Any, spread: dict[str, Customer]) -> None:
    api.login(rep)
    assert _names(api, region="440300") == ["南山公司", "福田公司"]
    assert _names(api, region="4403") == ["南山公司", "福田公司"]
    assert _names(api, region="440000") == ["南山公司", "广州公司", "福田公司"]
    assert _names(api, region="440305") == ["南山公司"]
    assert _names(api, region="110000") == ["北京公司"]
    # The text filters of before still work.
    assert _names(api, province="广东省") == ["南山公司", "广州公司", "福田公司"]
    assert _names(api, city="深圳市", region="440000") == ["南山公司", "福田公司"]
    response = api.get("/api/v1/customers", region="449999")
    assert response.status_code == 422
    assert "region" in response.json()["errors"]


def test_region_filter_is_a_range_on_the_index(api: Any, rep: Any, spread: Any) -> None:
    api.login(rep)
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/customers", region="440300")
    sql = next(q["sql"] for q in queries.captured_queries if "region_code" in q["sql"])
    assert "LIKE" not in sql.upper()
    assert "440300" in sql and "440400" in sql


def test_backfill_migration_codes_existing_names(customer_factory: Any) -> None:
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("kehu.customers.migrations.0021_region_code_backfill")
    old = [customer_factory(name=f"老客户{i}") for i in range(4)]
    names = [("广东省", "深圳市", "南山区"), ("浙江", "杭州", ""), ("新加坡", "", ""), ("", "", "")]
    for customer, (province, city, district) in zip(old, names, strict=True):
        Customer.objects.filter(pk=customer.pk).update(
            province=province, city=city, district=district, region_code=""
        )
    backfill.backfill(apps, None)
    codes = [Customer.objects.get(pk=c.pk).region_code for c in old]
    assert codes == ["440305", "330100", "", ""]
    # Only the code is added: the names stay as they were.
    assert Customer.objects.get(pk=old[1].pk).province == "浙江"
