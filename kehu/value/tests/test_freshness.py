"""Freshness by value on a frozen clock: verify tasks by grade cadence (exactly once), and the
behaviour triggers at their boundaries, each task linked to the event that fired it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp
from kehu.interactions.services import events_ingest, interaction_log
from kehu.interactions.services.followups import followup_complete
from kehu.interactions.tests.helpers import STANDARD
from kehu.tags.services import tag_apply
from kehu.value.freshness.cadence import cadence_run
from kehu.value.models import BehaviourTrigger, CustomerValue, TriggerFiring
from kehu.value.services.triggers import triggers_run

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def verify_tasks(customer: Customer) -> list[FollowUp]:
    return list(FollowUp.objects.filter(customer=customer, kind=FollowUp.Kind.VERIFY))


@pytest.fixture
def graded(customer_factory):
    def make(grade: str, **data: Any) -> Any:
        with at(T0):
            customer = customer_factory(**data)
        CustomerValue.objects.update_or_create(customer=customer, defaults={"grade": grade})
        return customer

    return make


def test_grade_a_monthly_exactly_once(graded, rep):
    a, b = graded("A"), graded("B")
    with at(T0 + timedelta(days=20)):
        assert cadence_run() == 0
    with at(T0 + timedelta(days=31)):
        assert cadence_run() == 1
        assert cadence_run() == 0  # never a second open one
    (task,) = verify_tasks(a)
    assert task.owner == rep and verify_tasks(b) == []
    with at(T0 + timedelta(days=32)):
        followup_complete(actor=rep, follow_up=task)
    with at(T0 + timedelta(days=50)):
        assert cadence_run() == 0  # verified 18 days ago
    with at(T0 + timedelta(days=63)):
        assert cadence_run() == 1
    assert len(verify_tasks(a)) == 2
    with at(T0 + timedelta(days=92)):
        cadence_run()
    assert len(verify_tasks(b)) == 1  # quarterly


def test_interaction_counts_as_verified_and_vip_is_monthly(graded, rep):
    c = graded("C")
    vip = graded("C", name="重点客户有限公司")
    with at(T0 + timedelta(days=1)):
        tag_apply(actor=rep, customer=vip, name="VIP")
    with at(T0 + timedelta(days=25)):
        interaction_log(
            actor=rep, customer=vip, data={**STANDARD, "method": "phone"}
        )  # verified on day 25
    with at(T0 + timedelta(days=40)):
        assert cadence_run() == 0
    with at(T0 + timedelta(days=56)):
        assert cadence_run() == 1
    assert len(verify_tasks(vip)) == 1 and verify_tasks(c) == []


def _events(customer: Customer, actor, kind: str, moments: list[datetime]) -> list:
    payload = [
        {"customer_no": customer.customer_no, "kind": kind, "occurred_at": m.isoformat()}
        for m in moments
    ]
    return events_ingest(actor=actor, events=payload, customers=Customer.objects.all())


def review_tasks(customer: Customer) -> list[FollowUp]:
    return list(FollowUp.objects.filter(customer=customer, event__isnull=False))


def test_email_opens_three_in_seven_days(graded, rep):
    customer = graded("B")
    now = T0 + timedelta(days=10)
    with at(now):
        _events(customer, rep, "email_open", [now - timedelta(days=5), now - timedelta(days=1)])
        assert triggers_run() == 0  # two opens: no
        (third,) = _events(customer, rep, "email_open", [now])
        assert triggers_run() == 1  # three: yes
        assert triggers_run() == 0  # once per window
        _events(customer, rep, "email_open", [now + timedelta(minutes=1)])
    with at(now + timedelta(hours=1)):
        assert triggers_run() == 0
    (task,) = review_tasks(customer)
    assert task.event_id == third.pk and task.owner == rep
    assert TriggerFiring.objects.filter(customer=customer).count() == 1


def test_email_opens_eight_days_apart_do_not_fire(graded, rep):
    customer = graded("B")
    now = T0 + timedelta(days=20)
    with at(now):
        moments = [now - timedelta(days=8), now - timedelta(days=4), now]
        _events(customer, rep, "email_open", moments)
        assert triggers_run() == 0
    assert review_tasks(customer) == []


def test_form_submit_by_a_dormant_customer(graded, rep, client):
    dormant, active = graded("C"), graded("C", name="活跃客户有限公司")
    CustomerValue.objects.filter(customer=dormant).update(lifecycle="dormant")
    CustomerValue.objects.filter(customer=active).update(lifecycle="active")
    now = T0 + timedelta(days=3)
    with at(now):
        (event,) = _events(dormant, rep, "form_submit", [now])
        _events(active, rep, "form_submit", [now])
        newest = event.pk - 1
        assert triggers_run(since_id=newest) == 1  # the path the listener's task takes
        assert triggers_run() == 0
        client.force_login(rep)
        page = client.get("/my-day/").content.decode()
        detail = client.get(f"/customers/{dormant.customer_no}/").content.decode()
    (task,) = review_tasks(dormant)
    assert task.event_id == event.pk and review_tasks(active) == []
    assert f"task-event-{task.pk}" in detail
    assert f"task-event-{task.pk}" in page or task.title not in page


def test_shipped_triggers():
    kinds = set(BehaviourTrigger.objects.values_list("event_kind", "min_count", "window_days"))
    assert ("email_open", 3, 7) in kinds and ("form_submit", 1, 30) in kinds


def test_settings_api_admin_only(admin_user, rep, api):
    assert api.login(rep).get("/api/v1/value/freshness").status_code == 403
    body = api.login(admin_user).patch("/api/v1/value/freshness", {"cadences": {"B": 60}})
    assert body.status_code == 200
    assert {c["key"]: c["days"] for c in body.json()["cadences"]}["B"] == 60
    bad = api.patch("/api/v1/value/freshness", {"cadences": {"B": -1}})
    assert bad.status_code == 422
    created = api.post(
        "/api/v1/value/freshness/triggers",
        {"name": "下载白皮书", "event_kind": "download", "task_title": "跟进下载"},
    )
    assert created.status_code == 201


def test_new_events_queue_the_triggers_and_the_worker_schedules(
    graded, rep, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from kehu.value.tasks import (
        freshness_schedule,
        propensity_schedule,
        propensity_train_task,
        triggers_task,
    )

    with django_capture_on_commit_callbacks(execute=True):  # one commit: the customer, events
        customer = graded("B")
        with at(T0 + timedelta(days=1)):
            _events(customer, rep, "email_open", [T0])
    queued = DBTaskResult.objects.filter(task_path=triggers_task.module_path, status="READY")
    assert queued.count() == 1
    assert propensity_schedule() is True  # never trained: at once
    assert propensity_schedule() is False  # one waits already
    assert DBTaskResult.objects.filter(task_path=propensity_train_task.module_path).count() == 1
    assert freshness_schedule() is True
