"""The time rule "untouched for 90 days → back to the team pool" returns a batch of customers in
bulk (kehu.collab.pool_returns_bulk): each gets its "customer.returned" entry with the reason,
the previous owner's open opportunities and tasks go with it, a customer already in the pool is
left alone, and the firings are recorded once (issue 16, the ≤ 5 minutes target)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp
from kehu.opportunities.models import Opportunity
from kehu.workflow.models import RuleFiring

pytestmark = pytest.mark.django_db


def test_a_batch_goes_back_to_the_pool_with_its_open_work(
    api: Any, customer_factory: Any, rep: Any
) -> None:
    customers = [customer_factory(name=f"批量退回{n}号贸易有限公司") for n in range(3)]
    api.login(rep)
    first = customers[0].customer_no
    deal = api.post(f"/api/v1/customers/{first}/opportunities", {"title": "搁置的项目"})
    assert deal.status_code == 201, deal.content
    won = api.post(
        f"/api/v1/customers/{first}/opportunities",
        {"title": "已输", "stage": "lost", "lost_reason": "预算不足"},
    )
    assert won.status_code == 201, won.content
    task = api.post("/api/v1/follow-ups", {"customer_no": first, "title": "回访", "kind": "other"})
    assert task.status_code == 201, task.content
    old = timezone.now() - timedelta(days=91)
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(last_interaction_at=old)

    call_command("workflow_tick", verbosity=0)

    for customer in customers:
        customer.refresh_from_db()
        assert customer.owner_id is None and customer.team_id == rep.team_id
        entry = AuditEntry.objects.get(customer_id=customer.pk, action="customer.returned")
        assert entry.source == "rule" and "90天" in entry.note
    assert Opportunity.objects.get(pk=deal.json()["id"]).owner_id is None
    assert Opportunity.objects.get(pk=won.json()["id"]).owner_id == rep.pk  # closed: stays
    assert FollowUp.objects.get(pk=task.json()["id"]).owner_id is None
    ids = [c.pk for c in customers]
    fired = RuleFiring.objects.filter(rule__key="untouched_to_pool", target_id__in=ids)
    assert fired.count() == 3

    call_command("workflow_tick", verbosity=0)  # nothing new: no second return, no entry
    assert AuditEntry.objects.filter(customer_id__in=ids, action="customer.returned").count() == 3
