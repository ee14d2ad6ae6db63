"""What the field standard requires of every interaction, for tests that log one."""

from __future__ import annotations

STANDARD: dict[str, str] = {
    "topic": "需求沟通",
    "summary": "客户介绍了采购计划",
    "feedback": "interested",
    "next_action": "下周发送报价",
}
