"""Freshness rules on a frozen clock: 待补全 -> 信息待完善, stale -> 待验证, and back."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.customers.services import customer_update
from kehu.customers.validators import FIELD_LABELS
from kehu.interactions.freshness import add_business_days, quality_rules_run
from kehu.interactions.models import FollowUp
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]  # run on both task backends (.ci/run)
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)  # a Friday
COMPLETE = {
    "industry": "制造业",
    "size": "small",
    "source": "官网注册",
    "first_contact_date": "2026-11-20",
}


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def quality_of(customer: Customer) -> str:
    customer.refresh_from_db()
    return customer.quality


def tasks(customer: Customer, kind: str) -> list[FollowUp]:
    return list(FollowUp.objects.filter(customer=customer, kind=kind))


def test_business_days_skip_the_weekend():
    assert add_business_days(date(2026, 11, 27), 3) == date(2026, 12, 2)  # Fri -> Wed
    assert add_business_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Sat -> Mon


@override_settings(KEHU_HOLIDAYS=["2026-12-01"], KEHU_EXTRA_WORKDAYS=["2026-11-29"])
def test_holidays_and_extra_workdays_are_settings():
    # Sunday 29th is worked (调休), Tuesday 1st is a holiday.
    assert add_business_days(date(2026, 11, 27), 3) == date(2026, 12, 2)
    assert add_business_days(date(2026, 11, 27), 2) == date(2026, 11, 30)


def test_incomplete_becomes_needs_info_after_three_business_days_over_a_weekend(
    customer_factory, rep
):
    with at(FRIDAY):
        customer = customer_factory(name="周五贸易有限公司")
    assert quality_of(customer) == Customer.Quality.INCOMPLETE
    assert customer.incomplete_since is not None

    # Mon, Tue, Wed are its three business days: still 待补全 on Wednesday night.
    with at(datetime(2026, 12, 2, 23, 0, tzinfo=SHANGHAI)):
        assert quality_rules_run()["needs_info"] == 0
    assert quality_of(customer) == Customer.Quality.INCOMPLETE

    with at(datetime(2026, 12, 3, 2, 0, tzinfo=SHANGHAI)):  # Thursday's nightly run
        assert quality_rules_run()["needs_info"] == 1
    assert quality_of(customer) == Customer.Quality.NEEDS_INFO
    [task] = tasks(customer, FollowUp.Kind.COMPLETE_INFO)
    assert task.owner == rep
    assert task.done_at is None
    assert str(FIELD_LABELS["industry"]) in task.note  # the missing fields by their labels
    entry = AuditEntry.objects.filter(action="customer.quality_changed").get()
    assert entry.source == AuditEntry.Source.RULE
    assert entry.changes == {"quality": ["incomplete", "needs_info"]}

    # Later nights do not pile up tasks.
    for day in (4, 5, 8):
        with at(datetime(2026, 12, day, 2, 0, tzinfo=SHANGHAI)):
            quality_rules_run()
    assert len(tasks(customer, FollowUp.Kind.COMPLETE_INFO)) == 1


def test_within_the_window_nothing_happens_with_a_longer_setting(customer_factory):
    with at(FRIDAY):
        customer = customer_factory(name="宽限贸易有限公司")
    with override_settings(KEHU_INCOMPLETE_BUSINESS_DAYS=5), at(FRIDAY + timedelta(days=6)):
        quality_rules_run()  # Thursday: only 4 business days have passed
    assert quality_of(customer) == Customer.Quality.INCOMPLETE


def test_completing_the_facts_brings_it_back_and_the_night_closes_the_task(customer_factory, rep):
    with at(FRIDAY):
        customer = customer_factory(name="补全贸易有限公司")
    with at(FRIDAY + timedelta(days=7)):
        quality_rules_run()
    assert quality_of(customer) == Customer.Quality.NEEDS_INFO

    with at(FRIDAY + timedelta(days=8)):
        customer_update(actor=rep, customer=customer, data=COMPLETE)
    customer.refresh_from_db()
    assert customer.quality == Customer.Quality.COMPLETE
    assert customer.incomplete_since is None

    with at(FRIDAY + timedelta(days=9)):
        assert quality_rules_run()["tasks_closed"] == 1
    [task] = tasks(customer, FollowUp.Kind.COMPLETE_INFO)
    assert task.done_at is not None


def test_no_interaction_for_180_days_becomes_to_verify_and_an_interaction_brings_it_back(
    customer_factory, rep
):
    with at(FRIDAY):
        customer = customer_factory(name="沉默贸易有限公司", **COMPLETE)
        interaction_log(actor=rep, customer=customer, data={**STANDARD, "method": "phone"})
    assert quality_of(customer) == Customer.Quality.COMPLETE

    with at(FRIDAY + timedelta(days=179)):
        assert quality_rules_run()["to_verify"] == 0
    with at(FRIDAY + timedelta(days=181)):
        assert quality_rules_run()["to_verify"] == 1
        quality_rules_run()
    assert quality_of(customer) == Customer.Quality.TO_VERIFY
    [task] = tasks(customer, FollowUp.Kind.VERIFY)
    assert task.owner == rep and task.done_at is None

    with at(FRIDAY + timedelta(days=182)):
        interaction_log(actor=rep, customer=customer, data={**STANDARD, "method": "visit"})
    assert quality_of(customer) == Customer.Quality.COMPLETE
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == rep
    changes = [
        e.changes["quality"]
        for e in AuditEntry.objects.filter(action="customer.quality_changed").order_by("seq")
    ]
    assert changes == [["complete", "to_verify"], ["to_verify", "complete"]]
    assert {e.source for e in AuditEntry.objects.filter(action="customer.quality_changed")} == {
        "rule"
    }


def test_staleness_counts_from_first_contact_when_never_contacted(customer_factory):
    with at(FRIDAY):
        customer = customer_factory(
            name="初次贸易有限公司", **{**COMPLETE, "first_contact_date": "2026-01-02"}
        )
        quality_rules_run()
    assert quality_of(customer) == Customer.Quality.TO_VERIFY


def test_a_stale_incomplete_customer_back_from_verification_is_incomplete_again(
    customer_factory, rep
):
    with at(FRIDAY):
        customer = customer_factory(name="半缺贸易有限公司")
    with at(FRIDAY + timedelta(days=200)):
        quality_rules_run()
        assert quality_of(customer) == Customer.Quality.TO_VERIFY
        interaction_log(actor=rep, customer=customer, data={**STANDARD, "method": "phone"})
    assert quality_of(customer) == Customer.Quality.INCOMPLETE


def test_a_backdated_interaction_does_not_make_it_fresh(customer_factory, rep):
    with at(FRIDAY):
        customer = customer_factory(name="补录贸易有限公司", **COMPLETE)
    with at(FRIDAY + timedelta(days=400)):
        quality_rules_run()
        interaction_log(
            actor=rep,
            customer=customer,
            data={**STANDARD, "method": "phone", "occurred_at": "2026-12-01"},
        )
    assert quality_of(customer) == Customer.Quality.TO_VERIFY


def test_command_runs_the_rules_now(customer_factory, capsys):
    with at(FRIDAY):
        customer = customer_factory(name="命令贸易有限公司")
    with at(FRIDAY + timedelta(days=200)):
        call_command("quality_rules")
    assert quality_of(customer) == Customer.Quality.TO_VERIFY
    assert "待验证 1" in capsys.readouterr().out


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the worker closes its connection when done
def test_rules_run_as_a_background_task_on_the_worker(customer_factory):
    with at(FRIDAY):
        customer = customer_factory(name="夜间贸易有限公司")
    call_command("quality_rules", "--enqueue")
    with at(FRIDAY + timedelta(days=200)):
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert quality_of(customer) == Customer.Quality.TO_VERIFY
