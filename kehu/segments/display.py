"""A segment's filters as people read them: each parameter under the list's own label."""

from __future__ import annotations

from typing import Any

from kehu.customers.custom_fields import FILTER_PREFIX, custom_fields_of
from kehu.customers.filter_forms import CustomerFilterForm
from kehu.customers.models import CustomField

from .validators import segment_params


def segment_filter_labels(query: str) -> list[tuple[str, str]]:
    """[(label, value)] of a segment's filters, in the list's labels (状态: won …)."""
    fields = CustomerFilterForm.base_fields
    custom = {f.key: f.label for f in custom_fields_of(CustomField.Entity.CUSTOMER)}
    shown: list[tuple[str, str]] = []
    for key, value in segment_params(query).items():
        text = "、".join(value) if isinstance(value, list) else str(value)
        if key in fields:
            label: Any = fields[key].label or key
        elif key.startswith(FILTER_PREFIX):
            label = custom.get(key.removeprefix(FILTER_PREFIX), key)
        else:
            label = key
        shown.append((str(label), text))
    return shown
