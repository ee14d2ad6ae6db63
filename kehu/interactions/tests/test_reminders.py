"""Reminders (issue 16): a task that falls due notifies its assignee once, in the app and by
e-mail, on the task worker; snoozing reminds again. A frozen clock throughout."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from kehu.accounts.models import Notification
from kehu.audit.models import AuditEntry
from kehu.core.periodic import waiting_runs
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import (
    followup_complete,
    followup_create,
    followup_update,
)
from kehu.interactions.services.reminders import followups_remind_due
from kehu.interactions.tasks import reminders_scan

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.tasks,
]  # run on both task backends (.ci/run)
SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 3, 10, 8, 0, tzinfo=SHANGHAI)


@pytest.fixture
def task(customer_factory, rep):
    rep.email = "zhang@example.com"
    rep.save()
    customer = customer_factory(name="提醒贸易")
    with time_machine.travel(MORNING, tick=False):
        return followup_create(
            actor=rep,
            customer=customer,
            kind=FollowUp.Kind.VISIT,
            title="拜访客户",
            due_at=datetime(2026, 3, 10, 14, 30, tzinfo=SHANGHAI),
        )


def reminders(user):
    return list(Notification.objects.filter(user=user, message__contains="拜访客户"))


def test_reminder_fires_once_at_the_due_time(task, rep):
    with time_machine.travel(datetime(2026, 3, 10, 14, 29, tzinfo=SHANGHAI), tick=False):
        assert followups_remind_due() == 0
    assert reminders(rep) == []
    with time_machine.travel(datetime(2026, 3, 10, 14, 30, tzinfo=SHANGHAI), tick=False):
        assert followups_remind_due() == 1
    with time_machine.travel(datetime(2026, 3, 10, 16, 0, tzinfo=SHANGHAI), tick=False):
        assert followups_remind_due() == 0  # once, not at every scan
    notes = reminders(rep)
    assert len(notes) == 1
    assert "2026-03-10 14:30" in notes[0].message and "提醒贸易" in notes[0].message
    assert notes[0].link == f"/customers/{task.customer.customer_no}/#tasks"
    assert [m.to for m in mail.outbox] == [["zhang@example.com"]]
    assert "拜访客户" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="followup.reminded").count() == 1


def test_snoozing_reminds_again_and_done_tasks_never(task, rep):
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=SHANGHAI), tick=False):
        followups_remind_due()
        followup_update(
            actor=rep,
            follow_up=task,
            values={"due_at": datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)},
        )
    with time_machine.travel(datetime(2026, 3, 11, 10, 1, tzinfo=SHANGHAI), tick=False):
        assert followups_remind_due() == 1
    assert len(reminders(rep)) == 2
    other = followup_create(
        actor=rep, customer=task.customer, kind="other", title="已完成的", due_date=MORNING.date()
    )
    followup_complete(actor=rep, follow_up=other)
    with time_machine.travel(MORNING + timedelta(days=5), tick=False):
        assert followups_remind_due() == 0


def test_all_day_task_is_reminded_at_nine_in_the_assignees_zone(customer_factory, rep):
    rep.time_zone = "Europe/Berlin"
    rep.save()
    customer = customer_factory(name="全天任务")
    task = followup_create(
        actor=rep, customer=customer, kind="other", title="全天", due_date=MORNING.date()
    )
    assert task.remind_at == datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_the_worker_runs_the_scan_and_queues_the_next(task, rep, settings):
    settings.KEHU_REMINDER_SCAN_SECONDS = 60
    with time_machine.travel(datetime(2026, 3, 10, 14, 31, tzinfo=SHANGHAI), tick=False):
        reminders_scan.enqueue()
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
        assert len(reminders(rep)) == 1
        # the next scan, a minute later
        assert waiting_runs(reminders_scan) == [datetime(2026, 3, 10, 14, 32, tzinfo=SHANGHAI)]


def test_command_scans_now(task, rep):
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=SHANGHAI), tick=False):
        call_command("reminders_scan", verbosity=0)
    assert len(reminders(rep)) == 1
