"""A unit's data steward decides only what concerns the unit's customers (issue 20): tag
requests for a customer, through the API and the review pages; library-level requests go to
the requester's unit; data-subject requests and retention stay with company-wide stewards."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.review.models import ReviewItem
from kehu.tags.models import CustomerTag, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_steward(team_east: Any) -> Any:
    return make_user("east-steward", Role.STEWARD, None, steward_unit=team_east)


@pytest.fixture
def south_steward(team_south: Any) -> Any:
    return make_user("south-steward", Role.STEWARD, None, steward_unit=team_south)


@pytest.fixture
def steward(db: Any) -> Any:
    return make_user("steward", Role.STEWARD, None)


@pytest.fixture
def east_marketing(team_east: Any) -> Any:
    """Marketing sees every prospect, whichever team holds it, and may ask for tags on them."""
    return make_user("east-marketing", Role.MARKETING, team_east, display_name="钱市场")


@pytest.fixture
def south_customer(customer_factory: Any, outsider: Any) -> Any:
    return customer_factory(actor=outsider, name="广州南岭标签贸易有限公司")


def _request_tag(api: Any, user: Any, name: str, customer_no: str | None = None) -> int:
    data = {"name": name, "reason": "活动需要区分"}
    if customer_no:
        data["customer_no"] = customer_no
    made = api.login(user).post("/api/v1/tags/requests", data)
    assert made.status_code == 201, made.content
    return int(made.json()["id"])


def test_a_tag_request_for_another_units_customer_is_not_the_units_to_decide(
    api: Any,
    east_steward: Any,
    south_steward: Any,
    east_marketing: Any,
    south_customer: Any,
) -> None:
    item_id = _request_tag(api, east_marketing, "南区展会客户", south_customer.customer_no)
    item = ReviewItem.objects.get(pk=item_id)
    assert item.customer_id == south_customer.pk and item.team_id == south_customer.team_id
    entries = AuditEntry.objects.count()
    api.login(east_steward)
    assert item_id not in {row["id"] for row in api.get("/api/v1/review").json()["items"]}
    assert api.get(f"/api/v1/review/{item_id}").status_code == 404
    assert api.post(f"/api/v1/review/{item_id}/approve", {}).status_code == 404
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.PENDING
    assert not Tag.objects.filter(name="南区展会客户").exists()
    assert AuditEntry.objects.count() == entries
    assert not east_steward.notifications.filter(link=f"/review/{item_id}/").exists()
    # The customer's unit decides it, and the tag goes on the customer.
    assert south_steward.notifications.filter(link=f"/review/{item_id}/").exists()
    approved = api.login(south_steward).post(f"/api/v1/review/{item_id}/approve", {})
    assert approved.status_code == 200, approved.content
    assert CustomerTag.objects.filter(customer=south_customer, tag__name="南区展会客户").exists()


def test_the_review_pages_refuse_another_units_tag_request(
    api: Any,
    client: Any,
    east_steward: Any,
    east_marketing: Any,
    south_customer: Any,
) -> None:
    item_id = _request_tag(api, east_marketing, "南区老客户", south_customer.customer_no)
    client.force_login(east_steward)
    assert client.get(f"/review/{item_id}/").status_code == 404
    assert "南区老客户" not in client.get("/review/").content.decode()
    assert client.post(f"/review/{item_id}/approve/").status_code == 404
    assert ReviewItem.objects.get(pk=item_id).status == ReviewItem.Status.PENDING
    assert not Tag.objects.filter(name="南区老客户").exists()


def test_a_library_request_goes_to_the_requesters_unit(
    api: Any,
    client: Any,
    east_steward: Any,
    south_steward: Any,
    east_marketing: Any,
) -> None:
    item_id = _request_tag(api, east_marketing, "重点展会")
    assert ReviewItem.objects.get(pk=item_id).customer_id is None
    assert api.login(south_steward).post(f"/api/v1/review/{item_id}/approve", {}).status_code == (
        404
    )
    assert not Tag.objects.filter(name="重点展会").exists()
    client.force_login(east_steward)
    assert "重点展会" in client.get(f"/review/{item_id}/").content.decode()
    response = client.post(f"/review/{item_id}/approve/")
    assert response.status_code == 302
    assert Tag.objects.get(name="重点展会").is_active


def test_a_tag_request_follows_its_customer_through_a_merge(
    api: Any, east_marketing: Any, customer_factory: Any, steward: Any
) -> None:
    """The item names the customer: a merge moves it to the survivor, who gets the tag."""
    survivor = customer_factory(name="杭州合并标签有限公司")
    merged = customer_factory(name="杭州合并标签有限公司分部")
    item_id = _request_tag(api, east_marketing, "合并后标签", merged.customer_no)
    done = api.login(steward).post(
        "/api/v1/dedupe/merge", {"survivor": survivor.pk, "merged": merged.pk}
    )
    assert done.status_code == 200, done.content
    assert ReviewItem.objects.get(pk=item_id).customer_id == survivor.pk
    assert api.post(f"/api/v1/review/{item_id}/approve", {}).status_code == 200
    assert CustomerTag.objects.filter(customer=survivor, tag__name="合并后标签").exists()


def test_privacy_requests_and_retention_are_for_company_wide_stewards(
    api: Any, client: Any, east_steward: Any, steward: Any
) -> None:
    api.login(east_steward)
    assert api.get("/api/v1/privacy/requests").status_code == 403
    made = api.post("/api/v1/privacy/requests", {"kind": "access", "phone": "13600001111"})
    assert made.status_code == 403
    client.force_login(east_steward)
    assert client.get("/privacy/requests/").status_code == 403
    assert client.get("/settings/retention/").status_code == 403
    assert 'id="nav-privacy"' not in client.get("/customers/").content.decode()
    api.login(steward)
    assert api.get("/api/v1/privacy/requests").status_code == 200
    client.force_login(steward)
    assert 'id="nav-privacy"' in client.get("/customers/").content.decode()
