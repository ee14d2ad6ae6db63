"""Follow-up tasks: API (mine, per customer, create, complete) and the "my tasks" page."""

from __future__ import annotations

import pytest

from kehu.audit.models import AuditEntry
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followup_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(customer_factory, rep):
    customer = customer_factory(name="任务贸易")
    return followup_create(
        actor=None, customer=customer, kind=FollowUp.Kind.VERIFY, title="验证客户: 任务贸易"
    )


def test_my_tasks_lists_open_tasks_assigned_to_me(api, rep, rep2, task):
    body = api.login(rep).get("/api/v1/follow-ups").json()
    assert [t["id"] for t in body["items"]] == [task.pk]
    item = body["items"][0]
    assert (item["kind"], item["owner"], item["customer_no"]) == (
        "verify",
        "rep",
        task.customer.customer_no,
    )
    assert api.login(rep2).get("/api/v1/follow-ups").json()["items"] == []


def test_customer_tasks_need_sight_of_the_customer(api, manager, outsider, task):
    url = f"/api/v1/customers/{task.customer.customer_no}/follow-ups"
    assert [t["id"] for t in api.login(manager).get(url).json()["items"]] == [task.pk]
    assert api.login(outsider).get(url).status_code == 404


def test_create_a_task_with_its_fields_checked(api, rep, customer_factory):
    customer = customer_factory(name="新建任务")
    url = f"/api/v1/customers/{customer.customer_no}/follow-ups"
    bad = api.login(rep).post(url, {"kind": "nonsense", "due_date": "soon"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"kind", "due_date", "title"}
    assert not FollowUp.objects.exists()
    created = api.post(url, {"kind": "下一步", "title": "回电话", "due_date": "2026年12月1日"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["due_date"], body["owner"]) == ("next_action", "2026-12-01", "rep")


def test_complete_once_and_audited(api, rep, task):
    url = f"/api/v1/follow-ups/{task.pk}/complete"
    response = api.login(rep).post(url, {"note": "电话确认仍在经营"})
    assert response.status_code == 200
    assert response.json()["is_done"] is True
    assert response.json()["done_by"] == "rep"
    assert AuditEntry.objects.filter(action="followup.completed").count() == 1
    assert api.post(url).status_code == 409
    assert api.get("/api/v1/follow-ups").json()["items"] == []
    assert len(api.get("/api/v1/follow-ups", include_done=True).json()["items"]) == 1


def test_outsider_cannot_complete(api, outsider, task):
    entries = AuditEntry.objects.count()
    assert api.login(outsider).post(f"/api/v1/follow-ups/{task.pk}/complete").status_code == 404
    task.refresh_from_db()
    assert task.done_at is None
    assert AuditEntry.objects.count() == entries


def test_my_tasks_page_and_done_button(client, rep, task):
    client.force_login(rep)
    page = client.get("/follow-ups/")
    assert page.status_code == 200
    assert "验证客户: 任务贸易" in page.content.decode()
    done = client.post(f"/follow-ups/{task.pk}/done/", HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert f'id="follow-up-{task.pk}"' in done.content.decode()
    task.refresh_from_db()
    assert task.done_by == rep
