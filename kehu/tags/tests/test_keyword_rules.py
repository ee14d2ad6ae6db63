"""Keyword auto-tags (issue 17): the shipped rules fire on save from an interaction summary, a
customer note, a follow-up note and a chat capture; negation in the same clause cancels; a
re-trigger refreshes last_triggered_at; a retroactive run tags what its preview counted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.audit.models import AuditEntry
from kehu.customers.services import customer_update
from kehu.intake.capture.services import chat_commit, chat_draft
from kehu.interactions.services import interaction_log, interaction_update
from kehu.interactions.services.followups import followup_create
from kehu.tags.models import CustomerTag, KeywordTagRule, TagChange
from kehu.tags.rules.apply import rule_preview
from kehu.tags.rules.events import cursor_start, events_process
from kehu.tags.rules.keywords import Matcher
from kehu.tags.rules.services import keyword_rule_run_now

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
SHIPPED = {
    "价格敏感型": "客户说今年预算有限。希望分期付款。",
    "产品教育需求": "对方需要技术咨询。",
    "竞品对比": "客户提到竞品的报价更低。",
}


@pytest.fixture(autouse=True)
def _cursor(db: Any) -> None:
    cursor_start()  # the cursor starts at the log's end; what the test writes comes after


def _log(actor: Any, customer: Any, summary: str, **extra: Any) -> Any:
    data = {
        "method": "phone",
        "topic": "电话回访",
        "summary": summary,
        "feedback": "interested",
        "next_action": "发送报价",
        "occurred_at": T0.isoformat(),
        **extra,
    }
    return interaction_log(actor=actor, customer=customer, data=data)


def _link(customer: Any, tag: str) -> Any:
    return CustomerTag.objects.filter(customer=customer, tag__name=tag).first()


def _rule(tag: str) -> KeywordTagRule:
    return KeywordTagRule.objects.get(tag__name=tag)


@pytest.mark.parametrize("tag", list(SHIPPED))
def test_each_shipped_rule_fires_from_an_interaction_summary(
    rep: Any, customer_factory: Any, tag: str
) -> None:
    customer = customer_factory()
    with time_machine.travel(T0, tick=False):
        _log(rep, customer, SHIPPED[tag])
        events_process()
    link = _link(customer, tag)
    assert link is not None
    assert link.source == CustomerTag.Source.RULE
    assert link.source_label == _rule(tag).name
    assert link.evidence == SHIPPED[tag].split("。")[0] + "。"  # the sentence
    assert link.last_triggered_at == T0
    change = TagChange.objects.get(customer=customer)
    assert change.keyword_rule == _rule(tag) and change.to_tag == tag
    assert AuditEntry.objects.filter(
        action="customer.tagged", customer_id=customer.pk, source="rule"
    ).exists()


@pytest.mark.parametrize("tag", list(SHIPPED))
def test_each_shipped_rule_fires_from_a_customer_note(
    rep: Any, customer_factory: Any, tag: str
) -> None:
    customer = customer_factory()
    customer_update(actor=rep, customer=customer, data={"notes": "备注 " + SHIPPED[tag]})
    events_process()
    link = _link(customer, tag)
    assert link is not None and link.evidence.startswith("备注 ")


@pytest.mark.parametrize("tag", list(SHIPPED))
def test_each_shipped_rule_fires_from_a_chat_capture(
    rep: Any, customer_factory: Any, tag: str
) -> None:
    customer = customer_factory()
    text = "王总：你好。\n" + SHIPPED[tag]
    chat_commit(actor=rep, customer=customer, text=text, draft=chat_draft(text))
    events_process()
    link = _link(customer, tag)
    assert link is not None and link.evidence == SHIPPED[tag].split("。")[0] + "。"


def test_a_follow_up_note_fires(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    followup_create(
        actor=rep, customer=customer, kind="other", title="回访", note="客户预算紧张，下月再联系"
    )
    events_process()
    assert _link(customer, "价格敏感型").evidence == "客户预算紧张，下月再联系"


def test_a_new_customer_with_notes_fires(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(notes="正在和竞争对手比较。")
    events_process()
    assert _link(customer, "竞品对比") is not None


def test_negation_in_the_same_clause_cancels_in_another_does_not(
    rep: Any, customer_factory: Any
) -> None:
    negated, other_clause = customer_factory(), customer_factory()
    _log(rep, negated, "没有预算有限的问题")
    _log(rep, other_clause, "预算有限，但不着急")
    events_process()
    assert _link(negated, "价格敏感型") is None
    assert _link(other_clause, "价格敏感型").evidence == "预算有限，但不着急"  # as typed


def test_the_matcher() -> None:
    rule = KeywordTagRule.objects.get(tag__name="价格敏感型")
    matcher = Matcher.of(rule)
    assert matcher.match("没有预算有限的问题") is None
    assert matcher.match("客户不需要考虑预算紧张") is None
    assert matcher.match("预算有限。没有别的问题") == "预算有限。"
    assert matcher.match("我们没时间，预算有限") == "我们没时间，预算有限"
    assert matcher.match("") is None
    competitor = Matcher.of(KeywordTagRule.objects.get(tag__name="竞品对比"))
    assert competitor.match("上周对比了其他家的方案") == "上周对比了其他家的方案"
    assert competitor.match("他们不是竞争对手") is None


def test_an_edit_fires_and_a_re_trigger_refreshes(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    with time_machine.travel(T0, tick=False):
        interaction = _log(rep, customer, "只是寒暄")
        events_process()
        assert _link(customer, "价格敏感型") is None
        interaction_update(actor=rep, interaction=interaction, data={"summary": "客户说预算有限"})
        events_process()
    assert _link(customer, "价格敏感型").last_triggered_at == T0
    later = T0 + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        _log(rep, customer, "再次强调预算紧张", occurred_at=later.isoformat())
        events_process()
    link = _link(customer, "价格敏感型")
    assert link.last_triggered_at == later and link.evidence == "再次强调预算紧张"
    assert CustomerTag.objects.filter(customer=customer, tag__name="价格敏感型").count() == 1
    assert TagChange.objects.filter(customer=customer).count() == 1  # added once


def test_each_write_is_read_once(rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    _log(rep, customer, "预算有限")
    assert events_process() > 0
    assert events_process() == 0  # nothing after the cursor
    assert TagChange.objects.filter(customer=customer).count() == 1


def test_an_inactive_rule_does_not_fire(rep: Any, customer_factory: Any) -> None:
    KeywordTagRule.objects.update(is_active=False)
    customer = customer_factory()
    _log(rep, customer, "预算有限")
    events_process()
    assert not CustomerTag.objects.filter(customer=customer).exists()


def test_the_listener_queues_one_run_after_commit(
    rep: Any, customer_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        customer = customer_factory()
        _log(rep, customer, "预算有限")
    queued = DBTaskResult.objects.filter(task_path__endswith="autotag_events", status="READY")
    assert queued.count() == 1


def test_a_retroactive_run_tags_what_its_preview_counted(rep: Any, customer_factory: Any) -> None:
    KeywordTagRule.objects.update(is_active=False)  # the texts are there before the rule runs
    customers = [customer_factory() for _ in range(4)]
    _log(rep, customers[0], "预算有限")
    _log(rep, customers[1], "没有预算有限的问题")
    customer_update(actor=rep, customer=customers[2], data={"notes": "预算紧张"})
    _log(rep, customers[3], "预算有限，价格太高")
    rule = _rule("价格敏感型")
    preview = rule_preview(rule)
    assert preview["matched"] == 3 and preview["new"] == 3
    assert "预算有限" in preview["samples"]
    result = keyword_rule_run_now(rule_id=rule.pk)
    assert result == {"matched": 3, "new": 3, "refreshed": 0}
    tagged = set(CustomerTag.objects.filter(tag=rule.tag).values_list("customer_id", flat=True))
    assert tagged == {customers[0].pk, customers[2].pk, customers[3].pk}
    link = CustomerTag.objects.get(customer=customers[2], tag=rule.tag)
    assert link.source == "rule" and link.source_label == rule.name and link.evidence == "预算紧张"
    assert TagChange.objects.filter(keyword_rule=rule).count() == 3
    assert AuditEntry.objects.filter(action="tag_rule.run").count() == 1
    rule.refresh_from_db()
    assert rule.last_run_count == 3
    # Again: the same customers match, none is new, all are refreshed.
    assert rule_preview(rule)["new"] == 0
    assert keyword_rule_run_now(rule_id=rule.pk) == {"matched": 3, "new": 0, "refreshed": 3}
