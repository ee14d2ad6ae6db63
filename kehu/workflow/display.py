"""A rule in words, for the rules page: "状态变为成交客户" rather than its stored codes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.customers.models import Customer
from kehu.opportunities.selectors import stage_label
from kehu.value.models import Lifecycle

from .models import Rule, Webhook

Trigger = Rule.Trigger


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def field_label(name: str) -> str:
    if name == "tag":
        return _("tag")
    if name.startswith("custom."):
        return name.removeprefix("custom.")
    try:
        model_field = Customer._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(model_field, "verbose_name", name))


def trigger_text(rule: Rule) -> str:
    params = rule.params or {}
    text = str(rule.get_trigger_display())
    if rule.trigger == Trigger.STATUS_CHANGED and params.get("to"):
        return _("Status becomes %(status)s") % {"status": _label(Customer.Status, params["to"])}
    if rule.trigger == Trigger.LIFECYCLE_CHANGED and params.get("to"):
        return _("Lifecycle becomes %(stage)s") % {"stage": _label(Lifecycle, params["to"])}
    if rule.trigger == Trigger.STAGE_CHANGED and params.get("to"):
        return _("Stage becomes %(stage)s") % {"stage": stage_label(params["to"])}
    if rule.trigger == Trigger.FIELD_CHANGED and params.get("field"):
        return _("%(field)s changes") % {"field": field_label(params["field"])}
    if "days" in params:
        return _("%(trigger)s (%(days)s days)") % {"trigger": text, "days": params["days"]}
    if "hours" in params:
        return _("%(trigger)s (%(hours)s hours)") % {"trigger": text, "hours": params["hours"]}
    return text


OP_WORDS = {
    "equals": "=",
    "in": "∈",
    "contains": "∋",
    "gt": ">",
    "lt": "<",
}


def condition_text(condition: dict[str, Any]) -> str:
    field, op, value = condition["field"], condition["op"], condition.get("value")
    if op == "empty":
        return _("%(field)s is empty") % {"field": field_label(field)}
    if field == "status":
        value = (
            [_label(Customer.Status, v) for v in value]
            if isinstance(value, list)
            else _label(Customer.Status, value)
        )
    shown = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{field_label(field)} {OP_WORDS.get(op, op)} {shown}"


def _whom(who: str) -> str:
    kind, _sep, value = who.partition(":")
    if kind == "owner":
        return _("the owner")
    if kind == "managers":
        return _("the team's managers")
    if kind == "role":
        return _label(Role, value)
    if kind == "team":
        team = Team.objects.filter(pk=int(value)).first()
        return team.name if team else who
    user = User.objects.filter(pk=int(value)).first() if value.isdigit() else None
    return user.label if user else who


def action_text(action: dict[str, Any]) -> str:
    kind = action.get("type")
    if kind == "notify":
        return _("Notify %(whom)s") % {"whom": "、".join(_whom(w) for w in action.get("to", []))}
    if kind == "create_task":
        return _("Create the task “%(title)s”") % {"title": action.get("title", "")}
    if kind == "assign":
        return _("Assign to %(user)s") % {"user": _whom(f"user:{action.get('user')}")}
    if kind == "return_to_pool":
        return _("Return to the team pool (%(reason)s)") % {"reason": action.get("reason", "")}
    if kind == "add_tag":
        return _("Add the tag %(tag)s") % {"tag": action.get("tag", "")}
    if kind == "remove_tag":
        return _("Remove the tag %(tag)s") % {"tag": action.get("tag", "")}
    webhook = Webhook.objects.filter(pk=action.get("webhook") or 0).first()
    return _("Call the webhook %(name)s") % {"name": webhook.name if webhook else "—"}


def rule_rows(rules: Any) -> list[dict[str, Any]]:
    """Each rule with its when, if and then in words."""
    return [
        {
            "rule": rule,
            "when": trigger_text(rule),
            "conditions": [condition_text(c) for c in rule.conditions or []],
            "actions": [action_text(a) for a in rule.actions or []],
        }
        for rule in rules
    ]
