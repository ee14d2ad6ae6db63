"""Customer fields as people read them: labels and display values, for diffs and history.

`customer_diff` lists only the fields that change, each with its label (年度预算), and both
values as shown on the pages: names, not ids; 10-50万, not `100k_500k`; phones as 11 digits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from kehu.audit.display import note_label
from kehu.core.validators import format_phone

from .models import Customer

PHONE_FIELDS = {"phone", "mobile", "landline"}


def field_label(model: type[models.Model], name: str) -> str:
    """The field's verbose name ('budget_amount' -> '年度预算'); the name if it has none."""
    try:
        field = model._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:  # a pseudo field such as decision_maker.mobile
        return name
    return str(getattr(field, "verbose_name", name))


def display_value(model: type[models.Model], name: str, value: Any) -> str:
    """One value as the pages show it."""
    if value in (None, ""):
        return "—"
    field_name = name.removesuffix("_id")
    field: Any
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        field = None
    if isinstance(value, models.Model):
        return str(getattr(value, "label", None) or value)
    related_model = getattr(field, "related_model", None)
    if (
        field is not None
        and field.is_relation
        and isinstance(related_model, type)
        and issubclass(related_model, models.Model)
    ):
        related = related_model._default_manager.filter(pk=value).first()
        if related is None:
            return str(value)
        return str(getattr(related, "label", None) or related)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return f"{value:,.2f}".rstrip("0").rstrip(".") + " " + _("yuan")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if name.rsplit(".", 1)[-1] in PHONE_FIELDS:
        return format_phone(str(value))
    return str(value)


def customer_diff(
    before: dict[str, Any], after: dict[str, Any], *, model: type[models.Model] = Customer
) -> list[dict[str, str]]:
    """[{field, label, before, after}] for each field whose value changes, in the given order."""
    rows = []
    for name, new in after.items():
        old = before.get(name)
        if _same(old, new):
            continue
        rows.append(
            {
                "field": name,
                "label": field_label(model, name),
                "before": display_value(model, name, old),
                "after": display_value(model, name, new),
            }
        )
    return rows


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return bool(getattr(old, "pk", old) == getattr(new, "pk", new))
    if old in (None, "") and new in (None, ""):
        return True
    return bool(old == new)


def status_reason_label(reason: str) -> str:
    """A status change's reason as a reader sees it: the system's own reasons ("Created",
    "Imported (#12)"; a held import row's "Import #12") translated, a person's as written."""
    return note_label(reason)


# The channels a customer came in by (external_source): the built-in import presets' systems
# (kehu.intake) and the demo data's. A saved preset's channel is the name its owner gave it.
CHANNEL_NAMES = {
    "salesforce": "Salesforce",
    "hubspot": "HubSpot",
    "zoho": "Zoho",
    "linkedin": "LinkedIn",
    "vcard": "vCard",
}


def channel_label(external_source: str) -> str:
    """How a customer came in, as people read it: 'sandbox' -> 培训沙箱, '' -> 手工录入."""
    if not external_source:
        return _("Entered by hand")
    if external_source == "sandbox":
        return _("Training sandbox")
    return CHANNEL_NAMES.get(external_source, external_source)
