"""Keyset (cursor) pagination: deep pages cost what the first page costs."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet
from django.utils.translation import gettext as _

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
        raise ValidationFailed({"cursor": [_("Invalid cursor.")]}) from exc


def _cursor_value(queryset: QuerySet[M], field: str, value: Any, *, nullable: bool) -> Any:
    """A cursor value as the field's Python type; a value the field cannot hold is a bad cursor."""
    if value is None and nullable:
        return None
    try:
        if value is None or isinstance(value, (list, dict, bool)):
            raise ValueError
        return _order_field(queryset, field).to_python(value)
    except (ValidationError, ValueError, TypeError) as exc:
        raise ValidationFailed({"cursor": [_("Invalid cursor.")]}) from exc


def keyset_page(
    queryset: QuerySet[M],
    *,
    order: str,
    cursor: str | None,
    limit: int,
    arms: Sequence[Q] | None = None,
) -> Page[M]:
    """One page of `queryset` ordered by `order` ('field' or '-field', a model field or an
    annotation of `queryset`), then by id.

    Rows whose order field is NULL come last, ordered by id; the cursor carries the last row's
    (value, id). The queries stay index-friendly on SQLite and PostgreSQL: a plain
    `ORDER BY field, id` (no NULLS LAST, which PostgreSQL cannot read from a default index
    backwards), a range bound on the field beside the tie-break, and the NULL rows of a nullable
    field fetched by a second query only when the non-NULL rows run out.

    `arms`: the OR branches of the scope `queryset` is filtered by (kehu.accounts.policy
    scope_with_arms). With two or more, neither engine can read the OR in order (SQLite's
    MULTI-INDEX OR, PostgreSQL's BitmapOr) and every visible row was sorted for each page; so
    each branch's first limit + 1 ids are read on their own (light rows, an index walk per
    branch), and the page is taken from those candidates in one more query. The page's rows
    are those of the whole OR: a row of the first limit + 1 is among the first limit + 1 of its
    own branch.
    """
    field = order.lstrip("-")
    if arms is not None and len(arms) > 1:
        loaded = {"id", field} - set(queryset.query.annotations)  # annotations come along
        light = queryset.select_related(None).prefetch_related(None).only(*loaded)
        candidates: set[Any] = set()
        for arm in arms:
            candidates.update(
                row.pk for row in _keyset_rows(light.filter(arm), order, cursor, limit)
            )
        queryset = queryset.filter(pk__in=sorted(candidates))
    rows = _keyset_rows(queryset, order, cursor, limit)
    if field == "id":
        return _page(rows, limit, lambda row: [row.pk])
    return _page(rows, limit, lambda row: [getattr(row, field), row.pk])


def _keyset_rows(queryset: QuerySet[M], order: str, cursor: str | None, limit: int) -> list[M]:
    """The first limit + 1 rows of `queryset` after `cursor` in `order` (see keyset_page)."""
    descending = order.startswith("-")
    field = order.lstrip("-")
    direction = "-" if descending else ""
    op = "lt" if descending else "gt"
    if field == "id":
        qs = queryset.order_by(f"{direction}id")
        if cursor:
            values = decode_cursor(cursor)
            if len(values) != 1:
                raise ValidationFailed({"cursor": [_("Invalid cursor.")]})
            last_id = _cursor_value(queryset, "id", values[0], nullable=False)
            qs = qs.filter(**{f"id__{op}": last_id})
        return list(qs[: limit + 1])

    nullable = _is_nullable(queryset, field)
    last: list[Any] | None = None
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2:
            raise ValidationFailed({"cursor": [_("Invalid cursor.")]})
        last = [
            _cursor_value(queryset, field, values[0], nullable=nullable),
            _cursor_value(queryset, "id", values[1], nullable=False),
        ]
    rows: list[M] = []
    if last is None or last[0] is not None:
        qs = queryset.order_by(f"{direction}{field}", f"{direction}id")
        if nullable:
            qs = qs.filter(**{f"{field}__isnull": False})
        if last is not None:
            last_value, last_id = last
            qs = qs.filter(
                Q(**{f"{field}__{op}e": last_value}),
                Q(**{f"{field}__{op}": last_value})
                | Q(**{field: last_value, f"id__{op}": last_id}),
            )
        rows = list(qs[: limit + 1])
    if nullable and len(rows) <= limit:
        nulls = queryset.filter(**{f"{field}__isnull": True}).order_by(f"{direction}id")
        if last is not None and last[0] is None:
            nulls = nulls.filter(**{f"id__{op}": last[1]})
        rows += list(nulls[: limit + 1 - len(rows)])
    return rows


def _order_field(queryset: QuerySet[M], field: str) -> Field[Any, Any]:
    """The model field, or the annotation's output field, that a page is ordered by."""
    annotation = queryset.query.annotations.get(field)
    if annotation is not None:
        return annotation.output_field
    return cast(Field[Any, Any], queryset.model._meta.get_field(field))


def _is_nullable(queryset: QuerySet[M], field: str) -> bool:
    if field in queryset.query.annotations:
        return True  # an annotation (a custom field's sort key) may be NULL
    try:
        return bool(cast(Field[Any, Any], queryset.model._meta.get_field(field)).null)
    except FieldDoesNotExist:
        return True


def _page(rows: list[M], limit: int, key: Any) -> Page[M]:
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(key(rows[-1]))
    return Page(items=rows, next_cursor=next_cursor)
