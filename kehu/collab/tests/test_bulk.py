"""Bulk actions on customers chosen in the list (issue 15): assign, tags, status through
approval, export; /api/v1/customers/bulk and the list page's form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import Team, User
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.review.models import ReviewItem
from kehu.tags.models import CustomerTag
from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/bulk"


@pytest.fixture(autouse=True)
def _library_tags(db: Any) -> None:
    """Tags are applied from the library only (issue 17): these tests' tags are in it."""
    library("重点跟进", "甲", "乙", "a")


@pytest.fixture
def book(customer_factory: Any) -> list[Customer]:
    return [customer_factory(name=f"批量测试{i}号贸易有限公司") for i in range(3)]


def nos(customers: list[Customer]) -> list[str]:
    return [c.customer_no for c in customers]


def test_manager_assigns_chosen_customers_to_a_team_member(
    api: Any, book: list[Customer], manager: User, rep2: User
) -> None:
    response = api.login(manager).post(
        URL, {"customer_nos": nos(book[:2]), "action": "assign", "owner": rep2.username}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"action": "assign", "updated": 2, "unchanged": 0, "held": []}
    owners = dict(Customer.objects.values_list("customer_no", "owner__username"))
    assert [owners[n] for n in nos(book)] == ["rep2", "rep2", "rep"]
    assert (
        AuditEntry.objects.filter(
            action="customer.updated", target_id__in=[str(c.pk) for c in book[:2]]
        ).count()
        >= 2
    )


def test_a_rep_cannot_hand_customers_to_a_colleague(
    api: Any, book: list[Customer], rep: User, rep2: User
) -> None:
    response = api.login(rep).post(
        URL, {"customer_nos": nos(book), "action": "assign", "owner": rep2.username}
    )
    assert response.status_code == 422
    assert "owner" in response.json()["errors"]
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"rep"}


def test_unknown_or_foreign_numbers_are_named_and_nothing_is_written(
    api: Any, book: list[Customer], rep: User, customer_factory: Any, outsider: User
) -> None:
    foreign = customer_factory(actor=outsider, name="华南别人的客户有限公司")
    response = api.login(rep).post(
        URL,
        {
            "customer_nos": [*nos(book), "CX19990101-0001", foreign.customer_no],
            "action": "tag",
            "tags": ["重点跟进"],
        },
    )
    assert response.status_code == 422
    message = " ".join(response.json()["errors"]["customer_nos"])
    assert "CX19990101-0001" in message and foreign.customer_no in message
    assert not CustomerTag.objects.exists()


def test_add_and_remove_tags(api: Any, book: list[Customer], rep: User) -> None:
    api.login(rep)
    body = {"customer_nos": nos(book[:2]), "action": "tag", "tags": ["重点跟进", "展会"]}
    assert api.post(URL, body).json()["updated"] == 2
    again = api.post(URL, {**body, "customer_nos": nos(book)}).json()
    assert (again["updated"], again["unchanged"]) == (1, 2)
    tags = api.get(f"/api/v1/customers/{book[0].customer_no}/tags").json()["tags"]
    assert sorted(t if isinstance(t, str) else t["name"] for t in tags) == ["展会", "重点跟进"]
    removed = api.post(URL, {"customer_nos": nos(book), "action": "untag", "tags": ["展会"]})
    assert removed.json()["updated"] == 3
    assert CustomerTag.objects.filter(tag__name="展会").count() == 0
    assert CustomerTag.objects.filter(tag__name="重点跟进").count() == 3


def test_status_to_won_waits_for_approval(api: Any, book: list[Customer], rep: User) -> None:
    api.login(rep)
    response = api.post(
        URL,
        {"customer_nos": nos(book[:2]), "action": "status", "status": "won", "reason": "签约"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["updated"] == 0 and len(body["held"]) == 2
    assert all(h["pending_id"] for h in body["held"])
    assert set(Customer.objects.values_list("status", flat=True)) == {"lead"}
    assert ReviewItem.objects.filter(status="pending").count() >= 2
    interested = api.post(
        URL,
        {"customer_nos": nos(book), "action": "status", "status": "intent", "reason": "有意向"},
    )
    assert interested.json()["updated"] == 3


def test_missing_inputs_are_named(api: Any, book: list[Customer], rep: User) -> None:
    api.login(rep)
    errors = api.post(URL, {"customer_nos": nos(book), "action": "status"}).json()["errors"]
    assert {"status", "reason"} <= set(errors)
    assert "tags" in api.post(URL, {"customer_nos": nos(book), "action": "tag"}).json()["errors"]
    assert "action" in api.post(URL, {"customer_nos": nos(book), "action": "x"}).json()["errors"]
    assert (
        "customer_nos"
        in api.post(URL, {"customer_nos": [], "action": "tag", "tags": ["a"]}).json()["errors"]
    )


def test_list_page_form_assigns_and_comes_back(
    client: Client, book: list[Customer], manager: User, rep2: User, team_east: Team
) -> None:
    client.force_login(manager)
    page = client.get("/customers/", {"order": "name"}).content.decode()
    assert 'id="bulk-form"' in page and 'class="pick"' in page
    assert f'value="{rep2.pk}"' in page  # a team member is offered
    response = client.post(
        "/customers/bulk/",
        {
            "customer_no": nos(book[:2]),
            "action": "assign",
            "owner": str(rep2.pk),
            "next": "/customers/?order=name",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/customers/?order=name"
    assert Customer.objects.filter(owner=rep2).count() == 2
    shown = client.get("/customers/?order=name").content.decode()
    assert 'class="message success"' in shown


def test_list_page_bulk_errors_are_messages(
    client: Client, book: list[Customer], rep: User
) -> None:
    client.force_login(rep)
    response = client.post(
        "/customers/bulk/", {"customer_no": nos(book), "action": "tag", "tags": ""}, follow=True
    )
    assert response.status_code == 200
    assert "message error" in response.content.decode()
    assert not CustomerTag.objects.exists()
    offsite = client.post(
        "/customers/bulk/",
        {
            "customer_no": nos(book),
            "action": "tag",
            "tags": "甲，乙",
            "next": "https://evil.example/",
        },
    )
    assert offsite["Location"] == "/customers/"
    assert CustomerTag.objects.filter(tag__name__in=["甲", "乙"]).count() == 6


def test_export_of_chosen_rows(client: Client, book: list[Customer], rep: User) -> None:
    client.force_login(rep)
    response = client.post(
        "/customers/bulk/", {"customer_no": nos(book[:2]), "action": "export_csv"}
    )
    assert response.status_code == 302
    exported = client.get(response["Location"])
    assert exported.status_code == 200
    text = b"".join(exported.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert book[0].customer_no in text and book[1].customer_no in text
    assert book[2].customer_no not in text
