"""An audit entry's changes as people read them: the field's label, not its name; display
values (choices' labels, formatted phones, 是/否), not stored codes; only what changed.

The model of an entry is found from its `target_type` (`customers.customer`) through the app
registry, so this low app names no higher app's models. A page that knows better labels for a
field (the 360 page's stage and feedback words) passes its own `display`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model
from django.utils.translation import gettext_lazy as _

from kehu.core.validators import format_phone

# Entries written before an app took its model over keep the old label.
RENAMED = {"customers.contact": "contacts.contact"}
PHONE_FIELDS = {"mobile", "landline", "phone"}

Display = Callable[[Any, Any], Any]


@dataclass
class Change:
    label: Any
    before: Any
    after: Any


def model_of(target_type: str) -> type[Model] | None:
    label = RENAMED.get(target_type, target_type)
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def display_value(model_field: Any, value: Any) -> Any:
    """A stored value as a person reads it ("" for none)."""
    if value in (None, ""):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    name = getattr(model_field, "name", "")
    if name in PHONE_FIELDS and isinstance(value, str):
        return format_phone(value)
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value)
    try:
        return choices.get(value, value)
    except TypeError:  # an unhashable value (a dict): shown as stored
        return value


def readable_changes(
    target_type: str, changes: Any, *, display: Display = display_value, pairs_only: bool = False
) -> list[Change]:
    """{field: [before, after]} as Change rows; fields whose shown values are equal are left out.
    Other values (an entry's facts, such as a created task's kind and title) are shown as
    label: value, unless pairs_only."""
    if not isinstance(changes, dict):
        return []
    model = model_of(target_type)
    rows = []
    for name, value in changes.items():
        model_field: Field[Any, Any] | None = None
        if model is not None:
            try:
                model_field = model._meta.get_field(str(name).removesuffix("_id"))  # type: ignore[assignment]
            except FieldDoesNotExist:
                model_field = None
        label = getattr(model_field, "verbose_name", None) or name
        if isinstance(value, list) and len(value) == 2:
            before, after = (display(model_field, v) for v in value)
            if str(before) == str(after):
                continue
        elif pairs_only:
            continue
        else:
            before, after = "", display(model_field, value)
            if after == "":
                continue
        rows.append(Change(label=label, before=before, after=after))
    return rows
