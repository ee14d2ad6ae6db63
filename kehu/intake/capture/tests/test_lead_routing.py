"""A web-form lead always lands somewhere and someone is told (issue 14.2): an assignment rule,
else the default team's pool; managers are notified; the "unassigned / pool" filter finds it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kehu.accounts.models import Notification, Team, User
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.customers.models import Customer
from kehu.intake.capture.models import AssignmentRule, Lead

pytestmark = pytest.mark.django_db

FORM = {"name": "钱多多", "mobile": "13912340001", "company": "多多贸易有限公司", "consent": True}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def post(data: dict[str, Any]) -> Any:
    client = Client(enforce_csrf_checks=True)
    return client.post(
        "/api/v1/leads",
        json.dumps(data),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.5",
    )


def test_without_a_rule_the_lead_lands_in_the_default_teams_pool(
    api: Any, client: Client, team_east: Team, team_south: Team, manager: User, rep: User
) -> None:
    south_manager = make_user("south-mgr", "manager", team_south, display_name="南经理")
    team_south.receives_unassigned_leads = True
    team_south.save()
    response = post(FORM)
    assert response.status_code == 201, response.content
    customer = Lead.objects.get().customer
    assert customer.owner_id is None and customer.team == team_south
    pooled = AuditEntry.objects.get(action="customer.pooled", customer_id=customer.pk)
    assert pooled.changes["team"] == [None, "华南销售部"]
    # The team's manager is told, with a link to the customer; the other team's is not.
    notification = Notification.objects.get(user=south_manager)
    assert "多多贸易有限公司" in notification.message
    assert notification.link == f"/customers/{customer.customer_no}/"
    assert not Notification.objects.filter(user=manager).exists()
    # The manager finds it with the filter (API and page); the team's reps in the pool.
    api.login(south_manager)
    found = api.get("/api/v1/customers", pool="true").json()["items"]
    assert [c["customer_no"] for c in found] == [customer.customer_no]
    client.force_login(south_manager)
    page = client.get("/customers/", {"pool": "on"}).content.decode()
    assert customer.customer_no in page
    south_rep = make_user("south-rep", "rep", team_south)
    client.force_login(south_rep)
    assert "多多贸易有限公司" in client.get("/pool/").content.decode()
    client.force_login(rep)  # another team's rep sees nothing of it
    assert "多多贸易有限公司" not in client.get("/pool/").content.decode()


def test_without_a_marked_team_the_first_team_takes_it(
    team_east: Team, team_south: Team, manager: User
) -> None:
    assert post(FORM).status_code == 201
    customer = Lead.objects.get().customer
    assert customer.owner_id is None and customer.team == team_east
    assert Notification.objects.filter(user=manager, message__contains="多多贸易").exists()


def test_without_any_team_the_administrators_are_told(api: Any, admin_user: User) -> None:
    assert post(FORM).status_code == 201
    customer = Lead.objects.get().customer
    assert customer.owner_id is None and customer.team_id is None
    assert Notification.objects.filter(user=admin_user, message__contains="多多贸易").exists()
    found = api.login(admin_user).get("/api/v1/customers", pool="true").json()["items"]
    assert [c["customer_no"] for c in found] == [customer.customer_no]


def test_a_rule_assigns_and_the_owner_and_their_manager_are_told(
    team_east: Team, rep: User, manager: User
) -> None:
    AssignmentRule.objects.create(name="全部", owner=rep)
    assert post(FORM).status_code == 201
    customer = Lead.objects.get().customer
    assert customer.owner == rep and customer.team == team_east
    assert Notification.objects.filter(user=rep, message__contains="多多贸易").exists()
    assert Notification.objects.filter(user=manager, message__contains="张销售").exists()


def test_a_lead_for_a_known_customer_tells_its_owner(
    customer_factory: Any, rep: User, manager: User
) -> None:
    existing = customer_factory(name="多多贸易有限公司", phone="13912340001")
    assert post(FORM).status_code == 201
    lead = Lead.objects.get()
    assert lead.outcome == Lead.Outcome.ATTACHED and lead.customer == existing
    assert Notification.objects.filter(user=rep, message__contains="钱多多").exists()
    assert Customer.objects.count() == 1
