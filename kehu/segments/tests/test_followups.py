"""A segment's recurring follow-up rule, with a frozen clock: tasks for each customer's owner
exactly once per period, none for a customer whose task of the rule is still open, audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from kehu.accounts.models import Role, Team, User
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followup_complete
from kehu.segments.models import Segment, SegmentTask
from kehu.segments.services import segment_create, segments_followup_run
from kehu.segments.services.followups import period_start

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> Any:
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False
    )


def test_period_start() -> None:
    wednesday = date(2026, 12, 9)
    assert period_start("weekly", wednesday) == date(2026, 12, 7)
    assert period_start("monthly", wednesday) == date(2026, 12, 1)
    # every two weeks, counted from Monday 2024-01-01
    assert period_start("biweekly", wednesday) == date(2026, 11, 30)
    assert period_start("biweekly", date(2026, 12, 13)) == date(2026, 11, 30)
    assert period_start("biweekly", date(2026, 12, 14)) == date(2026, 12, 14)
    assert period_start("biweekly", date(2026, 12, 27)) == date(2026, 12, 14)


@pytest.fixture
def book(customer_factory: Any, rep: User, rep2: User, outsider: User) -> list[Customer]:
    return [
        customer_factory(name="甲制造有限公司", province="广东省"),
        customer_factory(name="乙制造有限公司", province="广东省"),
        customer_factory(actor=rep2, name="丙制造有限公司", province="广东省"),
        customer_factory(name="丁贸易有限公司", province="浙江省"),
        customer_factory(actor=outsider, name="戊制造有限公司", province="广东省"),
    ]


def test_weekly_rule_makes_tasks_once_per_week(
    book: list[Customer], manager: User, rep: User, rep2: User
) -> None:
    segment = segment_create(
        actor=manager,
        data={
            "name": "广东客户",
            "query": "province=广东省",
            "visibility": "team",
            "followup_cadence": "weekly",
            "followup_title": "本周跟进广东客户",
            "followup_due_days": 2,
        },
    )
    wednesday = date(2026, 12, 9)
    with at(wednesday):
        assert segments_followup_run() == {"segments": 1, "tasks": 3, "failed": 0}
    tasks = FollowUp.objects.order_by("customer__name")
    # the manager's team's customers in Guangdong, each for its owner; not the outsider's
    owners = dict(User.objects.values_list("pk", "username"))
    assert sorted((t.customer.name, owners[t.owner_id or 0]) for t in tasks) == sorted(
        [("丙制造有限公司", "rep2"), ("甲制造有限公司", "rep"), ("乙制造有限公司", "rep")]
    )
    assert {t.title for t in tasks} == {"本周跟进广东客户"}
    assert {t.due_date for t in tasks} == {date(2026, 12, 11)}
    assert {t.kind for t in tasks} == {FollowUp.Kind.OTHER}
    assert all(t.remind_at is not None for t in tasks)
    assert AuditEntry.objects.filter(action="followup.created").count() == 3
    entry = AuditEntry.objects.get(action="segment.followups_created")
    assert entry.changes == {"period": "2026-12-07", "tasks": 3}
    segment.refresh_from_db()
    assert segment.followup_period == date(2026, 12, 7)

    with at(date(2026, 12, 13), hour=22):  # Sunday, same week: nothing
        assert segments_followup_run() == {"segments": 0, "tasks": 0, "failed": 0}
    assert FollowUp.objects.count() == 3

    # the rep does one; next week the rule makes a new one only there (the others are open)
    done = tasks.get(customer__name="甲制造有限公司")
    followup_complete(actor=rep, follow_up=done)
    with at(date(2026, 12, 14), hour=1):
        assert segments_followup_run() == {"segments": 1, "tasks": 1, "failed": 0}
    assert FollowUp.objects.count() == 4
    assert (
        FollowUp.objects.filter(customer__name="甲制造有限公司", done_at__isnull=True).count() == 1
    )
    assert SegmentTask.objects.filter(period=date(2026, 12, 14)).count() == 1
    with at(date(2026, 12, 15)):
        assert segments_followup_run()["tasks"] == 0
    assert AuditEntry.objects.filter(action="segment.followups_created").count() == 2


def test_monthly_rule_and_command(book: list[Customer], rep: User) -> None:
    segment_create(
        actor=rep,
        data={"name": "浙江", "query": "province=浙江省", "followup_cadence": "monthly"},
    )
    with at(date(2026, 12, 31)):
        call_command("segments_followup", stdout=open("/dev/null", "w"))
    with at(date(2027, 1, 1)):
        call_command("segments_followup", stdout=open("/dev/null", "w"))
        call_command("segments_followup", stdout=open("/dev/null", "w"))
    tasks = FollowUp.objects.all()
    assert tasks.count() == 1  # January found December's task still open
    assert tasks.get().title  # the default title names the segment
    assert "浙江" in tasks.get().title
    assert SegmentTask.objects.count() == 1


def test_rule_sees_what_its_owner_may_change(
    book: list[Customer], rep: User, team_east: Team
) -> None:
    segment_create(
        actor=rep,
        data={"name": "我的广东", "query": "province=广东省", "followup_cadence": "weekly"},
    )
    with at(date(2026, 12, 9)):
        segments_followup_run()
    assert set(FollowUp.objects.values_list("customer__name", flat=True)) == {
        "甲制造有限公司",
        "乙制造有限公司",
    }
    assert set(FollowUp.objects.values_list("owner", flat=True)) == {rep.pk}


def test_no_rule_no_tasks_and_a_broken_filter_is_skipped(book: list[Customer], rep: User) -> None:
    segment_create(actor=rep, data={"name": "无规则", "query": "province=广东省"})
    segment_create(
        actor=rep, data={"name": "坏了", "query": "status=lead", "followup_cadence": "weekly"}
    )
    # a filter that no longer holds (as when its tag or custom field is gone)
    Segment.objects.filter(name="坏了").update(query="status=bogus")
    with at(date(2026, 12, 9)):
        assert segments_followup_run() == {"segments": 0, "tasks": 0, "failed": 1}
    assert not FollowUp.objects.exists()


def test_executive_rule_cannot_be_set_and_inactive_owner_makes_none(
    book: list[Customer], manager: User
) -> None:
    segment = segment_create(
        actor=manager,
        data={"name": "广东", "query": "province=广东省", "followup_cadence": "weekly"},
    )
    manager.is_active = False
    manager.save()
    with at(date(2026, 12, 9)):
        assert segments_followup_run()["tasks"] == 0
    assert not FollowUp.objects.exists()
    segment.refresh_from_db()
    assert segment.followup_period == date(2026, 12, 7)
    assert Segment.objects.count() == 1
    assert make_user("x-exec", Role.EXECUTIVE).role == Role.EXECUTIVE
