"""A segment's filter: the customer list's query string, checked by the list's own parser.

Which parameters are filters comes from the list itself: the API's CustomerFilters schema and
the list page's filter form (so a filter added there, such as the value app's octant= or
grade=, is a segment filter too), plus cf_<key> for custom fields. customer_filter then checks
the values, and names a bad one; an unknown parameter is named here."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed
from kehu.core.text import without_controls
from kehu.customers.api import CustomerFilters
from kehu.customers.custom_fields import FILTER_PREFIX
from kehu.customers.filter_forms import CustomerFilterForm
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_filter

# The list's paging and presentation: not part of a segment, dropped without a word.
NOT_KEPT = frozenset({"cursor", "back", "view", "limit", "format", "order", "cols", "segment"})
REPEATABLE = frozenset({"tag"})  # parameters the list takes more than once
MAX_QUERY = 2000


def segment_filter_keys() -> frozenset[str]:
    """Every filter parameter the customer list takes (besides cf_<key>)."""
    keys = set(CustomerFilters.model_fields) | set(CustomerFilterForm.base_fields)
    return frozenset(keys - NOT_KEPT)


def segment_params(query: str) -> dict[str, Any]:
    """A stored query string as customer_filter takes it (a repeatable parameter as a list)."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(query):
        if key in REPEATABLE:
            params.setdefault(key, []).append(value)
        else:
            params[key] = value
    return params


def segment_query_clean(query: str, *, actor: Any) -> str:
    """The query string as a segment keeps it (sorted, paging and sort dropped); ValidationFailed
    names every unknown, repeated or bad parameter, or `query` when no filter is left."""
    text = str(query or "").strip().lstrip("?")
    errors: dict[str, list[str]] = {}
    keys = segment_filter_keys()
    kept: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw_key, raw in parse_qsl(text, keep_blank_values=True):
        key, value = str(without_controls(raw_key)).strip(), str(without_controls(raw)).strip()
        if key in NOT_KEPT or not value:
            continue
        if key not in keys and not key.startswith(FILTER_PREFIX):
            errors[key] = [_("Unknown filter '%(name)s'.") % {"name": key}]
            continue
        if key in seen and key not in REPEATABLE:
            errors[key] = [_("Give this filter once.")]
            continue
        seen.add(key)
        kept.append((key, value))
    if not errors and not kept:
        errors["query"] = [_("Set at least one filter.")]
    canonical = urlencode(sorted(kept))
    if len(canonical) > MAX_QUERY:
        errors["query"] = [_("These filters are too long to keep.")]
    try:  # the list's own parser names every bad value
        customer_filter(Customer.objects.none(), {**segment_params(canonical), "_user": actor})
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationFailed(errors)
    return canonical


def segment_query_readable(query: str) -> str:
    """The query string as people type it (province=广东省&status=intent), when no value holds a
    character that would need escaping; else as stored."""
    pairs = parse_qsl(str(query or "").lstrip("?"), keep_blank_values=True)
    if any(ch in key + value for key, value in pairs for ch in "&=+%#"):
        return str(query)
    return "&".join(f"{key}={value}" for key, value in pairs)
