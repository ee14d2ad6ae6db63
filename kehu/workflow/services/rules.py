"""Rules as data: an administrator creates, changes, enables and deletes them; each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, diff_fields
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.core.text import clean_text
from kehu.customers.models import Customer
from kehu.opportunities.models import Opportunity
from kehu.value.models import Lifecycle

from ..conditions import conditions_clean, customer_fields
from ..models import Rule
from .actions import actions_clean

Trigger = Rule.Trigger
FIELDS = ("name", "is_enabled", "trigger", "params", "conditions", "actions")
TIME_TRIGGERS = {
    Trigger.TASK_OVERDUE: ("days", 0),
    Trigger.NO_INTERACTION: ("days", 90),
    Trigger.LEAD_UNCLAIMED: ("hours", 48),
    Trigger.OPPORTUNITY_OVERDUE: ("days", 0),
}


def can_manage_rules(user: Any) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def assert_can_manage(user: Any) -> None:
    if not can_manage_rules(user):
        raise PermissionDenied(_("Only an administrator may change workflow rules."))


def params_clean(trigger: str, raw: Any) -> dict[str, Any]:
    """The trigger's settings: days or hours for a time trigger, from/to for a status or stage
    change, the field for a field change."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ValidationFailed({"params": [_("An object of settings.")]})
    params: dict[str, Any] = {}
    if trigger in TIME_TRIGGERS:
        unit, default = TIME_TRIGGERS[Trigger(trigger)]
        value = raw.get(unit, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
            raise ValidationFailed({f"params.{unit}": [_("A whole number from 0 to 3650.")]})
        params[unit] = value
    elif trigger in (Trigger.STATUS_CHANGED, Trigger.STAGE_CHANGED, Trigger.LIFECYCLE_CHANGED):
        values = {
            Trigger.STATUS_CHANGED: Customer.Status.values,
            Trigger.STAGE_CHANGED: Opportunity.Stage.values,
            Trigger.LIFECYCLE_CHANGED: Lifecycle.values,
        }[Trigger(trigger)]
        for end in ("from", "to"):
            value = raw.get(end) or ""
            if value and value not in values:
                raise ValidationFailed(
                    {f"params.{end}": [_("One of: %(values)s.") % {"values": ", ".join(values)}]}
                )
            if value:
                params[end] = value
    elif trigger == Trigger.FIELD_CHANGED:
        field = raw.get("field") or ""
        if field and field not in customer_fields() and not str(field).startswith("custom."):
            raise ValidationFailed(
                {"params.field": [_("Unknown field %(field)s.") % {"field": repr(field)}]}
            )
        if field:
            params["field"] = field
    return params


def _clean(data: dict[str, Any], rule: Rule | None) -> dict[str, Any]:
    values = {name: getattr(rule, name) for name in FIELDS} if rule else {}
    values.update({name: data[name] for name in FIELDS if name in data})
    name = clean_text(values.get("name") or "")
    if not name:
        raise ValidationFailed({"name": [_("Name the rule.")]})
    trigger = values.get("trigger") or ""
    if trigger not in Trigger.values:
        raise ValidationFailed(
            {"trigger": [_("One of: %(values)s.") % {"values": ", ".join(Trigger.values)}]}
        )
    actions = actions_clean(values.get("actions"))
    if not actions:
        raise ValidationFailed({"actions": [_("Give the rule at least one action.")]})
    return {
        "name": name[:200],
        "is_enabled": bool(values.get("is_enabled", True)),
        "trigger": trigger,
        "params": params_clean(trigger, values.get("params")),
        "conditions": conditions_clean(values.get("conditions")),
        "actions": actions,
    }


def _snapshot(rule: Rule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in FIELDS}


@transaction.atomic
def rule_create(*, actor: User | None, data: dict[str, Any], key: str = "") -> Rule:
    """A new rule (administrators; `actor` None: a shipped default); one audit entry."""
    if actor is not None:
        assert_can_manage(actor)
    rule = Rule.objects.create(key=key, **_clean(data, None))
    audit_record(
        actor=actor,
        action=AuditAction.RULE_CREATED,
        target=rule,
        changes=diff_fields({}, _snapshot(rule)),
    )
    return rule


@transaction.atomic
def rule_update(*, actor: User, rule: Rule, data: dict[str, Any]) -> Rule:
    """Change a rule (administrators): only the fields in `data`; one audit entry if changed."""
    assert_can_manage(actor)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = _snapshot(rule)
    for name, value in _clean(data, rule).items():
        setattr(rule, name, value)
    changes = diff_fields(before, _snapshot(rule))
    if changes:
        rule.save()
        audit_record(actor=actor, action=AuditAction.RULE_CHANGED, target=rule, changes=changes)
    return rule


@transaction.atomic
def rule_delete(*, actor: User, rule: Rule) -> None:
    assert_can_manage(actor)
    audit_record(
        actor=actor,
        action=AuditAction.RULE_DELETED,
        target=rule,
        changes=diff_fields(_snapshot(rule), {}),
    )
    rule.delete()
