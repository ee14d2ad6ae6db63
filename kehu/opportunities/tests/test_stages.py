"""Stage changes through PATCH /api/v1/opportunities/{id}: history, lost reasons, won amounts
and the won order (issue 16)."""

from __future__ import annotations

from decimal import Decimal

import time_machine

from kehu.audit.models import AuditEntry
from kehu.opportunities.models import LostReason, Opportunity, OpportunityStageChange, Order


def create(api, customer, **data):
    data.setdefault("title", "年度框架协议")
    response = api.post(f"/api/v1/customers/{customer.customer_no}/opportunities", data)
    assert response.status_code == 201, response.content
    return response.json()


def patch(api, opportunity_id, data):
    return api.patch(f"/api/v1/opportunities/{opportunity_id}", data)


def test_history_who_when_from_to_and_days(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    with time_machine.travel("2026-03-01 09:00 +08:00", tick=False):
        created = create(api, customer)
    with time_machine.travel("2026-03-11 10:00 +08:00", tick=False):
        assert patch(api, created["id"], {"stage": "needs_confirmed"}).status_code == 200
    with time_machine.travel("2026-03-14 10:00 +08:00", tick=False):
        body = patch(api, created["id"], {"stage": "方案报价"}).json()
    history = body["stage_history"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        ("", "initial_contact"),
        ("initial_contact", "needs_confirmed"),
        ("needs_confirmed", "proposal"),
    ]
    assert [h["days_in_previous_stage"] for h in history] == [None, 10, 3]
    assert history[1]["changed_by"] == "rep" and history[1]["changed_by_name"] == "张销售"
    assert history[2]["to_stage_label"] == "方案报价"
    detail = api.get(f"/api/v1/opportunities/{created['id']}").json()
    assert detail["stage_history"] == history
    entries = AuditEntry.objects.filter(action="opportunity.stage_changed").order_by("id")
    assert [e.changes for e in entries] == [
        {"stage": ["initial_contact", "needs_confirmed"]},
        {"stage": ["needs_confirmed", "proposal"]},
    ]
    assert entries[0].customer_id == customer.pk


def test_no_history_without_a_move(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    created = create(api, customer)
    assert (
        patch(api, created["id"], {"title": "改名", "stage": "initial_contact"}).status_code == 200
    )
    assert OpportunityStageChange.objects.count() == 1
    assert not AuditEntry.objects.filter(action="opportunity.stage_changed").exists()


def test_lost_needs_a_reason_from_the_list(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    created = create(api, customer)
    before = (OpportunityStageChange.objects.count(), AuditEntry.objects.count())
    response = patch(api, created["id"], {"stage": "输单"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"lost_reason"}
    response = patch(api, created["id"], {"stage": "lost", "lost_reason": "天气不好"})
    assert response.status_code == 422
    archived = LostReason.objects.get(name="其他")
    LostReason.objects.filter(pk=archived.pk).update(is_active=False)
    assert patch(api, created["id"], {"stage": "lost", "lost_reason": "其他"}).status_code == 422
    assert (OpportunityStageChange.objects.count(), AuditEntry.objects.count()) == before
    assert Opportunity.objects.get().stage == "initial_contact"
    response = patch(api, created["id"], {"stage": "lost", "lost_reason": "预算不足"})
    assert response.status_code == 200, response.content
    assert response.json()["lost_reason"] == "预算不足"
    entry = AuditEntry.objects.get(action="opportunity.stage_changed")
    assert entry.changes == {"stage": ["initial_contact", "lost"]}
    assert entry.note == "预算不足"
    # Reopened: the reason goes.
    body = patch(api, created["id"], {"stage": "negotiation"}).json()
    assert body["lost_reason"] is None
    # A reason with another stage is refused.
    response = patch(api, created["id"], {"lost_reason": "预算不足"})
    assert response.status_code == 422


def test_won_takes_the_amount_and_creates_the_order(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    created = create(api, customer, expected_amount="100000", stage="negotiation")
    response = patch(
        api, created["id"], {"stage": "赢单", "won_amount": "9.5万", "create_order": True}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stage"] == "won"
    assert Decimal(body["expected_amount"]) == Decimal("95000")
    order = Order.objects.get()
    assert body["won_order_no"] == order.order_no
    assert order.amount == Decimal("95000") and order.customer == customer
    assert AuditEntry.objects.filter(action="order.created").count() == 1
    assert AuditEntry.objects.get(action="opportunity.stage_changed").changes == {
        "stage": ["negotiation", "won"]
    }


def test_won_without_order_keeps_the_amount(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    created = create(api, customer, expected_amount="100000")
    body = patch(api, created["id"], {"stage": "won"}).json()
    assert Decimal(body["expected_amount"]) == Decimal("100000")
    assert body["won_order_no"] is None
    assert Order.objects.count() == 0
    response = patch(api, created["id"], {"won_amount": "5"})
    assert response.status_code == 200  # still won: the won amount may be corrected
    other = create(api, customer, title="无金额")
    response = patch(api, other["id"], {"stage": "won", "create_order": True})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"won_amount"}
    response = patch(api, other["id"], {"stage": "proposal", "won_amount": "5"})
    assert set(response.json()["errors"]) == {"won_amount"}


def test_a_reader_cannot_move_a_stage(api, rep, executive, customer_factory):
    customer = customer_factory()
    api.login(rep)
    created = create(api, customer)
    before = (OpportunityStageChange.objects.count(), AuditEntry.objects.count())
    api.login(executive)
    assert patch(api, created["id"], {"stage": "won"}).status_code == 403
    assert (OpportunityStageChange.objects.count(), AuditEntry.objects.count()) == before
