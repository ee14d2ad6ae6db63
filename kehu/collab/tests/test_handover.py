"""Hand-over of a departing rep: plan (counts per successor and the pool), confirm, one
transaction; the default successor takes every customer left on "default" (issue 14.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from kehu.accounts.models import ApiToken, Notification, User
from kehu.accounts.services import api_token_create
from kehu.audit.models import AuditEntry
from kehu.collab.models import HandOver
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followup_create
from kehu.opportunities.models import Opportunity
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


def owners() -> dict[str, str | None]:
    return {c.name: (c.owner.username if c.owner else None) for c in Customer.objects.all()}


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
    # The pool is chosen with "pool": "" now means "the default" (issue 14.1: an empty choice
    # read as the pool is what sent 381 of 383 customers there).
    rep_client = Client()
    rep_client.force_login(rep)
    _token, raw = api_token_create(actor=rep, user=rep)
    api.login(manager)
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover",
        {
            "assignments": {book["a"].customer_no: "rep2", book["c"].customer_no: "pool"},
            "default": manager.username,
        },
    )
    assert response.status_code == 200, response.content
    summary = response.json()["summary"]
    assert summary["customers"] == 3 and summary["tokens_revoked"] == 1
    assert summary["successors"]["rep2"] == {"customers": 1, "opportunities": 1, "follow_ups": 0}
    assert summary["successors"]["manager"] == {
        "customers": 1,
        "opportunities": 0,
        "follow_ups": 1,
    }
    assert summary["pool"]["customers"] == 1
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
    assert AuditEntry.objects.filter(action="user.handed_over").count() == 1
    # The successor sees the whole history, and was told what they received.
    api.login(rep2)
    assert api.get(f"/api/v1/customers/{book['a'].customer_no}/history").status_code == 200
    notification = api.get("/api/v1/notifications").json()[0]
    assert notification["link"] == "/customers/?owner=me"
    assert "1" in notification["message"] and "张销售" in notification["message"]


def test_default_successor_takes_every_customer_left_on_default(
    api: Any, manager: User, rep: User, rep2: User, book: Any
) -> None:
    """The regression: 李 chosen as default successor got nothing; the rest went to the pool."""
    api.login(manager)
    blank = {c.customer_no: "" for c in book.values()}  # what the old page sent for "default"
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover", {"assignments": blank, "default": "rep2"}
    )
    assert response.status_code == 200, response.content
    assert set(owners().values()) == {"rep2"}
    assert Notification.objects.filter(user=rep2).count() == 1
    assert Opportunity.objects.get().owner == rep2 and FollowUp.objects.get().owner == rep2


def test_missing_successor_is_named_and_nothing_changes(
    api: Any, manager: User, rep: User, rep2: User, book: Any
) -> None:
    api.login(manager)
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover",
        {"assignments": {book["a"].customer_no: "rep2", "CX000000000000": "rep2"}},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert book["b"].customer_no in errors and book["c"].customer_no in errors
    assert "CX000000000000" in errors  # not one of the rep's customers
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
        plan = api.post(f"/api/v1/users/{rep.pk}/handover/plan", {"default": actor.username})
        assert plan.status_code == 404
    rep.refresh_from_db()
    assert rep.is_active and Customer.objects.filter(owner=rep).count() == 3


def test_plan_counts_per_successor_and_pool_and_changes_nothing(
    api: Any, manager: User, rep: User, rep2: User, book: Any
) -> None:
    api.login(manager)
    audit_before = AuditEntry.objects.count()
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover/plan",
        {"assignments": {book["c"].customer_no: "pool"}, "default": "rep2"},
    )
    assert response.status_code == 200, response.content
    plan = response.json()
    assert plan["customers"] == 3 and plan["opportunities"] == 1 and plan["follow_ups"] == 1
    assert plan["successors"] == [
        {
            "username": "rep2",
            "label": "李销售",
            "customers": 2,
            "opportunities": 1,
            "follow_ups": 1,
        }
    ]
    assert plan["pool"] == {"customers": 1, "opportunities": 0, "follow_ups": 0}
    assert set(owners().values()) == {"rep"}
    assert AuditEntry.objects.count() == audit_before
    rep.refresh_from_db()
    assert rep.is_active


def test_confirm_with_a_stale_plan_is_refused(
    api: Any, manager: User, rep: User, rep2: User, book: Any, customer_factory: Any
) -> None:
    api.login(manager)
    body = {"default": "rep2"}
    token = api.post(f"/api/v1/users/{rep.pk}/handover/plan", body).json()["plan_token"]
    customer_factory(name="丁方新客户有限公司")  # the book changed after the plan was shown
    response = api.post(f"/api/v1/users/{rep.pk}/handover", {**body, "plan_token": token})
    assert response.status_code == 409
    assert Customer.objects.filter(owner=rep).count() == 4
    rep.refresh_from_db()
    assert rep.is_active and not HandOver.objects.exists()
    token = api.post(f"/api/v1/users/{rep.pk}/handover/plan", body).json()["plan_token"]
    response = api.post(f"/api/v1/users/{rep.pk}/handover", {**body, "plan_token": token})
    assert response.status_code == 200
    assert Customer.objects.filter(owner=rep2).count() == 4


def test_open_rows_follow_their_customer_and_closed_ones_stay(
    api: Any, manager: User, rep: User, rep2: User, book: Any, customer_factory: Any
) -> None:
    won = opportunity_create(
        actor=rep, customer=book["a"], data={"title": "已赢单", "stage": "won"}
    )
    pooled_task = followup_create(
        actor=rep, customer=book["c"], kind="next_action", title="池中任务", owner=rep
    )
    # A task of the rep on a customer someone else owns goes to the default successor.
    elsewhere = customer_factory(actor=manager, name="戊方他人客户有限公司", owner="manager")
    followup_create(actor=rep, customer=elsewhere, kind="next_action", title="代办", owner=rep)
    api.login(manager)
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover",
        {"assignments": {book["c"].customer_no: "pool"}, "default": "rep2"},
    )
    assert response.status_code == 200, response.content
    assert Opportunity.objects.get(title="年度采购").owner == rep2
    assert Opportunity.objects.get(pk=won.pk).owner == rep  # closed: history, not work
    pooled_task.refresh_from_db()
    assert pooled_task.owner is None  # followed its customer into the pool
    assert FollowUp.objects.get(title="回访").owner == rep2
    assert FollowUp.objects.get(title="代办").owner == rep2
    entries = AuditEntry.objects.filter(action="followup.reassigned")
    assert entries.count() == 3
    assert AuditEntry.objects.filter(action="opportunity.updated").count() == 1


def test_one_audit_entry_per_customer_and_search_follows(
    api: Any, manager: User, rep: User, rep2: User, book: Any
) -> None:
    api.login(manager)
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover",
        {"assignments": {book["c"].customer_no: "pool"}, "default": "rep2"},
    )
    assert response.status_code == 200
    moved = AuditEntry.objects.filter(action="customer.updated", note__contains="张销售")
    assert moved.count() == 2
    assert moved[0].changes["owner"] == ["张销售", "李销售"]
    pooled = AuditEntry.objects.get(action="customer.pooled", customer_id=book["c"].pk)
    assert pooled.changes["owner"] == ["张销售", None]
    api.login(rep2)
    found = api.get("/api/v1/search", q="甲方科技").json()
    assert book["a"].customer_no in str(found)


def test_a_failure_at_the_end_leaves_the_book_as_it_was(
    api: Any, manager: User, rep: User, rep2: User, book: Any, monkeypatch: Any
) -> None:
    """One transaction: deactivation failing after the customers moved undoes the moves."""

    def refuse(**kwargs: Any) -> None:
        raise ValidationFailed({"user": ["refused for the test"]})

    monkeypatch.setattr("kehu.collab.services.user_deactivate", refuse)
    audit_before = AuditEntry.objects.count()
    api.login(manager)
    response = api.post(f"/api/v1/users/{rep.pk}/handover", {"default": "rep2"})
    assert response.status_code == 422
    assert set(owners().values()) == {"rep"}
    assert Opportunity.objects.get().owner == rep and FollowUp.objects.get().owner == rep
    assert AuditEntry.objects.count() == audit_before
    assert not Notification.objects.exists() and not HandOver.objects.exists()


def test_a_customer_without_a_team_cannot_go_to_the_pool(
    api: Any, admin_user: User, rep: User, rep2: User, customer_factory: Any
) -> None:
    loner = customer_factory(actor=admin_user, name="无团队客户有限公司", owner="rep")
    Customer.objects.filter(pk=loner.pk).update(team=None)
    api.login(admin_user)
    response = api.post(f"/api/v1/users/{rep.pk}/handover", {"default": "pool"})
    assert response.status_code == 422
    assert loner.customer_no in response.json()["errors"]
    loner.refresh_from_db()
    assert loner.owner == rep


def test_handover_page_shows_counts_before_it_confirms(
    client: Client, manager: User, rep: User, rep2: User, book: Any
) -> None:
    client.force_login(manager)
    page = client.get("/users/")
    assert page.status_code == 200 and f"/users/{rep.pk}/handover/" in page.content.decode()
    page = client.get(f"/users/{rep.pk}/handover/")
    assert page.status_code == 200
    assert "甲方科技有限公司" in page.content.decode()
    # The form as the browser sends it: every row left on "default", 李 the default successor.
    form = {f"to_{c.customer_no}": "default" for c in book.values()}
    review = client.post(f"/users/{rep.pk}/handover/", {**form, "default": "rep2", "step": "plan"})
    assert review.status_code == 200
    html = review.content.decode()
    assert 'data-username="rep2"' in html and "李销售" in html
    assert 'class="plan-pool"' not in html  # nothing goes to the pool
    assert set(owners().values()) == {"rep"}  # the review changed nothing
    token = review.context["plan"].token
    response = client.post(
        f"/users/{rep.pk}/handover/",
        {**form, "default": "rep2", "step": "confirm", "plan_token": token},
    )
    assert response.status_code == 302
    assert Customer.objects.filter(owner=rep2).count() == 3
    client.force_login(rep2)
    assert "张销售" in client.get("/notifications/").content.decode()


def test_handover_page_names_customers_left_without_a_choice(
    client: Client, manager: User, rep: User, rep2: User, book: Any
) -> None:
    client.force_login(manager)
    form = {f"to_{c.customer_no}": "default" for c in book.values()}
    form[f"to_{book['a'].customer_no}"] = "pool"
    response = client.post(f"/users/{rep.pk}/handover/", {**form, "default": "", "step": "plan"})
    assert response.status_code == 422
    html = response.content.decode()
    errors = response.context["errors"]
    assert set(errors) == {"default", book["b"].customer_no, book["c"].customer_no}
    assert "2" in errors["default"][0]  # how many are left on the default
    assert 'id="handover-errors"' in html
    assert 'value="pool" selected' in html  # the choice made is kept
    assert set(owners().values()) == {"rep"}
