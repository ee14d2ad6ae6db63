"""Helpers the API edges share: paging parameters, errors as JSON with field names."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import Schema

from .errors import ValidationFailed


class Paged(Schema):
    next_cursor: str | None = None
    has_more: bool = False


def page_limit(limit: int | None) -> int:
    if limit is None:
        return settings.KEHU_PAGE_SIZE
    if limit < 1 or limit > settings.KEHU_MAX_PAGE_SIZE:
        raise ValidationFailed({"limit": [f"Between 1 and {settings.KEHU_MAX_PAGE_SIZE}."]})
    return limit


def payload_data(payload: Schema | None) -> dict[str, Any]:
    """What the client actually sent (unset fields left out, so PATCH changes only those)."""
    if payload is None:
        return {}
    return payload.model_dump(exclude_unset=True)
