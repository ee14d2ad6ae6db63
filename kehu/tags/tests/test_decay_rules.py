"""Decaying tags (issue 17), with a frozen clock: 潜在需求 not re-triggered for 180 days is
removed (day 179 no, day 181 yes); three consecutive 未接通/拒接 turn 高活跃度 into 休眠客户; history;
preview counts equal applied counts; the commands."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from kehu.audit.models import AuditEntry
from kehu.interactions.services import interaction_log
from kehu.tags.models import CustomerTag, TagChange, TagDecayRule
from kehu.tags.rules.decay import decay_preview, decay_run, decay_run_all
from kehu.tags.services import tag_apply

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)


def _expiry() -> TagDecayRule:
    return TagDecayRule.objects.select_related("tag").get(kind="expiry", tag__name="潜在需求")


def _streak() -> TagDecayRule:
    return TagDecayRule.objects.select_related("tag", "replace_with").get(
        kind="streak", tag__name="高活跃度"
    )


def _tags(customer: Any) -> list[str]:
    return sorted(CustomerTag.objects.filter(customer=customer).values_list("tag__name", flat=True))


def _log(rep: Any, customer: Any, feedback: str, at: datetime) -> None:
    interaction_log(
        actor=rep,
        customer=customer,
        data={
            "method": "phone",
            "topic": "电话回访",
            "summary": "回访",
            "feedback": feedback,
            "next_action": "再打一次",
            "occurred_at": at.isoformat(),
        },
    )


def test_expiry_fires_at_its_boundary(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    with time_machine.travel(T0, tick=False):
        tag_apply(actor=rep, customer=customer, name="潜在需求")
    rule = _expiry()
    with time_machine.travel(T0 + timedelta(days=179), tick=False):
        assert decay_preview(rule) == 0
        assert decay_run(rule) == 0
    assert _tags(customer) == ["潜在需求"]
    with time_machine.travel(T0 + timedelta(days=181), tick=False):
        assert decay_preview(rule) == 1
        assert decay_run(rule) == 1
    assert _tags(customer) == []
    change = TagChange.objects.get(customer=customer)
    assert (change.kind, change.source, change.rule_name, change.from_tag, change.to_tag) == (
        "removed",
        "decay",
        rule.name,
        "潜在需求",
        "",
    )
    assert change.decay_rule == rule
    entry = AuditEntry.objects.get(action="tag_rule.decayed")
    assert entry.changes["customers"] == 1 and entry.target_label == rule.name


def test_a_re_trigger_restarts_the_clock(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    with time_machine.travel(T0, tick=False):
        tag_apply(actor=rep, customer=customer, name="潜在需求")
    with time_machine.travel(T0 + timedelta(days=100), tick=False):
        tag_apply(actor=None, customer=customer, name="潜在需求", applied_by="rule", label="r")
    with time_machine.travel(T0 + timedelta(days=181), tick=False):
        assert decay_run(_expiry()) == 0
    with time_machine.travel(T0 + timedelta(days=281), tick=False):
        assert decay_run(_expiry()) == 1


def test_expiry_counts_from_added_at_when_never_triggered(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    with time_machine.travel(T0, tick=False):
        tag_apply(actor=rep, customer=customer, name="潜在需求")
    CustomerTag.objects.filter(customer=customer).update(last_triggered_at=None)
    with time_machine.travel(T0 + timedelta(days=179), tick=False):
        assert decay_preview(_expiry()) == 0
    with time_machine.travel(T0 + timedelta(days=181), tick=False):
        assert decay_preview(_expiry()) == 1


def test_the_streak_needs_exactly_three_consecutive(rep: Any, customer_factory: Any) -> None:
    rule = _streak()
    two, three, broken, recovered = (customer_factory() for _ in range(4))
    for customer in (two, three, broken, recovered):
        tag_apply(actor=rep, customer=customer, name="高活跃度")
    at = T0
    for customer, outcomes in (
        (two, ["interested", "no_answer", "refused"]),
        (three, ["interested", "no_answer", "refused", "no_answer"]),
        (broken, ["no_answer", "refused", "interested", "no_answer", "no_answer"]),
        (recovered, ["no_answer", "no_answer", "no_answer", "interested"]),
    ):
        for feedback in outcomes:
            at += timedelta(hours=1)
            _log(rep, customer, feedback, at)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        assert decay_preview(rule) == 1
        assert decay_run(rule) == 1
    assert _tags(three) == ["休眠客户"]
    for customer in (two, broken, recovered):
        assert _tags(customer) == ["高活跃度"]
    link = CustomerTag.objects.get(customer=three)
    assert link.source == "decay" and link.source_label == rule.name
    change = TagChange.objects.get(customer=three)
    assert (change.kind, change.from_tag, change.to_tag) == ("replaced", "高活跃度", "休眠客户")
    # Done: the customer no longer has 高活跃度, so the rule does not fire again.
    assert decay_preview(rule) == 0


def test_a_customer_without_the_tag_is_not_changed(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    for hour in range(3):
        _log(rep, customer, "no_answer", T0 + timedelta(hours=hour))
    assert decay_run(_streak()) == 0
    assert _tags(customer) == []


def test_preview_counts_equal_applied_counts(rep: Any, customer_factory: Any) -> None:
    customers = [customer_factory() for _ in range(5)]
    with time_machine.travel(T0, tick=False):
        for customer in customers[:3]:
            tag_apply(actor=rep, customer=customer, name="潜在需求")
    with time_machine.travel(T0 + timedelta(days=90), tick=False):
        for customer in customers[3:]:
            tag_apply(actor=rep, customer=customer, name="潜在需求")
    with time_machine.travel(T0 + timedelta(days=200), tick=False):
        dry = decay_run_all(dry_run=True)
        assert dry[_expiry().name] == 3
        assert CustomerTag.objects.filter(tag__name="潜在需求").count() == 5  # nothing changed
        assert decay_run_all() == dry
    assert CustomerTag.objects.filter(tag__name="潜在需求").count() == 2
    assert TagChange.objects.filter(decay_rule=_expiry()).count() == 3
    rule = _expiry()
    assert rule.last_run_count == 3 and rule.last_run_at is not None


def test_the_commands(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(notes="客户预算有限")
    out = StringIO()
    call_command("tags_autotag", "--rule", "预算有限 → 价格敏感型", "--dry-run", stdout=out)
    assert "1 customers match, 1 new" in out.getvalue()
    assert _tags(customer) == []
    call_command("tags_autotag", "--rule", "预算有限 → 价格敏感型", stdout=out)
    assert _tags(customer) == ["价格敏感型"]
    with time_machine.travel(T0, tick=False):
        tag_apply(actor=rep, customer=customer, name="潜在需求")
    out = StringIO()
    with time_machine.travel(T0 + timedelta(days=181), tick=False):
        call_command("tags_decay", "--dry-run", stdout=out)
        assert "would change 1 customers" in out.getvalue()
        assert "潜在需求" in _tags(customer)
        call_command("tags_decay", stdout=out)
    assert "潜在需求" not in _tags(customer)


def test_the_nightly_schedule() -> None:
    from kehu.core.periodic import seconds_to_hour

    evening = datetime(2026, 1, 5, 23, 0, tzinfo=SHANGHAI)
    assert seconds_to_hour(2, evening) == 3 * 3600
    assert seconds_to_hour(2, datetime(2026, 1, 5, 2, 0, tzinfo=SHANGHAI)) == 24 * 3600
    assert seconds_to_hour(-1, evening) == 0  # off


def test_the_worker_queues_the_nightly_run(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from kehu.tags.tasks import decay_schedule

    settings.KEHU_TAG_DECAY_HOUR = 2
    assert decay_schedule() is True
    assert decay_schedule() is False  # one waits already
    queued = DBTaskResult.objects.filter(task_path__endswith="tags_decay_task", status="READY")
    assert queued.count() == 1
