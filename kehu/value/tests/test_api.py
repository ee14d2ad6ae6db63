"""The value API's shape, scoping and settings; the customer list's value filters and columns;
the pages (/value/, /settings/value/, the 360 panel)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kehu.value.services.nightly import values_recompute_all

from .helpers import aged, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def valued(customer_factory: Any, rep: Any, outsider: Any) -> dict[str, Any]:
    today = timezone.localdate()
    mine = [
        aged(customer_factory(name=f"价值客户{i}", industry="制造业"), 1000 * i + 10)
        for i in range(4)
    ]
    for i, c in enumerate(mine):
        for k in range(i + 1):
            order(c, 1000 * (i + 1) ** 2, today.replace(day=1) if k else today, product="ERP")
    other = customer_factory(name="南方客户", actor=outsider)
    order(other, 50, today)
    values_recompute_all()
    return {"mine": mine, "other": other}


def test_customer_detail_carries_the_value_contract(api: Any, rep: Any, valued: Any) -> None:
    c = valued["mine"][3]
    body = api.login(rep).get(f"/api/v1/customers/{c.customer_no}").json()
    value = body["value"]
    assert set(value["rfm"]) == {"r", "f", "m", "score"}
    assert value["rfm"]["score"] == value["rfm"]["r"] + value["rfm"]["f"] + value["rfm"]["m"]
    assert value["octant"] and value["grade"] in "ABC" and value["lifecycle"]
    assert "ownership" in body


def test_customer_value_has_levels_and_action(api: Any, rep: Any, valued: Any) -> None:
    c = valued["mine"][3]
    body = api.login(rep).get(f"/api/v1/customers/{c.customer_no}/value").json()
    assert body["recommended_action"]
    assert body["levels"]["behaviour"]["product_interest"] == "ERP"
    assert set(body["levels"]) == {"basic", "behaviour", "value"}
    assert body["levels"]["value"]["tenure_band"] == "lt1y"
    other = valued["other"]
    assert api.get(f"/api/v1/customers/{other.customer_no}/value").status_code == 404


def test_octant_counts_follow_visibility(
    api: Any, rep: Any, manager: Any, executive: Any, valued: Any
) -> None:
    for user, total in ((rep, 4), (manager, 4), (executive, 5)):
        body = api.login(user).get("/api/v1/value/octants").json()
        assert body["total"] == total
        placed = sum(o["count"] for o in body["octants"])
        assert placed + body["unplaced"] == total
        assert len(body["octants"]) == 8
        # The list filtered to each octant counts the same customers.
        for o in body["octants"]:
            listed = api.get("/api/v1/customers", octant=o["code"]).json()
            assert listed["total"] == o["count"], (user, o)


def test_list_filters_and_bad_values(api: Any, rep: Any, valued: Any) -> None:
    api.login(rep)
    assert api.get("/api/v1/customers", grade="A,B,C").json()["total"] == 4
    assert api.get("/api/v1/customers", rfm_min="3", rfm_max="15").json()["total"] == 4
    assert api.get("/api/v1/customers", lifecycle="new").json()["total"] == 4  # first orders
    assert api.get("/api/v1/customers", lifecycle=["lost", "dormant"]).json()["total"] == 0
    for key, bad in (("octant", "gold"), ("grade", "Z"), ("lifecycle", "x"), ("rfm_min", "2"),
                     ("rfm_max", "abc")):  # fmt: skip
        response = api.get("/api/v1/customers", **{key: bad})
        assert response.status_code == 422, key
        assert key in response.content.decode()


def test_settings_api_is_for_administrators(api: Any, rep: Any, admin_user: Any) -> None:
    assert api.login(rep).get("/api/v1/value/settings").status_code == 403
    assert api.patch("/api/v1/value/settings", {"new_days": 30}).status_code == 403
    api.login(admin_user)
    body = api.get("/api/v1/value/settings").json()
    assert body["new_days"] == 90 and body["grade_rules"]["diamond"] == "A"
    changed = api.patch(
        "/api/v1/value/settings", {"new_days": 30, "octant_actions": {"watch": "观察为主"}}
    )
    assert changed.status_code == 200
    assert changed.json()["octant_actions"]["watch"] == "观察为主"
    assert api.patch("/api/v1/value/settings", {"grade_rules": {"watch": "Z"}}).status_code == 422
    assert api.patch("/api/v1/value/settings", {"new_days": -1}).status_code == 422


def test_pages(client: Any, rep: Any, admin_user: Any, valued: Any) -> None:
    client.force_login(rep)
    page = client.get("/value/")
    assert page.status_code == 200
    assert b"value-chart-data" in page.content and b"?octant=" in page.content
    c = valued["mine"][3]
    detail = client.get(f"/customers/{c.customer_no}/").content.decode()
    assert 'id="value-panel"' in detail and 'id="value-octant"' in detail
    listed = client.get("/customers/", {"cols": "octant,grade,lifecycle,rfm", "grade": "A"})
    assert listed.status_code == 200
    assert client.get("/settings/value/").status_code == 403
    client.force_login(admin_user)
    assert client.get("/settings/value/").status_code == 200
    saved = client.post("/settings/value/", {"new_days": "60", "action_watch": "电话回访"})
    assert saved.status_code == 302
    assert client.post("/settings/value/", {"new_days": "x"}).status_code == 422


def test_support_sees_the_revenue_as_a_band(
    api: Any, client: Any, rep: Any, support: Any, valued: Any
) -> None:
    from kehu.customers.models import Customer

    c = valued["mine"][3]  # four orders of 16,000
    Customer.objects.filter(pk=c.pk).update(status="won")  # support sees won customers
    exact = api.login(rep).get(f"/api/v1/customers/{c.customer_no}/value").json()
    assert exact["revenue"] == "64000.00" and exact["revenue_band"] == ""
    body = api.login(support).get(f"/api/v1/customers/{c.customer_no}/value").json()
    assert body["revenue"] is None and body["avg_order_value"] is None
    assert body["revenue_band"]
    client.force_login(support)
    page = client.get(f"/customers/{c.customer_no}/").content.decode()
    assert "64,000" not in page and body["revenue_band"] in page
