from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.core.validators import build_aliases

from .models import BehaviourEvent, Interaction

METHOD_ALIASES = build_aliases(
    Interaction.Method,
    {
        "phone": ["电话", "打电话", "call"],
        "visit": ["拜访", "上门拜访"],
        "email": ["邮件", "电子邮件", "mail"],
        "meeting": ["会议", "开会"],
        "live_stream": ["线上直播", "直播", "live"],
        "wechat": ["微信", "weixin"],
    },
)
FEEDBACK_ALIASES = build_aliases(
    Interaction.Feedback,
    {
        "interested": ["有兴趣", "感兴趣", "意向客户"],  # the last: its label before a context
        # The field standard's own wording is 需进一步知晓.
        "needs_more_info": ["需进一步了解", "需要进一步了解", "需进一步知晓", "需要进一步知晓"],
        "not_now": ["暂不考虑"],
        "rejected": ["明确拒绝", "拒绝"],
        "objection": ["提出异议", "异议"],
    },
)
EVENT_KIND_ALIASES = build_aliases(
    BehaviourEvent.Kind,
    {
        "web_visit": ["网站访问", "访问", "page_view", "pageview"],
        "email_open": ["邮件打开", "打开邮件"],
        "email_click": ["邮件点击", "点击邮件"],
        "form_submit": ["表单提交", "提交表单"],
        "download": ["下载"],
        "other": ["其他"],
    },
)


# The field standard: every interaction states its topic, a summary of what was said, the
# customer's feedback and the next action (web form, API, the sandbox's import alike).
STANDARD_REQUIRED: dict[str, Any] = {
    "topic": _("The topic is required: what was the interaction about?"),
    "summary": _("The summary is required: what was said?"),
    "feedback": _("The customer's feedback is required: choose one."),
    "next_action": _("The next action is required: what happens next?"),
}


def interaction_standard_missing(values: Mapping[str, Any]) -> list[str]:
    """The standard's required fields that these values leave empty, in the standard's order."""
    return [name for name in STANDARD_REQUIRED if not str(values.get(name) or "").strip()]
