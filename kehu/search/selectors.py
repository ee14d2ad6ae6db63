"""Global search, scoped: rank exact, prefix, partial, then fuzzy matches; group them by type.

Only documents the caller may see are read or counted: the condition comes from
kehu.accounts.policy.visibility_q (documents carry their customer's owner, team and status).
Counts stop at SEARCH_COUNT_CAP and show as "1,000+".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz

from kehu.accounts.policy import visibility_q
from kehu.core.models import SearchDocument
from kehu.core.search_index import compact, search_normalize
from kehu.customers.models import Customer

from .engines import TABLE, Plan, engine

SEARCH_COUNT_CAP = 1000
KINDS = [k.value for k in SearchDocument.Kind]
KIND_LABELS = dict(SearchDocument.Kind.choices)
MATCHES = ("exact", "prefix", "partial", "fuzzy")
_COLUMNS = [
    "id", "kind", "object_id", "customer_id", "title", "subtitle", "name_key", "pinyin",
    "initials", "phone_rev", "email", "codes",
]  # fmt: skip
_SELECT = ", ".join(f"{TABLE}.{c}" for c in _COLUMNS)
_MAX_QUERY = 100
_CANDIDATES = 200
_FUZZY_SCORE = 75


@dataclass
class SearchHit:
    kind: str
    object_id: int
    customer_id: int
    customer_no: str
    title: str
    subtitle: str
    match: str


@dataclass
class SearchGroup:
    kind: str
    label: str
    count: int
    is_capped: bool
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def count_label(self) -> str:
        return f"{SEARCH_COUNT_CAP:,}+" if self.is_capped else f"{self.count:,}"


@dataclass
class SearchResults:
    query: str
    groups: list[SearchGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def is_capped(self) -> bool:
        return any(g.is_capped for g in self.groups)

    @property
    def total_label(self) -> str:
        return f"{self.total:,}+" if self.is_capped else f"{self.total:,}"


@dataclass
class _Query:
    text: str  # normalised, spaces kept
    words: list[str]
    key: str  # compact form for the exact and prefix tiers
    reversed_digits: str  # a phone suffix, reversed, when the query is 4+ digits


_PHONE_PUNCT = re.compile(r"[\s()+\-]")
_ASCII_DROP = re.compile(r"[^a-z0-9@._+\-]")


def _word(part: str) -> str:
    """A query word as the index stores it: e-mails and WeChat ids keep @ . _ - +."""
    if _PHONE_PUNCT.sub("", part).isdigit():
        return _PHONE_PUNCT.sub("", part)
    if part.isascii():
        return _ASCII_DROP.sub("", part)
    return compact(part)


def _parse(raw: str) -> _Query:
    text = search_normalize(raw)[:_MAX_QUERY]
    if _PHONE_PUNCT.sub("", text).isdigit():
        text = _PHONE_PUNCT.sub("", text)  # '138 0013 8000' is one number
    words = [w for w in (_word(part) for part in text.split()) if w]
    key = "".join(words)
    digits = key if key.isdigit() and len(key) >= 4 else ""
    return _Query(text=text, words=words, key=key, reversed_digits=digits[::-1])


def _visibility(user: Any) -> tuple[str, list[Any]] | None:
    """SQL for the caller's visibility condition; None when nothing is visible."""
    condition = visibility_q(user, SearchDocument)
    queryset = SearchDocument.objects.filter(condition if condition is not None else Q())
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = queryset.query.where.as_sql(compiler, connection)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "1=1", []
    return (sql or "1=1"), list(params)


def _key_plan(query: _Query) -> Plan:
    """Exact and prefix candidates from the B-tree indexed keys (ranges, so any engine)."""
    parts, params = [], []
    high = query.key + "\U0010ffff"
    columns = ["name_key", "pinyin", "initials", "email"] if query.key.isascii() else ["name_key"]
    if query.key.isdigit():
        columns = ["name_key"]
    for column in columns:
        parts.append(f"({TABLE}.{column} >= %s AND {TABLE}.{column} < %s)")
        params += [query.key, high]
    if query.reversed_digits:
        parts.append(f"({TABLE}.phone_rev >= %s AND {TABLE}.phone_rev < %s)")
        params += [query.reversed_digits, query.reversed_digits + "\U0010ffff"]
    return Plan(where=["(" + " OR ".join(parts) + ")"], params=params, indexed=True)


def _sql(plan: Plan, visibility: tuple[str, list[Any]], *, kind: str | None, limit: int) -> Any:
    where = [*plan.where, visibility[0]]
    params = [*plan.params, *visibility[1]]
    if kind:
        where.append(f"{TABLE}.kind = %s")
        params.append(kind)
    return f"FROM {plan.source} WHERE {' AND '.join(where)} LIMIT {int(limit)}", params


def _fetch(plan: Plan, visibility: tuple[str, list[Any]], *, limit: int) -> list[dict[str, Any]]:
    tail, params = _sql(plan, visibility, kind=None, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_SELECT} {tail}", params)
        return [dict(zip(_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _count(plan: Plan, visibility: tuple[str, list[Any]], kind: str) -> int:
    tail, params = _sql(plan, visibility, kind=kind, limit=SEARCH_COUNT_CAP + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 {tail}) AS capped", params)
        return int(cursor.fetchone()[0])


def _tier(row: dict[str, Any], query: _Query) -> int:
    """0 exact, 1 prefix (a phone suffix counts as a prefix), 2 partial."""
    keys = [row["name_key"], row["pinyin"], row["initials"], row["email"], *row["codes"].split()]
    keys = [k for k in keys if k]
    if query.key in keys:
        return 0
    if any(k.startswith(query.key) for k in keys):
        return 1
    if query.reversed_digits and row["phone_rev"].startswith(query.reversed_digits):
        return 1
    return 2


def _order(row: dict[str, Any], query: _Query, tier: int) -> tuple[Any, ...]:
    title = compact(search_normalize(row["title"]))
    position = title.find(query.key)
    return (tier, position if position >= 0 else 999, len(title), row["id"])


def _is_fuzzy_match(row: dict[str, Any], query: _Query) -> bool:
    choices = [row["name_key"], row["pinyin"], compact(search_normalize(row["title"]))]
    for choice in choices:
        if not choice:
            continue
        found = fuzz.partial_ratio_alignment(query.key, choice)
        # The matched stretch must be about as long as the query, not a shared syllable.
        if found.score >= _FUZZY_SCORE and found.dest_end - found.dest_start >= len(query.key) - 1:
            return True
    return False


def search_for(
    user: Any, raw_query: str, *, limit: int = 5, kinds: list[str] | None = None
) -> SearchResults:
    """Up to `limit` hits per kind that `user` may see, ranked, with capped counts per kind."""
    query = _parse(raw_query)
    results = SearchResults(query=query.text)
    kinds = [k for k in (kinds or KINDS) if k in KINDS]
    visibility = _visibility(user)
    if not query.key or visibility is None:
        return results
    the_engine = engine()
    partial = the_engine.plan(query.words)
    rows: dict[int, tuple[tuple[Any, ...], dict[str, Any], str]] = {}

    def consider(found: list[dict[str, Any]], *, fuzzy: bool = False) -> None:
        for row in found:
            if row["kind"] not in kinds or row["id"] in rows:
                continue
            tier = 3 if fuzzy else _tier(row, query)
            rows[row["id"]] = (_order(row, query, tier), row, MATCHES[tier])

    consider(_fetch(_key_plan(query), visibility, limit=_CANDIDATES))
    if partial.indexed:
        consider(_fetch(partial, visibility, limit=_CANDIDATES))
    if not rows and len(query.key) >= 3 and not query.key.isdigit():  # typos
        candidates = _fetch(the_engine.fuzzy_plan(query.key), visibility, limit=_CANDIDATES)
        consider([r for r in candidates if _is_fuzzy_match(r, query)], fuzzy=True)

    count_plan = partial if partial.indexed else _key_plan(query)
    ranked = sorted(rows.values(), key=lambda item: item[0])
    customer_ids = {row["customer_id"] for _o, row, _m in ranked}
    numbers = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "customer_no"))
    for kind in kinds:
        hits = [
            SearchHit(
                kind=kind,
                object_id=row["object_id"],
                customer_id=row["customer_id"],
                customer_no=numbers.get(row["customer_id"], ""),
                title=row["title"],
                subtitle=row["subtitle"],
                match=match,
            )
            for _o, row, match in ranked
            if row["kind"] == kind
        ][:limit]
        found = sum(1 for _o, row, _m in ranked if row["kind"] == kind)
        count = max(_count(count_plan, visibility, kind), found)
        if not hits and not count:
            continue
        is_capped = count > SEARCH_COUNT_CAP
        results.groups.append(
            SearchGroup(
                kind=kind,
                label=str(KIND_LABELS[kind]),
                count=min(count, SEARCH_COUNT_CAP),
                is_capped=is_capped,
                hits=hits,
            )
        )
    return results
