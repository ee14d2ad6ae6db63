"""Recomputation when a customer's inputs change (the change log's listener), after a merge,
and the workflow trigger on a lifecycle change, with a frozen clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kehu.accounts.models import Role
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.customers.models import Customer
from kehu.dedupe.services import customer_merge
from kehu.interactions.models import FollowUp
from kehu.opportunities.services import order_create
from kehu.value.models import CustomerValue
from kehu.value.services.nightly import values_recompute_all
from kehu.value.tasks import changes_process
from kehu.workflow.services.engine import events_process
from kehu.workflow.services.rules import rule_create

from .helpers import aged, order

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def lifecycle(customer: Customer) -> str:
    return CustomerValue.objects.get(customer=customer).lifecycle


def test_an_order_queues_one_recomputation_of_its_customer(
    customer_factory: Any, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        customer = customer_factory(name="新订单客户")
    with django_capture_on_commit_callbacks(execute=True):
        for amount in ("1000", "2000"):
            order_create(
                actor=admin_user,
                customer=customer,
                data={"signed_on": timezone.localdate(), "amount": amount},
            )
    queued = DBTaskResult.objects.filter(task_path__endswith="value_changes", status="READY")
    assert queued.count() == 1  # deduplicated: one waiting run, however many commits
    assert changes_process() >= 1
    value = CustomerValue.objects.get(customer=customer)
    assert (value.order_count, value.revenue, value.lifecycle) == (2, Decimal(3000), "new")
    assert changes_process() == 0  # the cursor moved on


def test_a_lost_status_recomputes_the_lifecycle(customer_factory: Any, rep: Any) -> None:
    customer = customer_factory(name="状态客户")
    values_recompute_all()
    assert lifecycle(customer) == "new"
    manager = make_user("vmgr", Role.MANAGER, rep.team)
    from kehu.customers.services import customer_update

    customer_update(
        actor=manager, customer=customer, data={"status": "lost", "status_reason": "预算取消"}
    )
    changes_process()
    assert lifecycle(customer) == "lost"
    entry = AuditEntry.objects.get(action="value.lifecycle_changed", customer_id=customer.pk)
    assert entry.changes == {"lifecycle": ["new", "lost"]}


def test_lifecycle_windows_with_a_frozen_clock(customer_factory: Any) -> None:
    start = datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        customer = customer_factory(name="时光客户")
        order(customer, 800, date(2026, 3, 1))
        values_recompute_all()
        assert lifecycle(customer) == "new"
    for days, stage in ((89, "new"), (91, "active"), (200, "dormant"), (480, "lost")):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            if days == 91:  # created 91 days ago, first order too: no longer new
                order(customer, 100, date(2026, 5, 20))
            values_recompute_all()
            assert lifecycle(customer) == stage, days


def test_becoming_dormant_triggers_a_workflow_rule(customer_factory: Any, admin_user: Any) -> None:
    rule_create(
        actor=admin_user,
        data={
            "name": "沉睡客户唤醒",
            "trigger": "lifecycle_changed",
            "params": {"to": "dormant"},
            "actions": [{"type": "create_task", "title": "唤醒沉睡客户", "due_in_days": 3}],
        },
    )
    customer = aged(customer_factory(name="将沉睡客户"), 400)
    Customer.objects.filter(pk=customer.pk).update(
        last_interaction_at=timezone.now() - timedelta(days=30)
    )
    values_recompute_all()
    assert lifecycle(customer) == "active"
    events_process()
    assert not FollowUp.objects.filter(customer=customer, title="唤醒沉睡客户").exists()
    with time_machine.travel(timezone.now() + timedelta(days=100), tick=False):
        values_recompute_all()
        assert lifecycle(customer) == "dormant"
        events_process()
    assert FollowUp.objects.filter(customer=customer, title="唤醒沉睡客户").count() == 1


def test_a_merge_recomputes_the_survivor(customer_factory: Any) -> None:
    steward = make_user("vsteward", Role.STEWARD, None)
    survivor = customer_factory(name="存续客户")
    merged = customer_factory(name="被合并客户")
    order(survivor, 100, timezone.localdate())
    order(merged, 900, timezone.localdate())
    values_recompute_all()
    changes_process()  # the creations
    customer_merge(actor=steward, survivor=survivor, merged=merged)
    changes_process()
    value = CustomerValue.objects.get(customer=survivor)
    assert (value.order_count, value.revenue) == (2, Decimal(1000))
    assert not CustomerValue.objects.filter(customer_id=merged.pk).exists()


def test_the_command_recomputes_all_or_the_customers_named(customer_factory: Any) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    customer = customer_factory(name="命令客户")
    order(customer, 300, timezone.localdate())
    out = StringIO()
    call_command("value_recompute", "--customer", customer.customer_no, stdout=out)
    assert "1" in out.getvalue()
    assert CustomerValue.objects.get(customer=customer).order_count == 1
    call_command("value_recompute", stdout=out)
    assert "'customers': 1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("value_recompute", "--customer", "CX000000000")
