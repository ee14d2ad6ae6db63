"""Helpers the API edges share: the error body, paged lists, paging parameters, the payload
actually sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.parser import Parser

from .errors import ValidationFailed
from .pagination import keyset_page
from .text import without_controls

M = TypeVar("M", bound=Model)


class ErrorOut(Schema):
    """The body of every answer that is not the operation's result: a refusal (4xx), a change
    held for review (202, `pending_review`), a server error (500). kehu/api.py's handlers build
    it from kehu.core.errors; operations declare it for each status they can answer:
    `response={200: CustomerOut, **errors(404, 422)}`."""

    detail: str
    code: str
    errors: dict[str, list[str]] | None = Field(
        default=None, description="Messages by field: `name`, `decision_maker.mobile`, `body`."
    )
    pending_id: int | None = Field(default=None, description="pending_review: the review item.")
    matches: list[dict[str, Any]] | None = Field(
        default=None, description="probable_duplicate: the matches this user may see."
    )
    blocked: bool | None = Field(
        default=None, description="probable_duplicate: true when it cannot be confirmed."
    )
    hidden: int | None = Field(
        default=None, description="probable_duplicate: matches this user may not see."
    )
    yours: dict[str, Any] | None = Field(
        default=None, description="version_conflict: what you sent, with the version you edited."
    )
    current: dict[str, Any] | None = Field(
        default=None, description="version_conflict: the record as it is now, with its version."
    )
    changed_fields: list[str] | None = Field(
        default=None, description="version_conflict: the fields changed since your version."
    )
    changed_by: str | None = Field(
        default=None, description="version_conflict: who changed them last (a name)."
    )
    changed_at: str | None = Field(
        default=None, description="version_conflict: when, in your local time (ISO 8601)."
    )


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation declares: `response={200: X, **errors(404, 422)}`.

    kehu/api.py adds to every operation what authentication and request parsing may answer
    (401, 403, and for a body 400 and 413), so an operation lists what it answers itself."""
    return dict.fromkeys(statuses, ErrorOut)


class ControlFreeParser(Parser):
    """ninja's JSON and query parser, with control characters (a NUL, a BEL) removed from every
    string before any schema or field rule sees it: no operation can store one, and PostgreSQL,
    which refuses NUL in text, never answers 500 for it. Field rules still clean their fields
    (kehu.core.text.clean_text); this is the net under the fields that have no rule."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return without_controls(super().parse_body(request))  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return without_controls(super().parse_querydict(data, list_fields, request))  # type: ignore[no-any-return]


class Paged(Schema):
    next_cursor: str | None = None
    has_more: bool = False


# A list's total is counted up to here ("1,000+", as search counts): a count reads every row
# it counts on each page view (PostgreSQL took 76 ms to count 10,000 of a big book's rows by a
# filter, planning a sequential scan under the LIMIT), and nobody pages through a thousand rows.
LIST_COUNT_CAP = 1000


def capped_count(queryset: QuerySet[Any], cap: int = LIST_COUNT_CAP) -> dict[str, Any]:
    """{total, total_is_capped}: how many rows, counted up to `cap` (a COUNT over a LIMIT)."""
    found = queryset.order_by()[: cap + 1].count()
    return {"total": min(found, cap), "total_is_capped": found > cap}


def capped_count_arms(
    unscoped: QuerySet[Any], arms: Sequence[Q] | None, cap: int = LIST_COUNT_CAP
) -> dict[str, Any]:
    """capped_count of the rows of `unscoped` (filtered, but not yet by the caller's scope) that
    are in any of the scope's branches (`arms`, kehu.accounts.policy.scope_arms; None: every
    row). Each branch is counted on its own, without the rows of the branches before it, so
    each count walks one index: a count over the OR read its rows through a BitmapOr and the
    heap (168 ms for an ordinary rep at a million customers on PostgreSQL)."""
    if arms is None:
        return capped_count(unscoped, cap)
    found, before = 0, Q()
    for arm in arms:
        rows = unscoped.filter(arm)
        if before:
            rows = rows.exclude(before)
        found += rows.order_by()[: cap + 1 - found].count()
        if found > cap:
            break
        before |= arm
    return {"total": min(found, cap), "total_is_capped": found > cap}


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
    arms: Sequence[Q] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One page of a list response: {items, next_cursor, has_more, **extra}.

    Keyset pagination (kehu.core.pagination); `item` turns a row into its output, or `items`
    the page's rows at once (one query for what they share); by default the rows themselves,
    for a response schema to read. `arms`: the scope's branches (keyset_page). `extra` adds
    fields such as a total.
    """
    page = keyset_page(queryset, order=order, cursor=cursor, limit=page_limit(limit), arms=arms)
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


_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def etag_of(version: int) -> str:
    """The ETag of a versioned record's answer: its version (weak: the body depends on who
    reads it, masking for one)."""
    return f'W/"{version}"'


def version_edited(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """The PATCH data with `version` the client edits: the body's `version`, else the version
    of an `If-Match` ETag (as a GET returned it). Neither: no version (last write wins)."""
    header = request.headers.get("If-Match", "").strip()
    data = dict(data)
    if data.get("version") is None:
        data.pop("version", None)
    if not header or header == "*":
        return data
    match = _ETAG.match(header)
    if match is None:
        raise ValidationFailed({"If-Match": [_('Give the ETag a GET returned, such as W/"3".')]})
    version = int(match.group(1))
    if "version" in data and int(data["version"]) != version:
        raise ValidationFailed({"If-Match": [_("The ETag and the version in the body disagree.")]})
    data["version"] = version
    return data
