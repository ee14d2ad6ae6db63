"""GET /api/v1/search?q=…: the typeahead; hits grouped by type, counts capped."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import ValidationFailed, quoted
from kehu.core.search_index import search_catching_up

from .selectors import KINDS, SearchResults
from .services import search_logged

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = ""
    kind: str | None = None
    limit: int = 5


class SearchHitOut(Schema):
    kind: str
    object_id: int
    customer_no: str
    title: str
    subtitle: str
    match: str
    url: str


class SearchGroupOut(Schema):
    kind: str
    label: str
    count: int
    count_label: str
    is_capped: bool
    hits: list[SearchHitOut]


class SearchOut(Schema):
    query: str
    total: int
    total_label: str
    is_capped: bool
    groups: list[SearchGroupOut]
    # After a bulk import, until its search index has caught up: how far, in percent (else null).
    index_catching_up: int | None = None


def hit_url(customer_no: str) -> str:
    return f"/customers/{customer_no}/" if customer_no else ""


@router.get("/search", response={200: SearchOut, **errors(403, 422)})
def search(request: AuthedRequest, params: Query[SearchParams]) -> dict[str, object]:
    if not 1 <= params.limit <= 50:
        raise ValidationFailed({"limit": [_("Between 1 and %(max)s.") % {"max": 50}]})
    kinds = [k.strip() for k in params.kind.split(",")] if params.kind else None
    if kinds and any(k not in KINDS for k in kinds):
        raise ValidationFailed(
            {"kind": [_("One or more of: %(values)s.") % {"values": quoted(KINDS)}]}
        )
    results: SearchResults = search_logged(
        actor=request.user, query=params.q, limit=params.limit, kinds=kinds, refuse_over_volume=True
    )
    return {
        "query": results.query,
        "total": results.total,
        "total_label": results.total_label,
        "is_capped": results.is_capped,
        "index_catching_up": search_catching_up(),
        "groups": [
            {
                "kind": g.kind,
                "label": g.label,
                "count": g.count,
                "count_label": g.count_label,
                "is_capped": g.is_capped,
                "hits": [{**h.__dict__, "url": hit_url(h.customer_no)} for h in g.hits],
            }
            for g in results.groups
        ],
    }
