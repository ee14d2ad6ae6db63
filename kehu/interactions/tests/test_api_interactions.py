"""Interactions through the API: HD numbers, late entries, Chinese value lists, scope."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.interactions.models import Interaction
from kehu.interactions.tests.helpers import STANDARD

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.customer_no}/interactions"


def state() -> tuple[int, int]:
    return Interaction.objects.count(), AuditEntry.objects.count()


def test_log_an_interaction_in_chinese(api, rep, customer_factory, frozen):
    customer = customer_factory()
    contact = customer.contacts.get()
    api.login(rep)
    response = api.post(
        url(customer),
        {
            **STANDARD,
            "occurred_at": "2026年3月10日 10:30",
            "method": "拜访",
            "topic": "年度采购计划",
            "summary": "客户计划二季度采购。\n需要报价。",
            "feedback": "需进一步了解",
            "next_action": "发送报价单",
            "next_action_owner": "rep",
            "next_action_due": "2026/3/12",
            "contact_id": contact.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["interaction_no"] == f"HD{customer.customer_no}0001"
    assert body["method"] == "visit"
    assert body["feedback"] == "needs_more_info"
    assert body["contact_name"] == "王建国"
    assert body["next_action_owner"] == "rep"
    assert body["next_action_due"] == "2026-03-12"
    assert body["performed_by"] == "rep"
    assert body["is_late_entry"] is False
    assert datetime.fromisoformat(body["occurred_at"]) == datetime(
        2026, 3, 10, 10, 30, tzinfo=SHANGHAI
    )
    customer.refresh_from_db()
    assert customer.last_interaction_at == datetime(2026, 3, 10, 10, 30, tzinfo=SHANGHAI)
    entry = AuditEntry.objects.get(action="interaction.logged")
    assert entry.customer_id == customer.pk
    assert entry.changes["method"] == [None, "visit"]


def test_hd_numbers_run_per_customer(api, rep, customer_factory, frozen):
    first, second = customer_factory(), customer_factory()
    api.login(rep)
    numbers = [
        api.post(url(c), {**STANDARD, "method": "电话"}).json()["interaction_no"]
        for c in (first, first, second, first)
    ]
    assert numbers == [
        f"HD{first.customer_no}0001",
        f"HD{first.customer_no}0002",
        f"HD{second.customer_no}0001",
        f"HD{first.customer_no}0003",
    ]
    detail = api.get(f"/api/v1/interactions/{numbers[1].lower()}")
    assert detail.status_code == 200
    assert detail.json()["interaction_no"] == numbers[1]


@pytest.mark.parametrize(
    ("occurred_at", "late"),
    [
        ("2026-03-10 11:59", False),
        ("2026-03-09 12:30", False),
        ("2026-03-09 12:00", False),
        ("2026-03-09 11:59", True),
        ("2026年3月1日", True),
    ],
)
def test_late_entry_when_recorded_over_24_hours_after(
    api, rep, customer_factory, frozen, occurred_at, late
):
    customer = customer_factory()
    api.login(rep)
    response = api.post(url(customer), {**STANDARD, "method": "电话", "occurred_at": occurred_at})
    assert response.status_code == 201, response.content
    assert response.json()["is_late_entry"] is late


def test_occurred_at_defaults_to_now(api, rep, customer_factory, frozen):
    customer = customer_factory()
    api.login(rep)
    body = api.post(url(customer), {**STANDARD, "method": "微信"}).json()
    assert datetime.fromisoformat(body["occurred_at"]) == NOW
    assert body["method"] == "wechat"


def test_future_interaction_is_refused(api, rep, customer_factory, frozen):
    customer = customer_factory()
    api.login(rep)
    before = state()
    response = api.post(
        url(customer), {**STANDARD, "method": "会议", "occurred_at": "2026-03-11 09:00"}
    )
    assert response.status_code == 422
    assert "occurred_at" in response.json()["errors"]
    assert state() == before
    customer.refresh_from_db()
    assert customer.last_interaction_at is None


def test_bad_values_are_named(api, rep, customer_factory, outsider, frozen):
    customer = customer_factory()
    foreign = customer_factory(actor=outsider).contacts.get()
    api.login(rep)
    before = state()
    response = api.post(
        url(customer),
        {
            **STANDARD,
            "method": "飞鸽传书",
            "feedback": "还行",
            "occurred_at": "2026-02-30 10:00",
            "next_action_due": "下周",
            "next_action_owner": "nobody",
            "contact_id": foreign.pk,
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "method",
        "feedback",
        "occurred_at",
        "next_action_due",
        "next_action_owner",
        "contact_id",
    }
    assert api.post(url(customer), {**STANDARD, "topic": "无方式"}).json()["errors"].keys() == {
        "method"
    }
    assert state() == before


def test_update_and_delete_keep_last_interaction_at_right(api, rep, customer_factory, frozen):
    customer = customer_factory()
    api.login(rep)
    older = api.post(
        url(customer), {**STANDARD, "method": "电话", "occurred_at": "2026-03-01 09:00"}
    ).json()
    newer = api.post(
        url(customer), {**STANDARD, "method": "邮件", "occurred_at": "2026-03-05 09:00"}
    ).json()
    customer.refresh_from_db()
    assert customer.last_interaction_at == datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI)

    patched = api.patch(
        f"/api/v1/interactions/{older['interaction_no']}", {"occurred_at": "2026-03-08 09:00"}
    )
    assert patched.status_code == 200, patched.content
    customer.refresh_from_db()
    assert customer.last_interaction_at == datetime(2026, 3, 8, 9, 0, tzinfo=SHANGHAI)
    entry = AuditEntry.objects.get(action="interaction.updated")
    assert list(entry.changes) == ["occurred_at"]

    assert api.delete(f"/api/v1/interactions/{older['interaction_no']}").status_code == 204
    customer.refresh_from_db()
    assert customer.last_interaction_at == datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI)
    listed = api.get(url(customer)).json()["items"]
    assert [i["interaction_no"] for i in listed] == [newer["interaction_no"]]


def test_timeline_is_newest_first_and_pages(api, rep, customer_factory, frozen):
    customer = customer_factory()
    api.login(rep)
    for day in (3, 1, 5, 2, 4):
        api.post(
            url(customer), {**STANDARD, "method": "电话", "occurred_at": f"2026-03-0{day} 09:00"}
        )
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get(url(customer), **params).json()
        seen += [datetime.fromisoformat(i["occurred_at"]).day for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [5, 4, 3, 2, 1]


def test_outsider_cannot_see_or_log(api, rep, outsider, customer_factory, frozen):
    customer = customer_factory()
    api.login(rep)
    number = api.post(url(customer), {**STANDARD, "method": "电话"}).json()["interaction_no"]
    api.login(outsider)
    before = state()
    assert api.get(url(customer)).status_code == 404
    assert api.post(url(customer), {**STANDARD, "method": "电话"}).status_code == 404
    assert api.get(f"/api/v1/interactions/{number}").status_code == 404
    assert api.patch(f"/api/v1/interactions/{number}", {"topic": "X"}).status_code == 404
    assert api.delete(f"/api/v1/interactions/{number}").status_code == 404
    assert state() == before


def test_who_may_log(api, support, marketing, executive, customer_factory, frozen):
    won = customer_factory(status="won")
    lead = customer_factory(status="lead")
    api.login(support)
    assert (
        api.post(url(won), {**STANDARD, "method": "电话", "topic": "售后回访"}).status_code == 201
    )
    before = state()
    api.login(marketing)
    assert api.post(url(lead), {**STANDARD, "method": "电话"}).status_code == 403
    api.login(executive)
    assert api.post(url(won), {**STANDARD, "method": "电话"}).status_code == 403
    number = Interaction.objects.get().interaction_no
    assert api.patch(f"/api/v1/interactions/{number}", {"topic": "X"}).status_code == 403
    assert api.delete(f"/api/v1/interactions/{number}").status_code == 403
    assert state() == before


def test_moving_occurred_at_back_marks_a_late_entry(api, rep, customer_factory, frozen):
    customer = customer_factory()
    api.login(rep)
    number = api.post(
        url(customer), {**STANDARD, "method": "电话", "occurred_at": "2026-03-10 11:00"}
    ).json()["interaction_no"]
    response = api.patch(f"/api/v1/interactions/{number}", {"occurred_at": "2026-03-07 11:00"})
    assert response.status_code == 200
    assert response.json()["is_late_entry"] is True
    back = api.patch(f"/api/v1/interactions/{number}", {"occurred_at": "2026-03-10 09:00"})
    assert back.json()["is_late_entry"] is False
