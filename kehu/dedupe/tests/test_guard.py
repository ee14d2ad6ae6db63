"""Creating a probable duplicate warns before saving (409 with a link), per the admin's action."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db

FIRST = {
    "name": "深圳市华信软件有限公司",
    "address": "广东省深圳市南山区科技园路8号",
    "decision_maker": {"name": "王建国", "title": "总经理", "mobile": "13912345678"},
}
AGAIN = {
    "name": "华信软件(深圳)有限公司",
    "address": "深圳市南山区科技园路8号",
    "decision_maker": {"name": "王总", "mobile": "139 1234 5678"},
}


@pytest.fixture
def existing(api: Any, rep: Any) -> str:
    api.login(rep)
    response = api.post("/api/v1/customers", FIRST)
    assert response.status_code == 201, response.content
    return response.json()["customer_no"]


def test_probable_duplicate_warns_with_link_and_nothing_is_saved(api: Any, existing: str) -> None:
    response = api.post("/api/v1/customers", AGAIN)
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "probable_duplicate"
    assert body["blocked"] is False
    assert body["matches"][0]["customer_no"] == existing
    assert body["matches"][0]["url"] == f"/customers/{existing}/"
    assert body["matches"][0]["reasons"]
    assert Customer.objects.count() == 1


def test_confirmed_duplicate_is_saved(api: Any, existing: str) -> None:
    response = api.post("/api/v1/customers", {**AGAIN, "allow_duplicate": True})
    assert response.status_code == 201, response.content
    assert Customer.objects.count() == 2


def test_a_different_company_is_not_held(api: Any, existing: str) -> None:
    other = {"name": "北京华夏建设工程有限公司", "address": "北京市朝阳区建国路1号"}
    response = api.post("/api/v1/customers", other)
    assert response.status_code == 201, response.content
    saved = Customer.objects.get(customer_no=response.json()["customer_no"])
    assert saved.name == other["name"]
    assert Customer.objects.count() == 2


def test_block_action_refuses_even_when_confirmed(
    api: Any, existing: str, admin_user: Any, rep: Any
) -> None:
    api.login(admin_user)
    api.client.put(
        "/api/v1/dedupe/actions/create", {"action": "block"}, content_type="application/json"
    )
    api.login(rep)
    response = api.post("/api/v1/customers", {**AGAIN, "allow_duplicate": True})
    assert response.status_code == 409
    assert response.json()["blocked"] is True
    assert Customer.objects.count() == 1


def test_match_outside_scope_is_counted_not_shown(api: Any, existing: str, outsider: Any) -> None:
    api.login(outsider)
    response = api.post("/api/v1/customers", AGAIN)
    assert response.status_code == 409
    body = response.json()
    assert body["matches"] == []
    assert existing not in response.content.decode()


def test_create_page_shows_the_warning_and_saves_when_confirmed(
    client: Any, rep: Any, existing: str
) -> None:
    client.force_login(rep)
    form = {
        "kind": "company",
        "status": "lead",
        "name": AGAIN["name"],
        "address": AGAIN["address"],
        "dm_name": "王总",
        "dm_mobile": "13912345678",
    }
    response = client.post("/customers/new/", form)
    assert response.status_code == 409
    assert f"/customers/{existing}/" in response.content.decode()
    assert Customer.objects.count() == 1
    response = client.post("/customers/new/", {**form, "allow_duplicate": "on"})
    assert response.status_code == 302
    assert Customer.objects.count() == 2
