"""Anomaly review: each rule kind waits in the queue, applies only when approved, alerts the manager."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehu.accounts.models import Notification
from kehu.audit.models import AuditEntry
from kehu.review.models import ReviewItem, ReviewRule
from kehu.tags.services import tag_apply

pytestmark = pytest.mark.django_db


def _held(response: Any) -> ReviewItem:
    assert response.status_code == 202, response.content
    assert response.json()["code"] == "pending_review"
    return ReviewItem.objects.get(status="pending")


def test_budget_jump_waits_then_applies_on_approval(
    api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer = customer_factory(budget_amount="100000")
    response = api.login(rep).patch(
        f"/api/v1/customers/{customer.customer_no}", {"budget_amount": "10000000"}
    )
    pending = _held(response)
    assert pending.rule == "amount_jump"
    customer.refresh_from_db()
    assert customer.budget_amount == Decimal("100000")
    assert Notification.objects.filter(user=manager, link=f"/review/{pending.pk}/").exists()
    # The manager sees it in the queue and approves it: applied through the service.
    queue = api.login(manager).get("/api/v1/review").json()
    assert [row["id"] for row in queue["items"]] == [pending.pk]
    # A readable diff: labels and display values (zh-hans, the default), changed fields only.
    assert queue["items"][0]["changes"] == [
        {"field": "budget_amount", "label": "年度预算金额", "before": "100,000 元",
         "after": "10,000,000 元"},
        {"field": "budget_band", "label": "年度预算区间", "before": "10-50万", "after": ">50万"},
    ]  # fmt: skip
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
    assert ReviewItem.objects.count() == 0


def test_vip_phone_change_waits_and_rejection_keeps_the_old_phone(
    api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer = customer_factory(phone="021-62345678")
    tag_apply(actor=manager, customer=customer, name="VIP")
    pending = _held(
        api.login(rep).patch(f"/api/v1/customers/{customer.customer_no}", {"phone": "021-88888888"})
    )
    assert pending.rule == "vip_phone"
    assert Notification.objects.filter(user=manager, link__startswith="/review/").count() == 1
    rejected = api.login(manager).post(f"/api/v1/review/{pending.pk}/reject", {})
    assert rejected.json()["status"] == "rejected"
    customer.refresh_from_db()
    assert customer.phone == "+862162345678"


def test_vip_by_budget_band(api: Any, rep: Any, manager: Any, customer_factory: Any) -> None:
    customer = customer_factory(budget_amount="800000", phone="021-62345678")
    pending = _held(
        api.login(rep).patch(f"/api/v1/customers/{customer.customer_no}", {"phone": "021-88888888"})
    )
    assert pending.rule == "vip_phone"
    api.login(manager).post(f"/api/v1/review/{pending.pk}/approve", {})
    customer.refresh_from_db()
    assert customer.phone == "+862188888888"


def test_bulk_owner_change_waits(
    api: Any, rep: Any, rep2: Any, manager: Any, customer_factory: Any
) -> None:
    from kehu.conftest import make_user

    admin = make_user("root", "admin", None)
    ReviewRule.objects.filter(kind="bulk_change").update(threshold=2)
    customers = [customer_factory(name=f"批量{i}号有限公司") for i in range(3)]
    nos = [c.customer_no for c in customers]
    pending = _held(
        api.login(manager).post(
            "/api/v1/review/bulk-update", {"customer_nos": nos, "changes": {"owner": "rep2"}}
        )
    )
    assert pending.rule == "bulk_change"
    assert all(
        c.owner == rep for c in type(customers[0]).objects.filter(pk__in=[c.pk for c in customers])
    )
    # A manager's own bulk change goes to the administrators.
    assert Notification.objects.filter(user=admin, link=f"/review/{pending.pk}/").exists()
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
    assert small.status_code == 200 and small.json() == {"updated": 2, "held": []}


def test_export_spike_waits_until_approved(
    api: Any, rep: Any, manager: Any, customer_factory: Any, settings: Any
) -> None:
    settings.KEHU_EXPORT_BASELINE_ROWS = 1
    for i in range(6):
        customer_factory(name=f"导出{i}号有限公司")
    response = api.login(rep).get("/api/v1/exports/customers")
    pending = _held(response)
    assert pending.rule == "export_spike" and pending.payload["count"] == 6
    assert Notification.objects.filter(user=manager, link=f"/review/{pending.pk}/").exists()
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
    entries = AuditEntry.objects.count()
    assert api.post(f"/api/v1/review/{pending.pk}/approve", {}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == ReviewItem.Status.PENDING and pending.reviewed_by is None
    customer.refresh_from_db()
    assert customer.budget_amount == Decimal("100000")
    assert AuditEntry.objects.count() == entries


# --- The review pages (ported from the anomaly queue's pages)


def _held_budget_jump(api: Any, rep: Any, customer_factory: Any) -> tuple[Any, ReviewItem]:
    ReviewRule.objects.update_or_create(kind="amount_jump", defaults={"threshold": 10})
    customer = customer_factory(budget_amount="100000")
    response = api.login(rep).patch(
        f"/api/v1/customers/{customer.customer_no}", {"budget_amount": "10000000"}
    )
    assert response.status_code == 202, response.content
    return customer, ReviewItem.objects.get(status="pending")


@pytest.mark.parametrize("role", ["support", "marketing", "executive", "rep2"])
def test_review_page_shows_others_nothing_and_lets_nobody_else_decide(
    client: Any, api: Any, rep: Any, customer_factory: Any, role: str, request: Any
) -> None:
    customer, pending = _held_budget_jump(api, rep, customer_factory)
    client.force_login(request.getfixturevalue(role))
    page = client.get("/review/")
    assert page.status_code == 200
    assert f'id="review-{pending.pk}"' not in page.content.decode()
    assert client.post(f"/review/{pending.pk}/approve/").status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_requester_sees_own_request_but_cannot_decide(
    client: Any, api: Any, rep: Any, customer_factory: Any
) -> None:
    customer, pending = _held_budget_jump(api, rep, customer_factory)
    client.force_login(rep)
    page = client.get("/review/").content.decode()
    assert f'id="review-{pending.pk}"' in page and "formaction" not in page
    client.post(f"/review/{pending.pk}/approve/")
    pending.refresh_from_db()
    customer.refresh_from_db()
    assert pending.status == "pending" and customer.budget_amount == Decimal("100000")


def test_review_approve_applies_the_change(
    client: Any, api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer, pending = _held_budget_jump(api, rep, customer_factory)
    client.force_login(manager)
    page = client.get("/review/").content.decode()
    assert f'id="review-{pending.pk}"' in page and "10,000,000" in page
    response = client.post(f"/review/{pending.pk}/approve/", {"note": "确认过"})
    assert response.status_code == 302
    pending.refresh_from_db()
    customer.refresh_from_db()
    assert pending.status == "approved" and pending.note == "确认过"
    assert customer.budget_amount == Decimal("10000000")


def test_review_reject_keeps_the_old_value(
    client: Any, api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer, pending = _held_budget_jump(api, rep, customer_factory)
    client.force_login(manager)
    client.post(f"/review/{pending.pk}/reject/", {"note": "不对"})
    pending.refresh_from_db()
    customer.refresh_from_db()
    assert pending.status == "rejected"
    assert customer.budget_amount == Decimal("100000")


def test_review_by_another_teams_manager_is_404(
    client: Any, api: Any, rep: Any, team_south: Any, customer_factory: Any
) -> None:
    from kehu.conftest import make_user

    customer, pending = _held_budget_jump(api, rep, customer_factory)
    other = make_user("south-manager", "manager", team_south)
    client.force_login(other)
    assert client.post(f"/review/{pending.pk}/approve/").status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"
