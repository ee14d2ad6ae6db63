"""Optimistic locking through the API: two people edit one customer (or contact); the second
gets 409 with both versions and what the first changed, and nothing of either is lost."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from kehu.audit.models import AuditEntry
from kehu.customers.models import Contact, Customer
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db


def patch(client: Client, url: str, data: dict, **headers: str):
    return client.patch(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def two(rep, manager):
    """Two signed-in API clients: the rep (张销售) and the team's manager (王经理)."""
    first, second = Client(), Client()
    first.force_login(rep)
    second.force_login(manager)
    return first, second


def test_second_editor_gets_409_with_both_versions_and_nothing_is_lost(two, customer_factory):
    customer = customer_factory(name="华东机电有限公司")
    url = f"/api/v1/customers/{customer.customer_no}"
    first, second = two
    opened = first.get(url)
    assert opened.json()["version"] == 1
    assert opened.headers["ETag"] == 'W/"1"'
    assert second.get(url).json()["version"] == 1

    saved = patch(first, url, {"notes": "年底续约", "version": 1})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2
    assert saved.headers["ETag"] == 'W/"2"'

    entries = AuditEntry.objects.count()
    stale = patch(second, url, {"address": "上海市浦东新区世纪大道 100 号", "version": 1})
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["code"] == "version_conflict"
    assert body["yours"] == {"version": 1, "address": "上海市浦东新区世纪大道 100 号"}
    assert body["current"]["version"] == 2
    assert body["current"]["notes"] == "年底续约"
    assert body["changed_fields"] == ["notes"]
    assert body["changed_by"] == "张销售"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", body["changed_at"])
    assert body["detail"] == "您打开后，他人修改了这条记录；您的修改未保存。"
    customer.refresh_from_db()
    assert customer.notes == "年底续约"  # the first change stays
    assert customer.address == ""  # the second was not applied over it
    assert customer.version == 2
    assert AuditEntry.objects.count() == entries

    # Having seen the other change, the second editor sends it again on top of version 2.
    again = patch(second, url, {"address": "上海市浦东新区世纪大道 100 号", "version": 2})
    assert again.status_code == 200, again.content
    customer.refresh_from_db()
    assert (customer.notes, customer.address, customer.version) == (
        "年底续约",
        "上海市浦东新区世纪大道 100 号",
        3,
    )


def test_if_match_carries_the_version(two, customer_factory):
    customer = customer_factory()
    url = f"/api/v1/customers/{customer.customer_no}"
    first, second = two
    etag = first.get(url).headers["ETag"]
    assert patch(second, url, {"notes": "先改"}).status_code == 200
    stale = patch(first, url, {"notes": "后改"}, **{"If-Match": etag})
    assert stale.status_code == 409
    assert stale.json()["changed_fields"] == ["notes"]
    assert stale.json()["changed_by"] == "王经理"
    fresh = first.get(url).headers["ETag"]
    assert patch(first, url, {"notes": "后改"}, **{"If-Match": fresh}).status_code == 200
    assert Customer.objects.get(pk=customer.pk).notes == "后改"


def test_bad_if_match_and_disagreeing_versions_are_422_naming_the_header(two, customer_factory):
    customer = customer_factory()
    url = f"/api/v1/customers/{customer.customer_no}"
    first, _second = two
    bad = patch(first, url, {"notes": "x"}, **{"If-Match": "abc"})
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["If-Match"]
    both = patch(first, url, {"notes": "x", "version": 1}, **{"If-Match": 'W/"2"'})
    assert both.status_code == 422
    assert list(both.json()["errors"]) == ["If-Match"]
    zero = patch(first, url, {"notes": "x", "version": 0})
    assert zero.status_code == 422
    assert list(zero.json()["errors"]) == ["version"]
    assert Customer.objects.get(pk=customer.pk).notes == ""


def test_a_client_that_sends_no_version_is_not_checked(two, customer_factory):
    """Backward compatible: without version or If-Match the last write wins, as before."""
    customer = customer_factory()
    url = f"/api/v1/customers/{customer.customer_no}"
    first, second = two
    assert patch(first, url, {"notes": "甲"}).status_code == 200
    response = patch(second, url, {"notes": "乙"})
    assert response.status_code == 200
    assert response.json()["version"] == 3
    assert Customer.objects.get(pk=customer.pk).notes == "乙"


def test_bulk_change_raises_the_version_so_an_open_edit_conflicts(two, customer_factory, rep2):
    customers = [customer_factory(name=f"批量客户{i}") for i in range(2)]
    first, second = two
    url = f"/api/v1/customers/{customers[0].customer_no}"
    assert first.get(url).json()["version"] == 1
    response = second.post(
        "/api/v1/review/bulk-update",
        json.dumps(
            {"customer_nos": [c.customer_no for c in customers], "changes": {"size": "small"}}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [c.version for c in Customer.objects.order_by("pk")] == [2, 2]
    stale = patch(first, url, {"size": "large", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["changed_fields"] == ["size"]
    assert Customer.objects.get(pk=customers[0].pk).size == "small"


def test_logging_an_interaction_does_not_make_an_open_edit_stale(api, rep, customer_factory):
    """Derived fields (the last interaction, completeness) are no edit: no conflict for them."""
    customer = customer_factory()
    api.login(rep)
    version = api.get(f"/api/v1/customers/{customer.customer_no}").json()["version"]
    logged = api.post(
        f"/api/v1/customers/{customer.customer_no}/interactions",
        {**STANDARD, "method": "phone"},
    )
    assert logged.status_code == 201, logged.content
    response = api.patch(
        f"/api/v1/customers/{customer.customer_no}", {"notes": "报价已发", "version": version}
    )
    assert response.status_code == 200, response.content


def test_contact_edit_conflict(two, customer_factory):
    customer = customer_factory()
    contact = Contact.objects.get(customer=customer)
    url = f"/api/v1/contacts/{contact.pk}"
    first, second = two
    opened = first.get(url)
    assert opened.headers["ETag"] == 'W/"1"'
    assert patch(second, url, {"title": "董事长", "version": 1}).status_code == 200
    stale = patch(first, url, {"title": "副总经理", "version": 1})
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["code"] == "version_conflict"
    assert body["yours"] == {"version": 1, "title": "副总经理"}
    assert (body["current"]["version"], body["current"]["title"]) == (2, "董事长")
    assert body["changed_fields"] == ["title"]
    assert body["changed_by"] == "王经理"
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("董事长", 2)
