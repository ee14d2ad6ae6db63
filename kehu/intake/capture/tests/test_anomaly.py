"""Anomaly review: each rule kind waits in the queue, applies only when approved, alerts the manager."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehu.intake.capture.models import PendingChange, ReviewAlert
from kehu.tags.services import tag_apply

pytestmark = pytest.mark.django_db


def _held(response: Any) -> PendingChange:
    assert response.status_code == 202, response.content
    assert response.json()["code"] == "pending_review"
    return PendingChange.objects.get(status="pending")


def test_budget_jump_waits_then_applies_on_approval(
    api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer = customer_factory(budget_amount="100000")
    response = api.login(rep).patch(
        f"/api/v1/customers/{customer.customer_no}", {"budget_amount": "10000000"}
    )
    pending = _held(response)
    assert pending.kind == "amount_jump"
    customer.refresh_from_db()
    assert customer.budget_amount == Decimal("100000")
    assert ReviewAlert.objects.filter(recipient=manager, pending=pending).exists()
    # The manager sees it in the queue and approves it: applied through the service.
    queue = api.login(manager).get("/api/v1/review").json()
    assert [row["id"] for row in queue] == [pending.pk]
    approved = api.post(f"/api/v1/review/{pending.pk}/approve", {"note": "确认过"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    customer.refresh_from_db()
    assert customer.budget_amount == Decimal("10000000")


def test_small_change_is_saved_at_once(api: Any, manager: Any, customer_factory: Any) -> None:
    customer = customer_factory(budget_amount="100000")
    # A manager: a rep's budget change waits as a change request (customers.approvals).
    response = api.login(manager).patch(
        f"/api/v1/customers/{customer.customer_no}", {"budget_amount": "300000"}
    )
    assert response.status_code == 200
    assert PendingChange.objects.count() == 0


def test_vip_phone_change_waits_and_rejection_keeps_the_old_phone(
    api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer = customer_factory(phone="021-62345678")
    tag_apply(actor=manager, customer=customer, name="VIP")
    pending = _held(
        api.login(rep).patch(f"/api/v1/customers/{customer.customer_no}", {"phone": "021-88888888"})
    )
    assert pending.kind == "vip_phone"
    assert ReviewAlert.objects.filter(recipient=manager).count() == 1
    rejected = api.login(manager).post(f"/api/v1/review/{pending.pk}/reject", {})
    assert rejected.json()["status"] == "rejected"
    customer.refresh_from_db()
    assert customer.phone == "+862162345678"


def test_vip_by_budget_band(api: Any, rep: Any, manager: Any, customer_factory: Any) -> None:
    customer = customer_factory(budget_amount="800000", phone="021-62345678")
    pending = _held(
        api.login(rep).patch(f"/api/v1/customers/{customer.customer_no}", {"phone": "021-88888888"})
    )
    assert pending.kind == "vip_phone"
    api.login(manager).post(f"/api/v1/review/{pending.pk}/approve", {})
    customer.refresh_from_db()
    assert customer.phone == "+862188888888"


def test_bulk_owner_change_waits(
    api: Any, rep: Any, rep2: Any, manager: Any, customer_factory: Any
) -> None:
    from kehu.conftest import make_user
    from kehu.intake.capture.models import AnomalyRule

    admin = make_user("root", "admin", None)
    AnomalyRule.objects.filter(kind="bulk_change").update(threshold=2)
    customers = [customer_factory(name=f"批量{i}号有限公司") for i in range(3)]
    nos = [c.customer_no for c in customers]
    pending = _held(
        api.login(manager).post(
            "/api/v1/review/bulk-update", {"customer_nos": nos, "changes": {"owner": "rep2"}}
        )
    )
    assert pending.kind == "bulk_change"
    assert all(
        c.owner == rep for c in type(customers[0]).objects.filter(pk__in=[c.pk for c in customers])
    )
    # A manager's own bulk change goes to the administrators.
    assert ReviewAlert.objects.filter(recipient=admin, pending=pending).exists()
    api.login(admin).post(f"/api/v1/review/{pending.pk}/approve", {})
    owners = set(
        type(customers[0])
        .objects.filter(pk__in=[c.pk for c in customers])
        .values_list("owner", flat=True)
    )
    assert owners == {rep2.pk}
    small = api.login(manager).post(
        "/api/v1/review/bulk-update", {"customer_nos": nos[:2], "changes": {"owner": "rep"}}
    )
    assert small.status_code == 200 and small.json() == {"updated": 2}


def test_export_spike_waits_until_approved(
    api: Any, rep: Any, manager: Any, customer_factory: Any, settings: Any
) -> None:
    settings.KEHU_EXPORT_BASELINE_ROWS = 1
    for i in range(6):
        customer_factory(name=f"导出{i}号有限公司")
    response = api.login(rep).get("/api/v1/exports/customers")
    pending = _held(response)
    assert pending.kind == "export_spike" and pending.payload["count"] == 6
    assert ReviewAlert.objects.filter(recipient=manager, pending=pending).exists()
    api.login(manager).post(f"/api/v1/review/{pending.pk}/approve", {})
    again = api.login(rep).get("/api/v1/exports/customers")
    assert again.status_code == 200


def test_requester_cannot_approve_own_change(api: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(budget_amount="100000")
    pending = _held(
        api.login(rep).patch(
            f"/api/v1/customers/{customer.customer_no}", {"budget_amount": "5000000"}
        )
    )
    assert api.post(f"/api/v1/review/{pending.pk}/approve", {}).status_code == 403
