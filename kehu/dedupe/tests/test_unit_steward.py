"""A data steward scoped to a business unit (User.steward_unit): sees, searches, reviews and
merges only that team's customers; a steward without a unit keeps the whole company (issue 20)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.customers.models import Customer
from kehu.dedupe.models import DuplicatePair, Merge
from kehu.review.models import ReviewItem
from kehu.review.services import review_hold


@pytest.fixture
def unit_steward(team_east: Any) -> Any:
    return make_user("east-steward", Role.STEWARD, None, steward_unit=team_east)


@pytest.fixture
def company_steward(db: Any) -> Any:
    return make_user("steward", Role.STEWARD, None)


@pytest.fixture
def world(customer_factory: Any, rep: Any, outsider: Any) -> dict[str, Any]:
    """Two duplicate pairs: one in the east team (the rep's), one in the south (the outsider's)."""
    east = [customer_factory(name=f"杭州东园科技有限公司{n}") for n in (1, 2)]
    south = [customer_factory(actor=outsider, name=f"广州南岭贸易有限公司{n}") for n in (1, 2)]
    return {
        "east": east,
        "south": south,
        "east_pair": DuplicatePair.objects.create(
            customer_a=east[0], customer_b=east[1], score=0.97
        ),
        "south_pair": DuplicatePair.objects.create(
            customer_a=south[0], customer_b=south[1], score=0.98
        ),
    }


def test_unit_steward_sees_only_the_units_customers_in_the_api(
    api: Any, unit_steward: Any, world: dict[str, Any]
) -> None:
    api.login(unit_steward)
    east, south = world["east"][0], world["south"][0]
    assert api.get(f"/api/v1/customers/{east.customer_no}").status_code == 200
    assert api.get(f"/api/v1/customers/{south.customer_no}").status_code == 404
    listed = api.get("/api/v1/customers?limit=100").json()["items"]
    numbers = {row["customer_no"] for row in listed}
    assert {c.customer_no for c in world["east"]} <= numbers
    assert not numbers & {c.customer_no for c in world["south"]}
    pairs = api.get("/api/v1/dedupe/pairs").json()
    assert [p["id"] for p in pairs] == [world["east_pair"].pk]
    assert api.get(f"/api/v1/dedupe/pairs/{world['south_pair'].pk}").status_code == 404


def test_unit_steward_cannot_merge_another_units_customers(
    api: Any, unit_steward: Any, world: dict[str, Any]
) -> None:
    api.login(unit_steward)
    a, b = world["south"]
    entries = AuditEntry.objects.count()
    response = api.post("/api/v1/dedupe/merge", {"survivor": a.pk, "merged": b.pk})
    assert response.status_code == 404
    # One of each side: still refused, nothing written.
    response = api.post("/api/v1/dedupe/merge", {"survivor": world["east"][0].pk, "merged": b.pk})
    assert response.status_code == 404
    assert Customer.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    assert not Merge.objects.exists()
    assert AuditEntry.objects.count() == entries
    a2, b2 = world["east"]
    response = api.post("/api/v1/dedupe/merge", {"survivor": a2.pk, "merged": b2.pk})
    assert response.status_code == 200, response.content
    assert not Customer.objects.filter(pk=b2.pk).exists()


def test_the_merge_service_refuses_outside_the_unit(
    unit_steward: Any, world: dict[str, Any]
) -> None:
    from kehu.core.errors import PermissionDenied
    from kehu.dedupe.services import customer_merge

    a, b = world["south"]
    with pytest.raises(PermissionDenied):
        customer_merge(actor=unit_steward, survivor=a, merged=b)
    assert Customer.objects.filter(pk=b.pk).exists()


def test_unit_steward_pages(client: Any, unit_steward: Any, world: dict[str, Any]) -> None:
    client.force_login(unit_steward)
    east, south = world["east"][0], world["south"][0]
    assert client.get(f"/customers/{east.customer_no}/").status_code == 200
    assert client.get(f"/customers/{south.customer_no}/").status_code == 404
    listing = client.get("/customers/").content.decode()
    assert east.name in listing and south.name not in listing
    pairs = client.get("/dedupe/").content.decode()
    assert east.name in pairs and south.name not in pairs
    assert client.get(f"/dedupe/pairs/{world['south_pair'].pk}/").status_code == 404
    a, b = world["south"]
    response = client.post(
        f"/dedupe/pairs/{world['south_pair'].pk}/",
        {"decision": "merge", "survivor": a.pk, "field_name": "merged"},
    )
    assert response.status_code == 404
    assert Customer.objects.filter(pk=b.pk).exists()
    found = client.get("/search/", {"q": "南岭"}).content.decode()
    assert south.customer_no not in found
    found = client.get("/search/", {"q": "东园"}).content.decode()
    assert east.customer_no in found


def test_company_steward_keeps_the_whole_company(
    api: Any, company_steward: Any, world: dict[str, Any]
) -> None:
    api.login(company_steward)
    assert api.get(f"/api/v1/customers/{world['south'][0].customer_no}").status_code == 200
    assert len(api.get("/api/v1/dedupe/pairs").json()) == 2


def test_review_queue_is_scoped_to_the_unit(
    api: Any,
    client: Any,
    unit_steward: Any,
    company_steward: Any,
    rep: Any,
    outsider: Any,
    world: dict[str, Any],
) -> None:
    east_item = review_hold(
        actor=rep,
        action="duplicate",
        rule="duplicate",
        reason="疑似重复",
        payload={},
        customer=world["east"][0],
    )
    south_item = review_hold(
        actor=outsider,
        action="duplicate",
        rule="duplicate",
        reason="疑似重复",
        payload={},
        customer=world["south"][0],
    )
    south_tag = review_hold(
        actor=outsider, action="tag_request", rule="tag_request", reason="想要新标签", payload={}
    )
    api.login(unit_steward)
    ids = {row["id"] for row in api.get("/api/v1/review").json()["items"]}
    assert east_item.pk in ids
    assert south_item.pk not in ids and south_tag.pk not in ids
    assert api.get(f"/api/v1/review/{south_item.pk}").status_code == 404
    response = api.post(f"/api/v1/review/{south_item.pk}/reject", {"note": "不是本单位的"})
    assert response.status_code == 404
    south_item.refresh_from_db()
    assert south_item.status == ReviewItem.Status.PENDING
    client.force_login(unit_steward)
    page = client.get("/review/").content.decode()
    assert world["east"][0].name in page and world["south"][0].name not in page
    # Only the stewards who may decide were told of the south item.
    assert not unit_steward.notifications.filter(link=f"/review/{south_item.pk}/").exists()
    assert company_steward.notifications.filter(link=f"/review/{south_item.pk}/").exists()
    api.login(company_steward)
    ids = {row["id"] for row in api.get("/api/v1/review").json()["items"]}
    assert {east_item.pk, south_item.pk, south_tag.pk} <= ids


def test_admin_sets_and_clears_the_unit(api: Any, admin_user: Any, team_east: Any) -> None:
    make_user("he", Role.STEWARD, None)
    make_user("zhang", Role.REP, team_east)
    api.login(admin_user)
    response = api.patch("/api/v1/users/he", {"steward_unit": "华东销售部"})
    assert response.status_code == 200, response.content
    assert response.json()["steward_unit"] == "华东销售部"
    entry = AuditEntry.objects.filter(action="user.updated").latest("id")
    assert entry.changes["steward_unit"] == [None, "华东销售部"]
    response = api.patch("/api/v1/users/he", {"steward_unit": "没有这个部门"})
    assert response.status_code == 422 and "steward_unit" in response.content.decode()
    response = api.patch("/api/v1/users/zhang", {"steward_unit": "华东销售部"})
    assert response.status_code == 422 and "steward_unit" in response.content.decode()
    # Leaving the steward role leaves the unit too.
    response = api.patch("/api/v1/users/he", {"role": "rep"})
    assert response.status_code == 200 and response.json()["steward_unit"] is None


def test_admin_page_sets_the_unit(client: Any, admin_user: Any, team_east: Any) -> None:
    steward = make_user("he", Role.STEWARD, None)
    client.force_login(admin_user)
    page = client.get(f"/users/{steward.pk}/edit/")
    assert page.status_code == 200 and "steward_unit" in page.content.decode()
    response = client.post(
        f"/users/{steward.pk}/edit/",
        {"role": "steward", "steward_unit": "华东销售部", "is_active": "on", "display_name": "何"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    steward.refresh_from_db()
    assert steward.steward_unit == team_east


def test_cli_sets_and_clears_the_unit(team_east: Any) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    steward = make_user("he", Role.STEWARD, None)
    call_command("user", "set", "he", "--steward-unit", "华东销售部")
    steward.refresh_from_db()
    assert steward.steward_unit == team_east
    with pytest.raises(CommandError, match="steward_unit"):
        call_command("user", "set", "he", "--steward-unit", "没有这个部门")
    call_command("user", "set", "he", "--no-steward-unit")
    steward.refresh_from_db()
    assert steward.steward_unit is None
