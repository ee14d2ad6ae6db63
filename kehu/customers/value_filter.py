"""The customer list's value filters (issue 17): octant / grade / lifecycle and the RFM score
range, answered from kehu.value's row, read by name (kehu.value sits above this app)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehu.core.errors import one_of
from kehu.core.text import split_list

from .models import Customer


def value_filter(
    qs: QuerySet[Customer], params: dict[str, Any], errors: dict[str, list[str]]
) -> QuerySet[Customer]:
    """The value row's octant / grade / lifecycle (repeatable or comma-separated: any of them)
    and RFM score range; read by name, kehu.value sits above this app."""
    model = apps.get_model("value", "CustomerValue")
    allowed = {
        "octant": [code for code, _label in model.OCTANT_CHOICES],
        "grade": [code for code, _label in model._meta.get_field("grade").choices],
        "lifecycle": [code for code, _label in model._meta.get_field("lifecycle").choices],
    }
    for key, codes in allowed.items():
        raw = params.get(key) or []
        picked = list(dict.fromkeys(v for n in ([raw] if isinstance(raw, str) else raw)
                                    for v in split_list(str(n))))  # fmt: skip
        if not picked:
            continue
        if any(v not in codes for v in picked):
            errors[key] = [one_of(codes)]
            continue
        qs = qs.filter(**{f"value__{key}__in": picked})
    for key, lookup in (("rfm_min", "gte"), ("rfm_max", "lte")):
        raw = str(params.get(key) or "").strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit() and 3 <= int(raw) <= 15):
            errors[key] = [_("A whole number from 3 to 15.")]
            continue
        qs = qs.filter(**{f"value__rfm_score__{lookup}": int(raw)})
    return qs
