"""Optimistic locking of opportunities and orders through the API: a stale version is 409 with
both versions; a hand-over raises the version so an open edit conflicts."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kehu.opportunities.models import Opportunity, Order

pytestmark = pytest.mark.django_db


def patch(client: Client, url: str, data: dict, **headers: str):
    return client.patch(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def two(rep, manager):
    first, second = Client(), Client()
    first.force_login(rep)
    second.force_login(manager)
    return first, second


def test_opportunity_edit_conflict(two, customer_factory):
    customer = customer_factory()
    first, second = two
    created = first.post(
        f"/api/v1/customers/{customer.customer_no}/opportunities",
        json.dumps({"title": "二期产线改造", "expected_amount": "50万"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/opportunities/{created.json()['id']}"
    opened = first.get(url)
    version = opened.json()["version"]
    assert opened.headers["ETag"] == f'W/"{version}"'
    assert (
        patch(second, url, {"title": "二期产线自动化改造", "version": version}).status_code == 200
    )
    stale = patch(first, url, {"expected_close_date": "2026-06-30", "version": version})
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["code"] == "version_conflict"
    assert body["yours"] == {"version": version, "expected_close_date": "2026-06-30"}
    assert body["current"]["version"] == version + 1
    assert body["current"]["title"] == "二期产线自动化改造"
    assert body["changed_fields"] == ["title"]
    assert body["changed_by"] == "王经理"
    opportunity = Opportunity.objects.get()
    assert opportunity.title == "二期产线自动化改造"
    assert opportunity.expected_close_date is None


def test_order_edit_conflict_with_if_match(two, customer_factory):
    customer = customer_factory()
    first, second = two
    created = first.post(
        f"/api/v1/customers/{customer.customer_no}/orders",
        json.dumps({"amount": "1万", "notes": "首单"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/orders/{created.json()['order_no']}"
    etag = first.get(url).headers["ETag"]
    assert etag == 'W/"1"'
    assert patch(second, url, {"status": "in_progress"}, **{"If-Match": etag}).status_code == 200
    stale = patch(first, url, {"notes": "首单（已付定金）"}, **{"If-Match": etag})
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["changed_fields"] == ["status"]
    assert body["current"]["status"] == "in_progress"
    assert body["yours"] == {"version": 1, "notes": "首单（已付定金）"}
    order = Order.objects.get()
    assert (order.notes, order.status, order.version) == ("首单", "in_progress", 2)


def test_hand_over_raises_the_versions(rep, rep2, manager, customer_factory):
    """Reassigning in bulk (a hand-over) is an edit too: forms opened before it conflict."""
    from kehu.customers.services import customers_reassign
    from kehu.opportunities.services import opportunities_reassign, opportunity_create

    customer = customer_factory()
    opportunity = opportunity_create(actor=rep, customer=customer, data={"title": "续约"})
    before = Opportunity.objects.get(pk=opportunity.pk).version
    customers_reassign(actor=manager, plan={customer.pk: rep2}, note="hand-over")
    opportunities_reassign(actor=manager, plan={opportunity.pk: rep2}, note="hand-over")
    customer.refresh_from_db()
    assert (customer.owner, customer.version) == (rep2, 2)
    assert Opportunity.objects.get(pk=opportunity.pk).version == before + 1
    client = Client()
    client.force_login(manager)
    stale = patch(
        client, f"/api/v1/customers/{customer.customer_no}", {"notes": "交接后", "version": 1}
    )
    assert stale.status_code == 409
    assert stale.json()["changed_fields"] == ["owner"]


def test_stage_form_opened_before_another_change_conflicts(rep, manager, customer_factory):
    from kehu.opportunities.services import opportunity_create

    customer = customer_factory()
    deal = opportunity_create(actor=rep, customer=customer, data={"title": "三期扩产"})
    mine = Client()
    mine.force_login(manager)
    page = mine.get(f"/opportunities/{deal.pk}/")
    version = page.context["opportunity"].version
    assert f'name="version" value="{version}"' in page.content.decode()
    theirs = Client()
    theirs.force_login(rep)
    assert (
        patch(theirs, f"/api/v1/opportunities/{deal.pk}", {"stage": "proposal"}).status_code == 200
    )
    response = mine.post(
        f"/opportunities/{deal.pk}/stage/", {"stage": "negotiation", "version": version}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="version-conflict"' in body and "张销售" in body
    [clash] = response.context["clashes"]
    assert (clash.name, clash.theirs, clash.yours) == ("stage", "方案报价", "商务谈判")
    assert Opportunity.objects.get(pk=deal.pk).stage == "proposal"
    # The page again carries the current version: sending the move again applies it.
    fresh = response.context["opportunity"].version
    assert fresh == version + 1
    again = mine.post(
        f"/opportunities/{deal.pk}/stage/", {"stage": "negotiation", "version": fresh}
    )
    assert again.status_code == 302
    assert Opportunity.objects.get(pk=deal.pk).stage == "negotiation"
