"""A segment's filters as people read them: each parameter under the list's own label."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from kehu.customers.custom_fields import FILTER_PREFIX, custom_fields_of
from kehu.customers.filter_forms import CustomerFilterForm
from kehu.customers.models import CustomField

from .validators import segment_params
from .validators import segment_query_readable as segment_query_readable  # its home


def segment_filter_labels(query: str) -> list[tuple[str, str]]:
    """[(label, value)] of a segment's filters, in the list's labels (状态: won …)."""
    fields = CustomerFilterForm.base_fields
    custom = {f.key: f.label for f in custom_fields_of(CustomField.Entity.CUSTOMER)}
    shown: list[tuple[str, str]] = []
    for key, value in segment_params(query).items():
        text = "、".join(value) if isinstance(value, list) else str(value)
        if key in fields:
            label: Any = fields[key].label or key
            choices = dict(getattr(fields[key], "choices", None) or [])
            if choices:  # a status, a size, a tag match: the list's own words
                text = "、".join(
                    str(choices.get(v) or choices.get("" if v == "all" else v) or v)
                    for v in text.split(",")
                )
            elif isinstance(fields[key], forms.BooleanField):
                text = str(_("yes"))
        elif key.startswith(FILTER_PREFIX):
            label = custom.get(key.removeprefix(FILTER_PREFIX), key)
        else:
            label = key
        shown.append((str(label), text))
    return shown
