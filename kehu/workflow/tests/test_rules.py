"""Workflow rules through the public surfaces: the API, the worker's tick, the notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kehu.accounts.models import Notification
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp
from kehu.tags.tests.helpers import library
from kehu.workflow.models import Rule, RuleFiring

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _library_tags(db) -> None:
    """A rule's tag must be a library tag (issue 17)."""
    library("华南", "已成交")


def tick() -> None:
    call_command("workflow_tick", verbosity=0)


def notes_of(api, user) -> list[str]:
    api.login(user)
    response = api.get("/api/v1/notifications")
    assert response.status_code == 200
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return [item["message"] for item in items]


def test_defaults_are_shipped() -> None:
    keys = set(Rule.objects.values_list("key", flat=True))
    assert {"won_to_support", "pool_unclaimed", "untouched_to_pool", "opportunity_overdue"} <= keys


def test_won_status_notifies_support_once_and_creates_onboarding_task(
    api, customer_factory, rep, manager, support
) -> None:
    customer = customer_factory(name="华南成交测试有限公司", status="intent")
    api.login(manager)
    response = api.patch(
        f"/api/v1/customers/{customer.customer_no}",
        {"status": "won", "status_reason": "签约"},
    )
    assert response.status_code == 200, response.content
    tick()
    messages = notes_of(api, support)
    assert len([m for m in messages if "华南成交测试有限公司" in m]) == 1
    task = FollowUp.objects.get(customer=customer, title__contains="onboarding")
    assert task.owner == rep
    tick()  # nothing new: it never fires twice for the same change
    assert len([m for m in notes_of(api, support) if "华南成交测试" in m]) == 1
    rule = Rule.objects.get(key="won_to_support")
    assert rule.fire_count == 1
    assert rule.last_fired_label.startswith("华南成交测试有限公司")
    assert rule.last_fired_link == f"/customers/{customer.customer_no}/"


def test_support_is_not_told_of_a_customer_it_may_not_see(api, customer_factory, support) -> None:
    """A rule notifying support of a lead: support sees no leads, so it gets nothing."""
    admin_rule = Rule.objects.get(key="won_to_support")
    assert admin_rule.actions[0]["to"] == ["role:support"]
    Rule.objects.filter(pk=admin_rule.pk).update(trigger="customer_created", params={})
    customer_factory(name="不可见线索有限公司")
    tick()
    assert not [m for m in notes_of(api, support) if "不可见线索" in m]


def test_untouched_customer_returns_to_pool_once(api, customer_factory, rep) -> None:
    customer = customer_factory(name="久未跟进有限公司")
    Customer.objects.filter(pk=customer.pk).update(
        last_interaction_at=timezone.now() - timedelta(days=91)
    )
    tick()
    customer.refresh_from_db()
    assert customer.owner_id is None and customer.team_id == rep.team_id
    entry = AuditEntry.objects.filter(customer_id=customer.pk, action="customer.returned").get()
    assert "90天未跟进" in entry.note
    assert entry.source == "rule"
    firings = RuleFiring.objects.filter(rule__key="untouched_to_pool", target_id=customer.pk)
    assert firings.count() == 1


def test_pool_lead_unclaimed_48h_notifies_the_manager_once(
    api, customer_factory, rep, manager, outsider
) -> None:
    customer = customer_factory(name="公海无人领取有限公司")
    api.login(rep)
    response = api.post(f"/api/v1/pool/{customer.customer_no}/return", {"reason": "不再跟进"})
    assert response.status_code in (200, 201), response.content
    customer.refresh_from_db()
    assert customer.owner_id is None
    with time_machine.travel(timezone.now() + timedelta(hours=47), tick=False):
        tick()
        assert not [m for m in notes_of(api, manager) if "公海无人领取" in m]
    with time_machine.travel(timezone.now() + timedelta(hours=49), tick=False):
        tick()
        tick()
        assert len([m for m in notes_of(api, manager) if "公海无人领取" in m]) == 1
        assert not [m for m in notes_of(api, outsider) if "公海无人领取" in m]


def test_overdue_opportunity_reminds_its_owner_once(api, customer_factory, rep) -> None:
    customer = customer_factory(name="商机逾期有限公司")
    api.login(rep)
    response = api.post(
        f"/api/v1/customers/{customer.customer_no}/opportunities",
        {"title": "年度采购", "expected_close_date": "2026-01-10"},
    )
    assert response.status_code == 201, response.content
    with time_machine.travel("2026-01-09 10:00 +0800", tick=False):
        tick()
    assert not Notification.objects.filter(user=rep, message__contains="年度采购").exists()
    with time_machine.travel("2026-01-12 10:00 +0800", tick=False):
        tick()
        tick()
    assert Notification.objects.filter(user=rep, message__contains="年度采购").count() == 1


def test_rules_api_is_admin_only_and_audited(api, admin_user, manager) -> None:
    api.login(manager)
    assert api.get("/api/v1/rules").status_code == 403
    before = AuditEntry.objects.count()
    payload = {
        "name": "广东客户打标签",
        "trigger": "customer_created",
        "conditions": [{"field": "province", "op": "equals", "value": "广东省"}],
        "actions": [{"type": "add_tag", "tag": "华南"}],
    }
    assert api.post("/api/v1/rules", payload).status_code == 403
    assert AuditEntry.objects.count() == before
    api.login(admin_user)
    created = api.post("/api/v1/rules", payload)
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert AuditEntry.objects.filter(action="rule.created", target_id=str(rule_id)).exists()
    bad = api.post("/api/v1/rules", payload | {"conditions": [{"field": "x", "op": "equals"}]})
    assert bad.status_code == 422
    changed = api.patch(f"/api/v1/rules/{rule_id}", {"is_enabled": False})
    assert changed.status_code == 200 and changed.json()["is_enabled"] is False
    assert AuditEntry.objects.filter(action="rule.changed", target_id=str(rule_id)).exists()
    assert api.get(f"/api/v1/rules/{rule_id}").status_code == 200
    assert api.delete(f"/api/v1/rules/{rule_id}").status_code == 204
    assert AuditEntry.objects.filter(action="rule.deleted").exists()


def test_condition_and_tag_action(api, admin_user, customer_factory) -> None:
    api.login(admin_user)
    api.post(
        "/api/v1/rules",
        {
            "name": "广东客户打标签",
            "trigger": "customer_created",
            "conditions": [{"field": "province", "op": "equals", "value": "广东省"}],
            "actions": [{"type": "add_tag", "tag": "华南"}],
        },
    )
    south = customer_factory(name="广州条件测试有限公司", province="广东省")
    north = customer_factory(name="北京条件测试有限公司", province="北京市")
    tick()
    assert list(south.customer_tags.values_list("tag__name", flat=True)) == ["华南"]
    assert not north.customer_tags.exists()


def test_rule_pages_for_admin(client, admin_user, rep) -> None:
    client.force_login(rep)
    assert client.get("/settings/rules/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/settings/rules/")
    assert page.status_code == 200
    assert "成交客户交给售后" in page.content.decode()
    response = client.post(
        "/settings/rules/",
        {
            "name": "新线索提醒经理",
            "trigger": "customer_created",
            "is_enabled": "on",
            "conditions": "",
            "actions": '[{"type": "notify", "to": ["managers"]}]',
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get(name="新线索提醒经理")
    assert client.get(f"/settings/rules/{rule.pk}/").status_code == 200
    client.post(f"/settings/rules/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert rule.is_enabled is False


def test_stage_won_notifies_support_who_may_see_the_customer(
    api, customer_factory, rep, support
) -> None:
    customer = customer_factory(name="赢单通知有限公司", status="won")
    api.login(rep)
    created = api.post(
        f"/api/v1/customers/{customer.customer_no}/opportunities",
        {"title": "二期项目", "stage": "negotiation"},
    )
    assert created.status_code == 201, created.content
    opportunity_id = created.json()["id"]
    moved = api.patch(f"/api/v1/opportunities/{opportunity_id}", {"stage": "won"})
    assert moved.status_code == 200, moved.content
    tick()
    tick()
    assert len([m for m in notes_of(api, support) if "二期项目" in m]) == 1
    rule = Rule.objects.get(key="deal_won_to_support")
    assert rule.fire_count == 1 and "二期项目" in rule.last_fired_label


def test_stage_changed_matches_the_pipeline_audit_action() -> None:
    """The pipeline records `opportunity.stage_changed` {"stage": [from, to]}: the same rule."""
    from kehu.workflow.services.engine import event_matches

    rule = Rule.objects.get(key="deal_won_to_support")
    won = AuditEntry(action="opportunity.stage_changed", changes={"stage": ["proposal", "won"]})
    lost = AuditEntry(action="opportunity.stage_changed", changes={"stage": ["proposal", "lost"]})
    assert event_matches(rule, won)
    assert not event_matches(rule, lost)


def test_rule_form_without_json(client, admin_user) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/settings/rules/",
        {
            "name": "成交后打标签并提醒",
            "trigger": "status_changed",
            "status_to": "won",
            "is_enabled": "on",
            "notify_to": ["owner", "role:support"],
            "task_title": "回访",
            "task_due_days": "2",
            "tag_add": "已成交",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = Rule.objects.get(name="成交后打标签并提醒")
    assert rule.params == {"to": "won"}
    assert [a["type"] for a in rule.actions] == ["notify", "create_task", "add_tag"]
    page = client.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert 'value="回访"' in page and 'value="已成交"' in page
    listing = client.get("/settings/rules/").content.decode()
    assert "状态变为" in listing or "Status becomes" in listing


@pytest.mark.parametrize(
    "condition",
    [
        {"field": "budget_amount", "op": "gt", "value": "abc"},
        {"field": "owner", "op": "equals", "value": "zhang"},
        {"field": "created_at", "op": "gt", "value": "yesterday"},
        {"field": "first_contact_date", "op": "in", "value": ["2026-01-01", "2026-13-01"]},
    ],
)
def test_condition_value_the_field_cannot_hold_is_refused(api, admin_user, condition) -> None:
    api.login(admin_user)
    before = Rule.objects.count()
    response = api.post(
        "/api/v1/rules",
        {
            "name": "错误条件",
            "trigger": "status_changed",
            "conditions": [condition],
            "actions": [{"type": "notify", "to": ["owner"]}],
        },
    )
    assert response.status_code == 422, response.content
    assert "conditions.1" in response.json()["errors"]
    assert Rule.objects.count() == before


def test_stored_bad_condition_does_not_hold_up_other_rules(
    api, manager, support, customer_factory
) -> None:
    """A rule saved before its condition's value was checked is skipped: the change log moves
    on and the shipped rules still fire."""
    for trigger, params in (("status_changed", {"to": "won"}), ("no_interaction", {"days": 1})):
        Rule.objects.create(
            name=f"坏条件 {trigger}",
            trigger=trigger,
            params=params,
            conditions=[{"field": "budget_amount", "op": "gt", "value": "abc"}],
            actions=[{"type": "notify", "to": ["owner"], "message": "x"}],
        )
    customer = customer_factory(name="坏条件测试有限公司", status="intent")
    api.login(manager)
    response = api.patch(
        f"/api/v1/customers/{customer.customer_no}",
        {"status": "won", "status_reason": "签约"},
    )
    assert response.status_code == 200, response.content
    tick()
    assert any("坏条件测试有限公司" in m for m in notes_of(api, support))
