"""Hand-over of a departing rep: preview, split among successors and the pool, one transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from kehu.accounts.models import ApiToken, Notification, User
from kehu.accounts.services import api_token_create
from kehu.audit.models import AuditEntry
from kehu.collab.models import HandOver
from kehu.customers.models import Customer
from kehu.interactions.followups import followup_create
from kehu.opportunities.services import opportunity_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(rep: User, customer_factory: Any) -> dict[str, Customer]:
    a = customer_factory(name="甲方科技有限公司")
    b = customer_factory(name="乙方贸易有限公司")
    c = customer_factory(name="丙方建设有限公司")
    opportunity_create(actor=rep, customer=a, data={"title": "年度采购"})
    followup_create(actor=rep, customer=b, kind="next_action", title="回访", owner=rep)
    return {"a": a, "b": b, "c": c}


def test_preview_lists_customers_opportunities_and_tasks(
    api: Any, manager: User, rep: User, book: Any
) -> None:
    api.login(manager)
    body = api.get(f"/api/v1/users/{rep.pk}/handover").json()
    assert {c["customer_no"] for c in body["customers"]} == {c.customer_no for c in book.values()}
    assert [o["label"] for o in body["opportunities"]] == ["年度采购"]
    assert [f["label"] for f in body["follow_ups"]] == ["回访"]


def test_split_among_successors_and_pool_in_one_step(
    api: Any, manager: User, rep: User, rep2: User, book: Any
) -> None:
    rep_client = Client()
    rep_client.force_login(rep)
    _token, raw = api_token_create(actor=rep, user=rep)
    api.login(manager)
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover",
        {
            "assignments": {book["a"].customer_no: "rep2", book["c"].customer_no: ""},
            "default": manager.username,
        },
    )
    assert response.status_code == 200, response.content
    summary = response.json()["summary"]
    assert summary["customers"] == 3 and summary["tokens_revoked"] == 1
    for customer in book.values():
        customer.refresh_from_db()
    assert book["a"].owner == rep2
    assert book["b"].owner == manager
    assert book["c"].owner is None and book["c"].team_id == rep.team_id  # the team pool
    assert book["a"].opportunities.get().owner == rep2
    assert book["b"].follow_ups.get().owner == manager
    rep.refresh_from_db()
    assert not rep.is_active
    assert not ApiToken.objects.get(user=rep).is_active
    assert not any(
        str(s.get_decoded().get("_auth_user_id")) == str(rep.pk) for s in Session.objects.all()
    )
    assert rep_client.get("/customers/").status_code == 302  # logged out
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert Notification.objects.filter(user=rep2, message__contains="甲方科技").exists()
    assert AuditEntry.objects.filter(action="user.handed_over").count() == 1
    # The successor sees the whole history.
    api.login(rep2)
    assert api.get(f"/api/v1/customers/{book['a'].customer_no}/history").status_code == 200
    assert api.get("/api/v1/notifications").json()[0]["link"] == "/customers/?owner=me"


def test_missing_successor_is_named_and_nothing_changes(
    api: Any, manager: User, rep: User, rep2: User, book: Any
) -> None:
    api.login(manager)
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover", {"assignments": {book["a"].customer_no: "rep2"}}
    )
    assert response.status_code == 422
    assert book["b"].customer_no in response.json()["errors"]
    rep.refresh_from_db()
    assert rep.is_active
    assert Customer.objects.filter(owner=rep).count() == 3
    assert not HandOver.objects.exists()


def test_outsiders_cannot_hand_over(
    api: Any, outsider: User, rep: User, rep2: User, book: Any
) -> None:
    for actor in (outsider, rep2):
        api.login(actor)
        assert api.get(f"/api/v1/users/{rep.pk}/handover").status_code == 404
        response = api.post(f"/api/v1/users/{rep.pk}/handover", {"default": actor.username})
        assert response.status_code == 404
    rep.refresh_from_db()
    assert rep.is_active and Customer.objects.filter(owner=rep).count() == 3


def test_handover_page(client: Client, manager: User, rep: User, rep2: User, book: Any) -> None:
    client.force_login(manager)
    page = client.get("/users/")
    assert page.status_code == 200 and f"/users/{rep.pk}/handover/" in page.content.decode()
    page = client.get(f"/users/{rep.pk}/handover/")
    assert page.status_code == 200
    assert book["a"].customer_no in page.content.decode()
    response = client.post(f"/users/{rep.pk}/handover/", {"default": "rep2"})
    assert response.status_code == 302
    assert Customer.objects.filter(owner=rep2).count() == 3
    client.force_login(rep2)
    assert "甲方科技" in client.get("/notifications/").content.decode()
