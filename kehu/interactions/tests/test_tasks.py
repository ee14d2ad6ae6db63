"""Tasks (issue 16): an interaction's next action becomes a task, once; tasks are created,
reassigned, snoozed and completed through the API and the pages, audited."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.accounts.models import Notification
from kehu.audit.models import AuditEntry
from kehu.interactions.models import FollowUp, Interaction
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def log(api, customer, **data):
    response = api.post(
        f"/api/v1/customers/{customer.customer_no}/interactions",
        {**STANDARD, "method": "电话", **data},
    )
    assert response.status_code == 201, response.content
    return Interaction.objects.get(interaction_no=response.json()["interaction_no"])


def test_next_action_becomes_a_task_for_the_performer(api, rep, customer_factory, frozen):
    customer = customer_factory(name="任务来源贸易")
    interaction = log(
        api.login(rep), customer, next_action="周五发报价", next_action_due="2026-03-13"
    )
    task = FollowUp.objects.get()
    assert (task.kind, task.title, task.owner, task.due_date, task.interaction) == (
        "next_action",
        "周五发报价",
        rep,
        date(2026, 3, 13),
        interaction,
    )
    # Reminded at 9:00 on its day in the assignee's zone.
    assert task.remind_at == datetime(2026, 3, 13, 9, 0, tzinfo=SHANGHAI)
    assert AuditEntry.objects.filter(action="followup.created").count() == 1
    body = api.get("/api/v1/follow-ups").json()["items"][0]
    assert (body["interaction_no"], body["owner_name"]) == (interaction.interaction_no, "张销售")


def test_next_action_owner_gets_the_task_and_edits_follow_once(
    api, rep, manager, customer_factory, frozen
):
    customer = customer_factory(name="任务负责人贸易")
    interaction = log(api.login(rep), customer, next_action_owner="manager")
    assert FollowUp.objects.get().owner == manager
    url = f"/api/v1/interactions/{interaction.interaction_no}"
    changed = api.patch(url, {"next_action": "改为下周一拜访", "next_action_due": "2026-03-16"})
    assert changed.status_code == 200, changed.content
    changed = api.patch(url, {"topic": "只改主题"})  # the task is as it was: nothing new
    task = FollowUp.objects.get()  # still one task: idempotent
    assert (task.title, task.due_date) == ("改为下周一拜访", date(2026, 3, 16))
    assert AuditEntry.objects.filter(action="followup.snoozed").count() == 1
    # A done task is not reopened or changed by a later edit.
    api.post(f"/api/v1/follow-ups/{task.pk}/complete")
    api.patch(url, {"next_action": "再改一次"})
    task.refresh_from_db()
    assert task.title == "改为下周一拜访" and task.done_at is not None
    assert FollowUp.objects.count() == 1


def test_create_reassign_snooze_complete_through_the_api(
    api, rep, rep2, outsider, customer_factory, frozen
):
    customer = customer_factory(name="接口任务贸易")
    created = api.login(rep).post(
        "/api/v1/follow-ups",
        {
            "customer_no": customer.customer_no,
            "kind": "拜访",
            "title": "上门演示",
            "due_date": "2026-03-12",
            "due_time": "14:30",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "visit"
    assert body["due_at"].startswith("2026-03-12T06:30:00")  # 14:30 Shanghai, in UTC
    url = f"/api/v1/follow-ups/{body['id']}"
    # Reassign: only to someone who works on the customer.
    refused = api.patch(url, {"owner": "outsider"})
    assert refused.status_code == 422 and "owner" in refused.json()["errors"]
    moved = api.patch(url, {"owner": "rep2"})
    assert moved.status_code == 200 and moved.json()["owner"] == "rep2"
    assert Notification.objects.filter(user=rep2, message__contains="上门演示").exists()
    # Snooze: a new day and time; the reminder will fire again.
    snoozed = api.patch(url, {"due_date": "2026-03-19", "due_time": "10:00"})
    assert snoozed.status_code == 200
    assert snoozed.json()["due_date"] == "2026-03-19"
    assert snoozed.json()["reminded_at"] is None
    actions = list(
        AuditEntry.objects.filter(action__startswith="followup.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["followup.created", "followup.reassigned", "followup.snoozed"]
    assert api.patch(url, {"due_time": "25:00"}).status_code == 422
    # rep no longer holds the task but still owns the customer: may complete it.
    assert api.post(f"{url}/complete").status_code == 200
    assert api.patch(url, {"title": "太晚了"}).status_code == 409
    # An outsider sees nothing.
    assert api.login(outsider).patch(url, {"title": "x"}).status_code == 404


def test_create_needs_a_visible_customer(api, outsider, customer_factory):
    customer = customer_factory(name="看不见的任务")
    response = api.login(outsider).post(
        "/api/v1/follow-ups", {"customer_no": customer.customer_no, "kind": "其他", "title": "x"}
    )
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_my_day_buckets(api, client, rep, customer_factory, frozen):
    customer = customer_factory(name="今日贸易")
    api.login(rep)
    for title, day in (
        ("过期的", "2026-03-09"),
        ("今天的", "2026-03-10"),
        ("后天的", "2026-03-12"),
    ):
        api.post(
            f"/api/v1/customers/{customer.customer_no}/follow-ups",
            {"kind": "other", "title": title, "due_date": day},
        )
    api.post(
        f"/api/v1/customers/{customer.customer_no}/follow-ups", {"kind": "other", "title": "随时"}
    )
    body = api.get("/api/v1/my-day").json()
    assert body["today"] == "2026-03-10"
    titles = {
        k: [t["title"] for t in body[k]] for k in ("overdue", "due_today", "upcoming", "undated")
    }
    assert titles == {
        "overdue": ["过期的"],
        "due_today": ["今天的"],
        "upcoming": ["后天的"],
        "undated": ["随时"],
    }
    page = client.get("/my-day/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("过期的") < text.index("今天的") < text.index("后天的")
    assert "今日贸易" in text


def test_pages_complete_snooze_change_and_add(client, rep, rep2, customer_factory, frozen):
    customer = customer_factory(name="页面任务贸易")
    client.force_login(rep)
    added = client.post(
        f"/customers/{customer.customer_no}/follow-ups/new/",
        {"kind": "meeting", "title": "季度会议", "due_date": "2026-03-11", "due_time": "15:00"},
    )
    assert added.status_code == 302
    task = FollowUp.objects.get()
    assert task.kind == "meeting" and task.due_at == datetime(2026, 3, 11, 15, tzinfo=SHANGHAI)
    detail = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f'id="task-{task.pk}"' in detail and "季度会议" in detail
    snoozed = client.post(f"/follow-ups/{task.pk}/snooze/", {"days": "1"}, HTTP_HX_REQUEST="true")
    assert snoozed.status_code == 200
    task.refresh_from_db()
    assert task.due_at == datetime(2026, 3, 12, 15, tzinfo=SHANGHAI)
    edit = client.get(f"/follow-ups/{task.pk}/edit/")
    assert edit.status_code == 200 and "李销售" in edit.content.decode()
    saved = client.post(
        f"/follow-ups/{task.pk}/edit/",
        {"title": "季度会议", "owner": "rep2", "due_date": "2026-03-20", "due_time": ""},
    )
    assert saved.status_code == 302
    task.refresh_from_db()
    assert (task.owner, task.due_date) == (rep2, date(2026, 3, 20))
    assert task.due_at is None
    bad = client.post(f"/follow-ups/{task.pk}/edit/", {"title": "", "owner": "rep2"})
    assert bad.status_code == 422
    done = client.post(f"/follow-ups/{task.pk}/done/", {"as": "card"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and 'class="task-card done"' in done.content.decode()


def test_my_tasks_links_my_day(client, rep):
    client.force_login(rep)
    assert 'id="my-day-link"' in client.get("/follow-ups/").content.decode()
    assert 'id="nav-my-day"' in client.get("/my-day/").content.decode()


def test_quick_add_on_the_360_page_gives_the_next_action_to_a_colleague(
    client, rep, manager, customer_factory, frozen
):
    customer = customer_factory(name="快速记录贸易")
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/interactions/new/",
        {
            **STANDARD,
            "method": "phone",
            "next_action": "经理出面谈价格",
            "next_action_due": "2026-03-12",
            "next_action_owner": "王经理",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = FollowUp.objects.get()
    assert (task.owner, task.title, task.due_date) == (manager, "经理出面谈价格", date(2026, 3, 12))
    assert (
        'id="qi_next_action_owner"'
        in client.get(f"/customers/{customer.customer_no}/").content.decode()
    )
