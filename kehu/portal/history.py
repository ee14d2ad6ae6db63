"""Audit entries as people read them: what happened (the AuditAction's label), and each field's
before and after."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from kehu.audit.actions import action_label
from kehu.audit.models import AuditEntry
from kehu.core.validators import format_phone
from kehu.customers.models import Contact, Customer
from kehu.interactions.models import Interaction
from kehu.opportunities.models import Opportunity, Order

from .labels import feedback_label, stage_label

MODELS: dict[str, type[Model]] = {
    "customers.customer": Customer,
    "contacts.contact": Contact,
    "customers.contact": Contact,  # entries written before contacts had their own app
    "interactions.interaction": Interaction,
    "opportunities.opportunity": Opportunity,
    "opportunities.order": Order,
}


@dataclass
class Change:
    label: Any
    before: Any
    after: Any


@dataclass
class HistoryRow:
    entry: AuditEntry
    action: Any
    changes: list[Change] = field(default_factory=list)


PHONE_FIELDS = {"mobile", "landline", "phone"}


def _display(model_field: Any, value: Any) -> Any:
    if value in (None, ""):
        return ""
    name = getattr(model_field, "name", "")
    if name in PHONE_FIELDS and isinstance(value, str):
        return format_phone(value)
    if getattr(model_field, "model", None) is Interaction and name == "feedback":
        return feedback_label(value)
    if getattr(model_field, "model", None) is Opportunity and name == "stage":
        return stage_label(value)
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return choices.get(value, value)


def history_rows(entries: Iterable[AuditEntry]) -> list[HistoryRow]:
    rows = []
    for entry in entries:
        model = MODELS.get(entry.target_type)
        changes = []
        if isinstance(entry.changes, dict):
            for name, pair in entry.changes.items():
                if not isinstance(pair, list) or len(pair) != 2:
                    continue
                model_field = None
                if model is not None:
                    try:
                        model_field = model._meta.get_field(name.removesuffix("_id"))
                    except FieldDoesNotExist:
                        model_field = None
                before, after = (_display(model_field, v) for v in pair)
                if before == "" and after == "":
                    continue
                label = getattr(model_field, "verbose_name", None) or name
                changes.append(Change(label=label, before=before, after=after))
        rows.append(HistoryRow(entry=entry, action=action_label(entry.action), changes=changes))
    return rows
