"""The shipped rules (issue 16), created by migration 0002 and by `kehu demo`; editable and
disabled like any other rule. Messages are left empty: the rule's name says what happened, in
the reader's language when shown (kehu.workflow.display)."""

from __future__ import annotations

from typing import Any

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "key": "won_to_support",
        "name": "成交客户交给售后",
        "trigger": "status_changed",
        "params": {"to": "won"},
        "conditions": [],
        "actions": [
            {"type": "notify", "to": ["role:support"], "message": "新成交客户，请安排售后"},
            {
                "type": "create_task",
                "title": "成交客户开通服务（onboarding）",
                "due_in_days": 3,
                "assignee": "owner",
            },
        ],
    },
    {
        "key": "deal_won_to_support",
        "name": "赢单通知售后",
        "trigger": "stage_changed",
        "params": {"to": "won"},
        "conditions": [],
        "actions": [{"type": "notify", "to": ["role:support"], "message": "商机赢单，请安排售后"}],
    },
    {
        "key": "pool_unclaimed",
        "name": "公海线索48小时无人领取",
        "trigger": "lead_unclaimed",
        "params": {"hours": 48},
        "conditions": [],
        "actions": [
            {"type": "notify", "to": ["managers"], "message": "公海线索超过48小时无人领取"}
        ],
    },
    {
        "key": "untouched_to_pool",
        "name": "90天未跟进退回公海",
        "trigger": "no_interaction",
        "params": {"days": 90},
        "conditions": [],
        "actions": [{"type": "return_to_pool", "reason": "负责人90天未跟进，自动退回公海"}],
    },
    {
        "key": "opportunity_overdue",
        "name": "商机逾期提醒负责人",
        "trigger": "opportunity_overdue",
        "params": {"days": 0},
        "conditions": [],
        "actions": [{"type": "notify", "to": ["owner"], "message": "商机已过预计成交日期"}],
    },
]
