"""The rule and webhook forms of /settings/rules/ and /settings/webhooks/."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from kehu.accounts.models import Role
from kehu.customers.models import Customer
from kehu.opportunities.models import Opportunity
from kehu.opportunities.selectors import stage_label
from kehu.value.models import Lifecycle

from .models import Rule, Webhook

BLANK: list[tuple[str, Any]] = [("", "—")]


class JSONListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 5, "class": "mono"})

    def to_python(self, value: Any) -> Any:
        text = (value or "").strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(gettext_lazy("Not valid JSON.")) from None


class RuleForm(forms.Form):
    """When (trigger and its settings) … if (conditions) … then (actions)."""

    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    is_enabled = forms.BooleanField(label=gettext_lazy("enabled"), required=False, initial=True)
    trigger = forms.ChoiceField(label=gettext_lazy("when"), choices=Rule.Trigger.choices)
    days = forms.IntegerField(
        label=gettext_lazy("days"),
        required=False,
        min_value=0,
        max_value=3650,
        help_text=gettext_lazy("For task overdue, no interaction and opportunity overdue."),
    )
    hours = forms.IntegerField(
        label=gettext_lazy("hours"),
        required=False,
        min_value=0,
        max_value=3650,
        help_text=gettext_lazy("For a lead unclaimed in the pool."),
    )
    lifecycle_to = forms.ChoiceField(
        label=gettext_lazy("lifecycle becomes"),
        required=False,
        choices=BLANK + Lifecycle.choices,
    )
    status_to = forms.ChoiceField(
        label=gettext_lazy("status becomes"),
        required=False,
        choices=BLANK + Customer.Status.choices,
    )
    stage_to = forms.ChoiceField(
        label=gettext_lazy("stage becomes"),
        required=False,
        choices=BLANK + [(value, stage_label(value)) for value in Opportunity.Stage.values],
    )
    field = forms.CharField(
        label=gettext_lazy("field"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("For a field change: the field's name (empty: any field)."),
    )
    conditions = JSONListField(
        label=gettext_lazy("if (conditions)"),
        required=False,
        help_text=gettext_lazy(
            'All must hold, e.g. `[{"field": "province", "op": "equals", "value": "广东省"}, '
            '{"field": "tag", "op": "in", "value": ["VIP"]}]`. Ops: `equals`, `in`, `contains`, '
            "`gt`, `lt`, `empty`; fields: a customer field, `tag`, or `custom.<key>`."
        ),
    )
    notify_to = forms.MultipleChoiceField(
        label=gettext_lazy("then notify"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only those who may see the customer are told."),
    )
    notify_message = forms.CharField(label=gettext_lazy("message"), required=False, max_length=300)
    task_title = forms.CharField(
        label=gettext_lazy("then create a task for the owner"), required=False, max_length=200
    )
    task_due_days = forms.IntegerField(
        label=gettext_lazy("due in (days)"), required=False, min_value=0, max_value=365
    )
    pool_reason = forms.CharField(
        label=gettext_lazy("then return to the team pool, because"), required=False, max_length=200
    )
    tag_add = forms.CharField(label=gettext_lazy("then add the tag"), required=False, max_length=50)
    tag_remove = forms.CharField(
        label=gettext_lazy("then remove the tag"), required=False, max_length=50
    )
    actions = JSONListField(
        label=gettext_lazy("more actions (JSON)"),
        required=False,
        help_text=gettext_lazy(
            'e.g. `[{"type": "notify", "to": ["owner", "managers", "role:support"]}, '
            '{"type": "create_task", "title": "…", "due_in_days": 3}, {"type": '
            '"return_to_pool", "reason": "…"}, {"type": "add_tag", "tag": "…"}, {"type": '
            '"assign", "user": 5}, {"type": "webhook", "webhook": 1}]`.'
        ),
    )

    def __init__(self, *args: Any, rule: Rule | None = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            params = rule.params or {}
            to = params.get("to", "")
            kwargs["initial"] = {
                "name": rule.name,
                "is_enabled": rule.is_enabled,
                "trigger": rule.trigger,
                "days": params.get("days"),
                "hours": params.get("hours"),
                "status_to": to if rule.trigger == Rule.Trigger.STATUS_CHANGED else "",
                "stage_to": to if rule.trigger == Rule.Trigger.STAGE_CHANGED else "",
                "lifecycle_to": to if rule.trigger == Rule.Trigger.LIFECYCLE_CHANGED else "",
                "field": params.get("field", ""),
                "conditions": json.dumps(rule.conditions, ensure_ascii=False),
                **_structured(rule.actions),
            }
        super().__init__(*args, **kwargs)
        notify_to = self.fields["notify_to"]
        assert isinstance(notify_to, forms.MultipleChoiceField)
        notify_to.choices = notify_choices()

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        trigger = data["trigger"]
        params: dict[str, Any] = {}
        if data.get("days") is not None:
            params["days"] = data["days"]
        if data.get("hours") is not None:
            params["hours"] = data["hours"]
        if trigger == Rule.Trigger.STATUS_CHANGED and data.get("status_to"):
            params["to"] = data["status_to"]
        if trigger == Rule.Trigger.STAGE_CHANGED and data.get("stage_to"):
            params["to"] = data["stage_to"]
        if trigger == Rule.Trigger.LIFECYCLE_CHANGED and data.get("lifecycle_to"):
            params["to"] = data["lifecycle_to"]
        if data.get("field"):
            params["field"] = data["field"]
        actions: list[dict[str, Any]] = []
        if data.get("notify_to"):
            actions.append(
                {"type": "notify", "to": data["notify_to"], "message": data.get("notify_message")}
            )
        if data.get("task_title"):
            due = data.get("task_due_days")
            actions.append(
                {
                    "type": "create_task",
                    "title": data["task_title"],
                    "due_in_days": 1 if due is None else due,
                }
            )
        if data.get("pool_reason"):
            actions.append({"type": "return_to_pool", "reason": data["pool_reason"]})
        if data.get("tag_add"):
            actions.append({"type": "add_tag", "tag": data["tag_add"]})
        if data.get("tag_remove"):
            actions.append({"type": "remove_tag", "tag": data["tag_remove"]})
        return {
            "name": data["name"],
            "is_enabled": data.get("is_enabled", False),
            "trigger": trigger,
            "params": params,
            "conditions": data.get("conditions") or [],
            "actions": actions + list(data.get("actions") or []),
        }


def notify_choices() -> list[tuple[str, Any]]:
    """Whom the form's checkboxes notify: the owner, the team's managers, each role."""
    return [
        ("owner", gettext_lazy("the owner")),
        ("managers", gettext_lazy("the team's managers")),
        *((f"role:{value}", label) for value, label in Role.choices),
    ]


def _structured(actions: list[dict[str, Any]]) -> dict[str, Any]:
    """The form's fields for the actions it has fields for; the rest stay JSON."""
    initial: dict[str, Any] = {}
    rest = []
    simple_recipients = {value for value, _label in notify_choices()}
    for action in actions:
        kind = action.get("type")
        if (
            kind == "notify"
            and "notify_to" not in initial
            and set(action.get("to", [])) <= simple_recipients
        ):
            initial["notify_to"] = action.get("to", [])
            initial["notify_message"] = action.get("message", "")
        elif (
            kind == "create_task"
            and "task_title" not in initial
            and action.get("assignee", "owner") == "owner"
        ):
            initial["task_title"] = action.get("title", "")
            initial["task_due_days"] = action.get("due_in_days")
        elif kind == "return_to_pool" and "pool_reason" not in initial:
            initial["pool_reason"] = action.get("reason", "")
        elif kind == "add_tag" and "tag_add" not in initial:
            initial["tag_add"] = action.get("tag", "")
        elif kind == "remove_tag" and "tag_remove" not in initial:
            initial["tag_remove"] = action.get("tag", "")
        else:
            rest.append(action)
    initial["actions"] = json.dumps(rest, ensure_ascii=False) if rest else ""
    return initial


class WebhookForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    url = forms.CharField(label=gettext_lazy("URL"), max_length=500)
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("events"),
        choices=Webhook.Topic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    is_enabled = forms.BooleanField(label=gettext_lazy("enabled"), required=False, initial=True)

    def __init__(self, *args: Any, webhook: Webhook | None = None, **kwargs: Any) -> None:
        if webhook is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": webhook.name,
                "url": webhook.url,
                "topics": webhook.topics,
                "is_enabled": webhook.is_enabled,
            }
        super().__init__(*args, **kwargs)

    def payload(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}
