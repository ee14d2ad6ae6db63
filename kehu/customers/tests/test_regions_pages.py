"""The 省 › 市 › 区 picker on the customer form and the list's region filter, through the pages:
/dictionaries/regions/ (htmx options), saving codes, the no-JavaScript path, the list by region."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)


def selected(html: str, select_id: str) -> str:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S)
    assert select, select_id
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen.group(1) if chosen else ""


def test_region_options_follow_the_parent(client: Any, rep: Any) -> None:
    client.force_login(rep)
    provinces = options(client.get("/dictionaries/regions/").content.decode())
    assert ("440000", "广东省") in provinces and len(provinces) == 32  # — and 31
    cities = options(client.get("/dictionaries/regions/", {"parent": "440000"}).content.decode())
    assert cities[0] == ("", "—") and ("440300", "深圳市") in cities
    # The picker's selects send their own name and value.
    districts = client.get("/dictionaries/regions/", {"city": "440300"}).content.decode()
    assert ("440305", "南山区") in options(districts)
    assert ("440300", "深圳市") in options(
        client.get("/dictionaries/regions/", {"region": "440000"}).content.decode()
    )
    # A blank choice or an unknown code: nothing below it.
    assert options(client.get("/dictionaries/regions/", {"province": ""}).content.decode()) == [
        ("", "—")
    ]
    assert options(client.get("/dictionaries/regions/", {"parent": "x"}).content.decode()) == [
        ("", "—")
    ]


def test_new_province_also_empties_the_district(client: Any, rep: Any) -> None:
    client.force_login(rep)
    body = client.get(
        "/dictionaries/regions/", {"province": "440000", "reset": "id_district"}
    ).content.decode()
    assert (
        '<select id="id_district" hx-swap-oob="innerHTML"><option value="">—</option></select>'
        in body
    )
    body = client.get(
        "/dictionaries/regions/", {"province": "440000", "reset": '"><script>'}
    ).content.decode()
    assert "hx-swap-oob" not in body and "<script>" not in body


def test_form_offers_the_picker_and_saves_codes(client: Any, rep: Any) -> None:
    client.force_login(rep)
    page = client.get("/customers/new/").content.decode()
    assert 'hx-get="/dictionaries/regions/?reset=id_district"' in page
    assert 'hx-target="#id_city"' in page and 'hx-target="#id_district"' in page
    assert 'name="region_refresh"' in page  # inside <noscript>
    response = client.post(
        "/customers/new/",
        {
            "kind": "company",
            "name": "表单地区公司",
            "status": "lead",
            "phone": "0755-86001239",
            "province": "440000",
            "city": "440300",
            "district": "440305",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get(name="表单地区公司")
    assert customer.region_code == "440305"
    assert (customer.province, customer.city, customer.district) == ("广东省", "深圳市", "南山区")
    edit = client.get(f"/customers/{customer.customer_no}/edit/").content.decode()
    assert selected(edit, "id_province") == "440000"
    assert selected(edit, "id_city") == "440300"
    assert selected(edit, "id_district") == "440305"
    assert ("440304", "福田区") in options(edit)  # Shenzhen's districts are offered


def test_a_city_of_another_province_is_refused(client: Any, rep: Any) -> None:
    client.force_login(rep)
    response = client.post(
        "/customers/new/",
        {"kind": "company", "name": "错配公司", "status": "lead", "phone": "0755-86001240",
         "province": "110000", "city": "440300"},
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="error-city"' in response.content.decode()
    assert not Customer.objects.filter(name="错配公司").exists()


def test_without_javascript_the_form_comes_back_with_the_cities(client: Any, rep: Any) -> None:
    client.force_login(rep)
    response = client.post(
        "/customers/new/",
        {"kind": "company", "name": "无脚本公司", "status": "lead", "province": "440000",
         "region_refresh": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert selected(page, "id_province") == "440000"
    assert ("440300", "深圳市") in options(page)
    assert 'class="errorlist"' not in page  # not validated, nothing saved
    assert not Customer.objects.filter(name="无脚本公司").exists()


def test_kept_names_stay_on_edit(client: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(name="海外旧客户", province="新加坡", city="裕廊")
    client.force_login(rep)
    edit = client.get(f"/customers/{customer.customer_no}/edit/").content.decode()
    assert selected(edit, "id_province") == "新加坡"
    form = {
        "kind": "company", "name": "海外旧客户（改名）", "status": "lead",
        "province": "新加坡", "city": "裕廊", "district": "",
        "dm_name": "王建国", "dm_mobile": "13800138000", "owner": str(rep.pk),
    }  # fmt: skip
    response = client.post(f"/customers/{customer.customer_no}/edit/", form)
    assert response.status_code == 302, response.context["form"].errors
    customer.refresh_from_db()
    assert (customer.province, customer.city, customer.region_code) == ("新加坡", "裕廊", "")


def _links(response: Any) -> list[str]:
    return sorted(
        re.findall(r'class="customer-link" href="/customers/(CX\d+)/"', response.content.decode())
    )


def test_list_filter_by_region_on_the_page(client: Any, rep: Any, customer_factory: Any) -> None:
    nanshan = customer_factory(name="南山公司", region_code="440305")
    futian = customer_factory(name="福田公司", region_code="440304")
    beijing = customer_factory(name="北京公司", region_code="110105")
    client.force_login(rep)
    page = client.get("/customers/", {"region": "440300"})
    assert _links(page) == sorted([nanshan.customer_no, futian.customer_no])
    html = page.content.decode()
    assert selected(html, "id_region_province") == "440000"
    assert selected(html, "id_region_city") == "440300"
    assert ("440305", "南山区") in options(html)
    # The three selects of the page: the most specific choice counts ...
    response = client.get("/customers/", {"region": ["440000", "440300", "440305"]})
    assert _links(response) == [nanshan.customer_no]
    # ... unless it was left from another province (changed without JavaScript).
    response = client.get("/customers/", {"region": ["110000", "440300", ""]})
    assert _links(response) == [beijing.customer_no]
    html = response.content.decode()
    assert selected(html, "id_region_province") == "110000"
    assert selected(html, "id_region_city") == ""
    response = client.get("/customers/", {"region": "449999"})
    assert 'id="error-region"' in response.content.decode()
    # The older text filter still works and stays visible while set.
    response = client.get("/customers/", {"city": "深圳市"})
    assert _links(response) == sorted([nanshan.customer_no, futian.customer_no])
    assert 'name="city"' in response.content.decode()
