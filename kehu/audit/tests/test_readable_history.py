"""Issue 15: the history reads like a sentence, in zh-hans.

Every view of the log (the 360 page's change history, the audit page, GET
/api/v1/customers/{no}/history, GET /api/v1/audit) shows names, not ids (执行人: 张销售, not 2),
field labels, display values (choices' labels, 是/否, times in the reader's time zone), only
the fields that changed, and the system's own notes translated. The API keeps the stored
values and adds what people read beside them.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.utils import translation

from kehu.audit.actions import AuditAction
from kehu.audit.display import note_label
from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_record
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>", 1)[0]


@pytest.fixture
def changed(api: Any, rep: Any, manager: Any, rep2: Any, customer_factory: Any) -> Any:
    """The rep logs a call, then says rep2 made it, an hour later; the manager hands the
    customer to rep2 and moves it to 成都市; the log also holds an entry with a yes/no value and
    a note the system wrote."""
    customer = customer_factory(name="成都示例贸易有限公司", city="重庆市")
    call = api.login(rep).post(
        f"/api/v1/customers/{customer.customer_no}/interactions",
        {"method": "phone", **STANDARD, "occurred_at": "2026-03-05T10:00:00+08:00"},
    )
    assert call.status_code == 201, call.content
    response = api.patch(
        f"/api/v1/interactions/{call.json()['interaction_no']}",
        {"performed_by": rep2.username, "occurred_at": "2026-03-05T11:30:00+08:00"},
    )
    assert response.status_code == 200, response.content
    response = api.login(manager).patch(
        f"/api/v1/customers/{customer.customer_no}",
        {"owner": rep2.username, "city": "成都市", "name": customer.name},
    )
    assert response.status_code == 200, response.content
    audit_record(
        actor=None,
        action=AuditAction.CUSTOMER_UPDATED,
        target=customer,
        changes={
            "last_interaction_at": ["2026-03-05T02:00:00+00:00", None],
            "decision_maker.is_primary": [True, False],
        },
        note="Imported (#7)",
        source="import",
    )
    return customer


def test_the_360_history_names_people_and_labels_fields(
    client: Any, admin_user: Any, changed: Any
) -> None:
    client.force_login(admin_user)
    page = client.get(f"/customers/{changed.customer_no}/", **ZH).content.decode()
    history = _text(_section(page, 'id="history"'))
    assert "负责人: 张销售 → 李销售" in history
    assert "执行人: 张销售 → 李销售" in history  # stored as ids, shown as names
    assert "发生时间: 2026-03-05 10:00 → 2026-03-05 11:30" in history  # Asia/Shanghai
    assert "城市: 重庆市 → 成都市" in history
    assert "名称:" not in history.split("修改客户", 1)[1].split("修改客户", 1)[0]  # unchanged
    assert "王经理" in history and " manager " not in history  # who, by name
    assert "最近互动: 2026-03-05 10:00 → ∅" in history
    assert "决策人·主要联系人: 是 → 否" in history
    assert "导入（第 7 批）" in history and "Imported" not in history
    assert "系统" in history  # the system's entries name the system, not "system"
    for code in ("customer.updated", "performed_by", "owner:", "last_interaction_at"):
        assert code not in history


def test_times_follow_the_readers_time_zone(
    api: Any, client: Any, admin_user: Any, changed: Any
) -> None:
    response = api.login(admin_user).patch("/api/v1/me", {"time_zone": "America/New_York"})
    assert response.status_code == 200
    page = client.get(f"/customers/{changed.customer_no}/", **ZH).content.decode()
    history = _text(_section(page, 'id="history"'))
    assert "最近互动: 2026-03-04 21:00 → ∅" in history
    assert "发生时间: 2026-03-04 21:00 → 2026-03-04 22:30" in history
    entry = AuditEntry.objects.filter(customer_id=changed.pk).latest("id")
    local = entry.created_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f"{local:%Y-%m-%d %H:%M}" in history


def test_the_audit_page_reads_the_same(client: Any, admin_user: Any, changed: Any) -> None:
    client.force_login(admin_user)
    page = client.get("/audit/", {"customer": changed.customer_no}, **ZH).content.decode()
    log = _text(page.split('id="audit-entries"', 1)[1])
    assert "负责人: 张销售 → 李销售" in log and "城市: 重庆市 → 成都市" in log
    assert "执行人: 张销售 → 李销售" in log
    assert "修改客户" in log and "王经理" in log
    assert "导入（第 7 批）" in log and "Imported" not in log
    assert "customer.updated" not in log


def test_the_api_keeps_codes_and_adds_what_people_read(
    api: Any, admin_user: Any, rep: Any, rep2: Any, manager: Any, changed: Any
) -> None:
    api.login(admin_user)
    history = api.get(f"/api/v1/customers/{changed.customer_no}/history").json()["items"]
    audit = api.get("/api/v1/audit", customer=changed.customer_no).json()["items"]
    for items in (history, audit):
        by_manager = next(i for i in items if i["actor"] == manager.username)
        assert by_manager["actor_name"] == "王经理"
        assert by_manager["action"] == "customer.updated"
        assert by_manager["action_label"] == "修改客户"
        assert by_manager["source_label"] == "API"
        shown = {c["field"]: c for c in by_manager["changes_shown"]}
        assert shown["owner"]["label"] == "负责人" and shown["city"]["label"] == "城市"
        assert "name" not in shown  # unchanged
        edited = next(i for i in items if i["action"] == "interaction.updated")
        assert edited["actor_name"] == "张销售" and edited["action_label"] == "修改互动"
        assert edited["changes"]["performed_by_id"] == [rep.pk, rep2.pk]  # stored as it was
        shown = {c["field"]: c for c in edited["changes_shown"]}
        assert shown["performed_by_id"] == {
            "field": "performed_by_id",
            "label": "执行人",
            "before": "张销售",
            "after": "李销售",
        }
        assert shown["occurred_at"]["after"] == "2026-03-05 11:30"
        by_system = next(i for i in items if i["actor"] == "system")
        assert by_system["actor_name"] == "系统"
        assert by_system["note"] == "Imported (#7)" and by_system["note_label"] == "导入（第 7 批）"
        times = {c["field"]: c for c in by_system["changes_shown"]}
        assert times["last_interaction_at"]["before"] == "2026-03-05 10:00"


def test_every_action_has_a_label_that_is_not_its_code() -> None:
    for action in AuditAction:
        with translation.override("en"):
            english = str(action.label)
        with translation.override("zh-hans"):
            chinese = str(action.label)
        assert english and english != action.value, action.value
        assert chinese != action.value and chinese != english, action.value
        assert re.search(r"[\u4e00-\u9fff]", chinese), (action.value, chinese)


def test_the_systems_notes_are_translated() -> None:
    with translation.override("zh-hans"):
        assert note_label("Imported (#12)") == "导入（第 12 批）"
        assert note_label("Created") == str(translation.gettext("Created"))
        assert note_label("create=alert") == "新建：提醒"
        assert note_label("华东销售部 duplicate_rate 12.0% vs baseline 8.0%") == (
            "重复率 12.0%（基线 8.0%），华东销售部"
        )
        assert note_label("已签订年度合同") == "已签订年度合同"  # a person's, as written


def test_a_users_history_is_one_click_from_the_user_page(
    api: Any, client: Any, admin_user: Any, rep: Any, team_south: Any
) -> None:
    response = api.login(admin_user).patch(
        f"/api/v1/users/{rep.username}", {"team": team_south.name, "can_reveal_pii": True}
    )
    assert response.status_code == 200, response.content
    page = client.get(f"/users/{rep.pk}/edit/", **ZH).content.decode()
    target = f"/audit/?target=accounts.user:{rep.pk}"
    assert f'href="{target}" id="user-history"' in page
    log = _text(client.get(target, **ZH).content.decode().split('id="audit-entries"', 1)[1])
    assert "修改用户 张销售" in log
    assert "团队: 华东销售部 → 华南销售部" in log
    assert "可查看被遮挡的联系方式: 否 → 是" in log
    assert "can_reveal_pii" not in log and "True" not in log


def test_a_hand_over_and_a_reveal_name_people_and_fields(
    api: Any, client: Any, admin_user: Any, rep: Any, rep2: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="交接示例有限公司", phone="13912345678")
    api.login(admin_user)
    plan = api.post(f"/api/v1/users/{rep.pk}/handover/plan", {"default": rep2.username}).json()
    response = api.post(
        f"/api/v1/users/{rep.pk}/handover",
        {"default": rep2.username, "plan_token": plan["plan_token"]},
    )
    assert response.status_code == 200, response.content
    api.post(f"/api/v1/customers/{customer.customer_no}/reveal", {"field": "phone"})
    log = _text(client.get("/audit/", **ZH).content.decode().split('id="audit-entries"', 1)[1])
    assert "办理交接" in log and "查看完整信息" in log
    assert f"{customer.customer_no}: 李销售" in log  # the assignment: the successor's name
    assert "接手人: 李销售: 客户: 1" in log
    assert "字段: 电话" in log  # the revealed field by its label
    assert "rep2" not in log and "phone" not in log
