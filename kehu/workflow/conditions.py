"""A rule's conditions: [{"field": …, "op": …, "value": …}, …], all of which must hold.

`field` is a customer field ("status", "province", "budget_amount", "owner" by user id, …),
"tag" (the customer's tag names) or "custom.<key>" (a custom field). `op` is one of OPS. The
conditions become one Q over Customer, so a time rule tests a million customers in one query
and an event rule tests its customer with the same meaning.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer

OPS = ("equals", "in", "contains", "gt", "lt", "empty")


def customer_fields() -> list[str]:
    """The customer fields a condition (or a field-changed trigger) may name."""
    hidden = {"id", "name_normalized", "name_sort", "missing_fields", "custom_fields"}
    return [
        field.name
        for field in Customer._meta.concrete_fields
        if field.name not in hidden and not field.name.startswith("phone_")
    ]


def _lookup(field: str) -> str:
    if field.startswith("custom."):
        return "custom_fields__" + field.removeprefix("custom.")
    return field


def conditions_clean(raw: Any) -> list[dict[str, Any]]:
    """The conditions as stored, or ValidationFailed naming what is wrong."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationFailed({"conditions": [_("A list of conditions.")]})
    fields = set(customer_fields())
    cleaned = []
    for number, item in enumerate(raw, start=1):
        where = f"conditions.{number}"
        if not isinstance(item, dict):
            raise ValidationFailed({where: [_("Each condition has a field, an op and a value.")]})
        field = str(item.get("field", "")).strip()
        op = str(item.get("op", "equals")).strip()
        value = item.get("value")
        custom_key = field.removeprefix("custom.")
        if not (field in fields or field == "tag" or (field.startswith("custom.") and custom_key)):
            raise ValidationFailed(
                {where: [_("Unknown field %(field)s.") % {"field": repr(field)}]}
            )
        if op not in OPS:
            raise ValidationFailed(
                {where: [_("The op is one of: %(ops)s.") % {"ops": ", ".join(OPS)}]}
            )
        if op == "in" and not isinstance(value, list):
            raise ValidationFailed({where: [_("The op in takes a list of values.")]})
        if op != "empty" and value in (None, ""):
            raise ValidationFailed({where: [_("Give a value.")]})
        if op != "in" and isinstance(value, (list, dict)):
            raise ValidationFailed({where: [_("Give one value.")]})
        if op not in ("empty", "contains") and field in fields:
            values: list[Any] = value if isinstance(value, list) else [value]
            for one in values:
                _value_check(field, one, where)
        cleaned.append({"field": field, "op": op, "value": None if op == "empty" else value})
    return cleaned


def _value_check(field: str, value: Any, where: str) -> None:
    """A value the customer field can hold (a number for an amount, a date as YYYY-MM-DD, a
    user's id for the owner), else ValidationFailed: compared as given, a wrong value would
    fail each time the rule is tested, and with it every rule and webhook behind it."""
    model_field: Any = Customer._meta.get_field(field)
    if model_field.is_relation:
        model_field = model_field.target_field
    try:
        if isinstance(value, (list, dict)):
            raise ValidationError("")
        model_field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        raise ValidationFailed(
            {
                where: [
                    _("%(value)s is not a value of %(field)s.")
                    % {"value": repr(value), "field": field}
                ]
            }
        ) from None


def _tag_q(op: str, value: Any) -> Q:
    names = "customer_tags__tag__name"
    if op == "empty":
        return ~Q(customer_tags__isnull=False)
    if op == "in":
        return Q(pk__in=Customer.objects.filter(**{f"{names}__in": value}).values("pk"))
    if op == "contains":
        return Q(pk__in=Customer.objects.filter(**{f"{names}__icontains": value}).values("pk"))
    return Q(pk__in=Customer.objects.filter(**{names: value}).values("pk"))


def condition_q(condition: dict[str, Any]) -> Q:
    field, op, value = condition["field"], condition["op"], condition.get("value")
    if field == "tag":
        return _tag_q(op, value)
    lookup = _lookup(field)
    if op == "empty":
        empty = Q(**{f"{lookup}__isnull": True})
        if field.startswith("custom.") or _is_text(field):
            empty |= Q(**{lookup: ""})
        return empty
    suffix = {"equals": "", "in": "__in", "contains": "__icontains", "gt": "__gt", "lt": "__lt"}
    return Q(**{lookup + suffix[op]: value})


def _is_text(field: str) -> bool:
    model_field = Customer._meta.get_field(field)
    return isinstance(model_field, (models.CharField, models.TextField))


def conditions_q(conditions: list[dict[str, Any]]) -> Q:
    """All conditions at once, as one Q over Customer (an empty list: everything)."""
    combined = Q()
    for condition in conditions:
        combined &= condition_q(condition)
    return combined


def customer_matches(customer_id: int | None, conditions: list[dict[str, Any]]) -> bool:
    if customer_id is None:
        return not conditions
    if not conditions:
        return True
    return Customer.objects.filter(conditions_q(conditions), pk=customer_id).exists()
