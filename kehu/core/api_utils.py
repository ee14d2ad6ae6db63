"""Helpers the API edges share: paged lists, paging parameters, the payload actually sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema

from .errors import ValidationFailed
from .pagination import keyset_page

M = TypeVar("M", bound=Model)


class Paged(Schema):
    next_cursor: str | None = None
    has_more: bool = False


def page_limit(limit: int | None) -> int:
    if limit is None:
        return int(settings.KEHU_PAGE_SIZE)
    if limit < 1 or limit > settings.KEHU_MAX_PAGE_SIZE:
        raise ValidationFailed(
            {"limit": [_("Between 1 and %(max)s.") % {"max": settings.KEHU_MAX_PAGE_SIZE}]}
        )
    return limit


def paged(
    queryset: QuerySet[M],
    *,
    cursor: str | None,
    limit: int | None,
    order: str = "-id",
    item: Callable[[M], Any] | None = None,
    items: Callable[[list[M]], list[Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One page of a list response: {items, next_cursor, has_more, **extra}.

    Keyset pagination (kehu.core.pagination); `item` turns a row into its output, or `items`
    the page's rows at once (one query for what they share); by default the rows themselves,
    for a response schema to read. `extra` adds fields such as a total.
    """
    page = keyset_page(queryset, order=order, cursor=cursor, limit=page_limit(limit))
    rows: list[Any] = page.items
    if item is not None:
        rows = [item(row) for row in page.items]
    elif items is not None:
        rows = items(page.items)
    return {
        "items": rows,
        "next_cursor": page.next_cursor,
        "has_more": bool(page.next_cursor),
        **extra,
    }


def payload_data(payload: Schema | None) -> dict[str, Any]:
    """What the client actually sent (unset fields left out, so PATCH changes only those)."""
    if payload is None:
        return {}
    return payload.model_dump(exclude_unset=True)
