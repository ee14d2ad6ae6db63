"""Keyset (cursor) pagination: deep pages cost what the first page costs."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import F, Model, Q, QuerySet

from .errors import ValidationFailed

M = TypeVar("M", bound=Model)


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list):
            raise ValueError
        return [_decode_value(v) for v in values]
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed({"cursor": ["Invalid cursor."]}) from exc


def _cursor_value(queryset: QuerySet[M], field: str, value: Any, *, nullable: bool) -> Any:
    """A cursor value as the field's Python type; a value the field cannot hold is a bad cursor."""
    if value is None and nullable:
        return None
    try:
        if value is None or isinstance(value, (list, dict, bool)):
            raise ValueError
        return queryset.model._meta.get_field(field).to_python(value)
    except (ValidationError, ValueError, TypeError) as exc:
        raise ValidationFailed({"cursor": ["Invalid cursor."]}) from exc


def keyset_page(queryset: QuerySet[M], *, order: str, cursor: str | None, limit: int) -> Page[M]:
    """One page of `queryset` ordered by `order` ('field' or '-field'), then by id.

    The order field must be non-null (or the rows with NULL are sorted with nulls last and
    compared with the id only); the cursor carries the last row's (value, id).
    """
    descending = order.startswith("-")
    field = order.lstrip("-")
    direction = "-" if descending else ""
    if field == "id":
        ordering = [f"{direction}id"]
    else:
        ordering = [
            F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True),
            f"{direction}id",
        ]
    qs = queryset.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor)
        if field == "id":
            if len(values) != 1:
                raise ValidationFailed({"cursor": ["Invalid cursor."]})
            last_id = _cursor_value(queryset, "id", values[0], nullable=False)
            qs = qs.filter(id__lt=last_id) if descending else qs.filter(id__gt=last_id)
        else:
            if len(values) != 2:
                raise ValidationFailed({"cursor": ["Invalid cursor."]})
            last_value = _cursor_value(queryset, field, values[0], nullable=True)
            last_id = _cursor_value(queryset, "id", values[1], nullable=False)
            op = "lt" if descending else "gt"
            if last_value is None:
                qs = qs.filter(**{f"{field}__isnull": True, f"id__{op}": last_id})
            else:
                qs = qs.filter(
                    Q(**{f"{field}__{op}": last_value})
                    | Q(**{field: last_value, f"id__{op}": last_id})
                    | Q(**{f"{field}__isnull": True})
                )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        if field == "id":
            next_cursor = encode_cursor([last.pk])
        else:
            next_cursor = encode_cursor([getattr(last, field), last.pk])
    return Page(items=rows, next_cursor=next_cursor)
