"""Approvals: a rep's won/lost and key-field edits wait for the team manager."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Notification
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.review.models import ReviewItem

pytestmark = pytest.mark.django_db


def _url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.customer_no}"


def test_rep_won_waits_until_approved(api: Any, rep: Any, manager: Any, customer_factory: Any):
    customer = customer_factory()
    response = api.login(rep).post(f"{_url(customer)}/status", {"status": "won", "reason": "签约"})
    assert response.status_code == 202, response.content
    customer.refresh_from_db()
    assert customer.status == Customer.Status.LEAD
    change = ReviewItem.objects.get()
    assert [row["field"] for row in change.diff] == ["status", "status_reason"]
    assert change.rule == "approval" and change.status == "pending"
    assert Notification.objects.filter(user=manager).exists()

    listing = api.login(manager).get("/api/v1/change-requests").json()
    assert [item["id"] for item in listing["items"]] == [change.pk]
    response = api.post(f"/api/v1/change-requests/{change.pk}/approve", {"comment": "同意"})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.status == Customer.Status.WON
    change.refresh_from_db()
    assert change.status == "approved" and change.note == "同意"
    entry = AuditEntry.objects.filter(action="customer.updated", customer_id=customer.pk).first()
    assert entry is not None and entry.actor == rep
    assert AuditEntry.objects.filter(action="review.approved").exists()
    assert Notification.objects.filter(user=rep).exists()
    # decided once only
    assert api.post(f"/api/v1/change-requests/{change.pk}/reject").status_code == 409


def test_rep_key_field_edit_rejected_changes_nothing(
    api: Any, rep: Any, manager: Any, customer_factory: Any
):
    customer = customer_factory()
    response = api.login(rep).patch(_url(customer), {"name": "改名后有限公司", "notes": "x"})
    assert response.status_code == 202
    customer.refresh_from_db()
    assert customer.name == "华东测试贸易有限公司" and customer.notes == ""
    change = ReviewItem.objects.get()
    assert [row["field"] for row in change.diff] == ["name", "notes"]
    assert change.rule == "approval"
    response = api.login(manager).post(f"/api/v1/change-requests/{change.pk}/reject", {})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.name == "华东测试贸易有限公司"
    assert ReviewItem.objects.get().status == "rejected"


@pytest.mark.parametrize(
    "data",
    [
        {"budget_amount": "300000"},
        {"budget_band": "over_500k"},
        {"credit_code": "91310000MA1FL8TQ7X"},
        {"status": "lost", "status_reason": "预算取消"},
    ],
)
def test_rep_key_fields_are_held(api: Any, rep: Any, customer_factory: Any, data: Any):
    customer = customer_factory()
    before = Customer.objects.filter(pk=customer.pk).values().get()
    response = api.login(rep).patch(_url(customer), data)
    assert response.status_code in (202, 422), response.content
    assert Customer.objects.filter(pk=customer.pk).values().get() == before


def test_non_key_edit_by_rep_applies(api: Any, rep: Any, customer_factory: Any):
    customer = customer_factory()
    response = api.login(rep).patch(
        _url(customer), {"notes": "常规备注", "status": "intent", "status_reason": "有意向"}
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.notes == "常规备注" and customer.status == "intent"
    assert not ReviewItem.objects.exists()


def test_unchanged_key_fields_are_not_held(api: Any, rep: Any, customer_factory: Any):
    customer = customer_factory()
    response = api.login(rep).patch(_url(customer), {"name": customer.name, "notes": "n"})
    assert response.status_code == 200
    assert not ReviewItem.objects.exists()


def test_manager_edits_apply_directly(api: Any, manager: Any, customer_factory: Any):
    customer = customer_factory()
    response = api.login(manager).post(
        f"{_url(customer)}/status", {"status": "won", "reason": "签约"}
    )
    assert response.status_code == 200
    response = api.patch(_url(customer), {"name": "经理改名有限公司"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.status == "won" and customer.name == "经理改名有限公司"
    assert not ReviewItem.objects.exists()


def test_manager_of_other_team_cannot_approve(
    api: Any, rep: Any, outsider: Any, customer_factory: Any
):
    from kehu.conftest import make_user

    customer = customer_factory()
    api.login(rep).patch(_url(customer), {"name": "改名有限公司"})
    change = ReviewItem.objects.get()
    south_manager = make_user("south_mgr", "manager", outsider.team)
    response = api.login(south_manager).post(f"/api/v1/change-requests/{change.pk}/approve")
    assert response.status_code == 404
    assert api.get("/api/v1/change-requests").json()["items"] == []
    # the requester may not approve their own
    assert api.login(rep).post(f"/api/v1/change-requests/{change.pk}/approve").status_code == 403
    customer.refresh_from_db()
    assert customer.name == "华东测试贸易有限公司"
    assert ReviewItem.objects.get().status == "pending"


def test_pages_show_pending_and_approve(client: Any, rep: Any, manager: Any, customer_factory: Any):
    customer = customer_factory()
    client.force_login(rep)
    client.post(
        f"/api/v1/customers/{customer.customer_no}/status",
        '{"status": "lost", "reason": "预算取消"}',
        content_type="application/json",
    )
    change = ReviewItem.objects.get()
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert 'id="pending-changes"' in page
    client.force_login(manager)
    assert client.get("/approvals/").status_code == 302  # the older page lives on as /review/
    page = client.get("/review/").content.decode()
    assert f'id="review-{change.pk}"' in page
    response = client.post(f"/review/{change.pk}/approve/", {"note": "好"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == "lost"
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert 'id="pending-changes"' not in page
