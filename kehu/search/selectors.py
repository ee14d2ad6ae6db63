"""Global search, scoped: rank exact, prefix, partial, then fuzzy matches; group them by type.

Only documents the caller may see are read or counted: the condition comes from
kehu.accounts.policy.visibility_q (documents carry their customer's owner, team and status).
Counts stop at SEARCH_COUNT_CAP and show as "1,000+".

Per query, at a million customers, every step reads a bounded number of rows:
1. exact and prefix candidates: one B-tree range per key column (name, pinyin, initials, e-mail,
   reversed phone), each with its own LIMIT, walked in key order (exact keys come first);
2. per kind, the substring engine returns the ids of at most SEARCH_COUNT_CAP + 1 visible matches
   (the kind and the caller's scope are tokens inside the index query): their number is the
   capped count, the first _CANDIDATES of them are the partial candidates;
3. the candidates' rows are read by id, with the visibility condition applied again, and ranked
   in Python; fuzzy matching (trigram overlap + rapidfuzz) only runs when nothing matched.

Phones, e-mails, ids and addresses are not in the documents in clear (issue 19): a query is
also turned into blind terms (kehu.core.search_index.tokens: a whole number, its prefix or
suffix, an e-mail, its local part's prefix, its domain, address bigrams), looked up beside the
words in step 2. A user matches on a value only as far as they may see it (kehu.search.masked):
on a document whose phones, e-mails and ids they see masked (138****5678, b***@jia.cn), a term
must match what the mask shows, else the document is neither shown nor counted. So a
phone-suffix search cannot rebuild a masked number digit by digit: "2166" finds 139****2166,
"12166" does not. A user allowed to reveal values (User.can_reveal_pii) who types a whole number
finds its customer, and that match is a reveal, audited as one (SearchResults.revealed;
kehu.search.services.search_logged writes the entries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz

from kehu.accounts.policy import scope_arms, visibility_q
from kehu.core.db import ids_in
from kehu.core.models import SearchDocument
from kehu.core.search_index import compact, search_normalize
from kehu.core.search_index.tokens import QueryTerm, query_terms
from kehu.customers.models import Customer

from .engine_parts import EVERYTHING, TABLE, Arm, Groups, Scope, Visibility, is_indexed
from .engines import engine
from .masked import Viewer

SEARCH_COUNT_CAP = 1000
KINDS = [k.value for k in SearchDocument.Kind]
KIND_LABELS = dict(SearchDocument.Kind.choices)
MATCHES = ("exact", "prefix", "partial", "fuzzy")
_COLUMNS = [
    "id", "kind", "object_id", "customer_id", "title", "subtitle", "name_key", "pinyin",
    "initials", "codes", "owner", "team", "text", "tokens",
]  # fmt: skip
# The customer number rides along (a primary-key lookup per returned row, no extra query).
_SELECT = ", ".join(f"{TABLE}.{c}" for c in _COLUMNS) + (
    f", (SELECT c.customer_no FROM {Customer._meta.db_table} AS c "
    f"WHERE c.id = {TABLE}.customer_id) AS customer_no"
)
_COLUMNS = [*_COLUMNS, "customer_no"]
_MAX_QUERY = 100
# Rows read and ranked per key range and per kind: enough for a page of hits (limit <= 50);
# ranges are walked in key order, so exact keys are among the first.
_CANDIDATES = 50
_KEY_CANDIDATES = 25
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
    # Hits found by typing a whole masked value (a reveal; the caller audits each one).
    revealed: list[SearchHit] = field(default_factory=list)

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
    words: list[str]  # for the substring engines
    key: str  # compact form for the exact and prefix tiers
    terms: list[QueryTerm]  # its readings as blind terms (a phone, its suffix, an e-mail, ...)

    @property
    def groups(self) -> Groups:
        return list(dict.fromkeys(term.terms for term in self.terms))


_PHONE_PUNCT = re.compile(r"[\s()+\-]")
_ASCII_DROP = re.compile(r"[^a-z0-9@._+\-]")


def _word(part: str) -> str:
    """A query word as the index stores it: e-mails and WeChat ids keep @ . _ - + inside
    ('Inc.' -> 'inc')."""
    if _PHONE_PUNCT.sub("", part).isdigit():
        return _PHONE_PUNCT.sub("", part)
    if part.isascii():
        return _ASCII_DROP.sub("", part).strip("._+-")
    return compact(part)


def _substrings(word: str) -> list[str]:
    """The engine's words for a key word: a dotted word without '@' in parts, because names are
    indexed without punctuation ('co.,ltd' -> 'co', 'ltd') and e-mails with it ('jianguo.wa' ->
    'jianguo', 'wa' still finds jianguo.wang@…; its key range finds it as a prefix)."""
    if "." in word and "@" not in word:
        return [p for p in word.split(".") if p]
    return [word]


def _parse(raw: str) -> _Query:
    text = search_normalize(raw)[:_MAX_QUERY]
    if _PHONE_PUNCT.sub("", text).isdigit():
        text = _PHONE_PUNCT.sub("", text)  # '138 0013 8000' is one number
    keys = [w for w in (_word(part) for part in text.split()) if w]
    key = "".join(keys)
    words = [w for k in keys for w in _substrings(k)]
    terms = query_terms(key, text) if key else []
    return _Query(text=text, words=words, key=key, terms=terms)


def _sql(condition: Q | None) -> Visibility | None:
    """A condition on the documents as SQL; None when it matches nothing."""
    queryset = SearchDocument.objects.filter(condition if condition is not None else Q())
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = queryset.query.where.as_sql(compiler, connection)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "1=1", []
    return (sql or "1=1"), list(params)


def _visibility(user: Any) -> Visibility | None:
    """SQL for the caller's visibility condition; None when nothing is visible."""
    return _sql(visibility_q(user, SearchDocument))


def _arm_scope(condition: Q) -> Scope | None:
    """One branch as field -> allowed values, for the index; None if it has another shape.
    `owner is null` (the team pool) is the value None: ownerless documents carry a token."""
    if condition.negated or (condition.connector != Q.AND and len(condition.children) > 1):
        return None
    scope: Scope = {}
    for child in condition.children:
        if not isinstance(child, tuple):
            return None
        lookup, value = child
        field, _sep, op = lookup.partition("__")
        if field not in ("owner", "team", "status") or field in scope:
            return None
        if op == "" and value is not None:
            scope[field] = [value]
        elif op == "in":
            scope[field] = list(value)
        elif op == "isnull" and value is True and field == "owner":
            scope[field] = [None]
        else:
            return None
    return scope


def _is_customer_list(condition: Q) -> bool:
    """A branch naming customers by id (the shares): few documents, read them by customer."""
    path = SearchDocument.SCOPE_CUSTOMER_ID
    return (
        not condition.negated
        and len(condition.children) == 1
        and isinstance(condition.children[0], tuple)
        and condition.children[0][0] == f"{path}__in"
    )


def _arms(user: Any) -> list[Arm]:
    """The caller's visibility as branches the engines search one by one (engines.Arm);
    [] when nothing is visible."""
    condition = visibility_q(user, SearchDocument)
    if condition is None:
        return list(EVERYTHING)
    arms = []
    for branch in scope_arms(condition) or []:
        if _is_customer_list(branch):
            # The shared customers' ids, read now (a handful): with the subquery inside, the
            # PostgreSQL planner walked every document's customer_id (a merge join, 2 s).
            path, rows = cast(tuple[str, Any], branch.children[0])
            ids = [next(iter(r.values())) if isinstance(r, dict) else r for r in rows]
            branch = Q(**{path: ids})
        sql = _sql(branch)
        if sql is None:
            continue
        arms.append(Arm(sql=sql, scope=_arm_scope(branch), by_documents=_is_customer_list(branch)))
    return arms


def _key_ranges(query: _Query) -> list[tuple[str, str, str]]:
    """(column, low, high) B-tree ranges for the exact and prefix tiers."""
    high = query.key + "\U0010ffff"
    columns = ["name_key", "pinyin", "initials"] if query.key.isascii() else ["name_key"]
    if query.key.isdigit():
        columns = ["name_key"]
    return [(column, query.key, high) for column in columns]


def _key_rows(
    query: _Query, visibility: Visibility, kinds: list[str], *, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` visible documents per key range, in key order (so exact keys first).

    One statement; each range has its own LIMIT and walks its column's index (the visibility
    columns have no index of their own, so the planner cannot scan a rep's documents instead;
    the kind is tested as an expression, or SQLite without statistics walks the unique
    (kind, object_id) index through every document of the kinds and sorts them).
    """
    parts: list[str] = []
    params: list[Any] = []
    kind_sql = ", ".join(["%s"] * len(kinds))
    for column, low, high in _key_ranges(query):
        parts.append(
            f"SELECT * FROM (SELECT {_SELECT} FROM {TABLE} WHERE {TABLE}.{column} >= %s "
            f"AND {TABLE}.{column} < %s AND ({TABLE}.kind || '') IN ({kind_sql}) "
            f"AND {visibility[0]} "
            f"ORDER BY {TABLE}.{column} LIMIT {int(limit)}) AS r{len(parts)}"
        )
        params += [low, high, *kinds, *visibility[1]]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [dict(zip(_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


_SUSPECT_COLUMNS = ["id", "kind", "tokens", "owner", "team"]


def _refused(
    by_words: dict[str, list[int]],
    by_terms: dict[str, list[int]],
    visibility: Visibility,
    viewer: Viewer,
    *,
    reveal: bool,
) -> dict[str, list[int]]:
    """Per kind, the matching ids the user may count: the word matches, and the term matches
    that Viewer.term_match allows. Only the documents matched by terms alone whose details the
    user sees masked are read (one statement, primary-key look-ups)."""
    found = {kind: sorted(set(by_words[kind]) | set(by_terms[kind])) for kind in by_words}
    if not viewer.checks_rows:
        return found
    only_terms = [pk for kind in by_terms for pk in set(by_terms[kind]) - set(by_words[kind])]
    if not only_terms:
        return found
    among = ids_in(f"{TABLE}.id", only_terms)
    masked = viewer.masked_sql()
    columns = ", ".join(f"{TABLE}.{c}" for c in _SUSPECT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {TABLE} WHERE {among[0]} AND {visibility[0]} AND {masked[0]}",
            [*among[1], *visibility[1], *masked[1]],
        )
        suspects = [dict(zip(_SUSPECT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    refused = {row["id"] for row in suspects if viewer.term_match(row, reveal=reveal) is None}
    return {kind: [pk for pk in ids if pk not in refused] for kind, ids in found.items()}


def _rows_by_id(ids: list[int], visibility: Visibility) -> list[dict[str, Any]]:
    if not ids:
        return []
    among = ids_in(f"{TABLE}.id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_SELECT} FROM {TABLE} WHERE {among[0]} AND {visibility[0]}",
            [*among[1], *visibility[1]],
        )
        rows = {row[0]: dict(zip(_COLUMNS, row, strict=True)) for row in cursor.fetchall()}
    return [rows[pk] for pk in ids if pk in rows]


def _tier(row: dict[str, Any], query: _Query) -> int:
    """Of a match on the document's text: 0 exact, 1 prefix, 2 partial (a blind term's match
    has its own tier: QueryTerm.tier, a phone suffix counts as a prefix)."""
    keys = [row["name_key"], row["pinyin"], row["initials"], *row["codes"].split()]
    keys = [k for k in keys if k]
    if query.key in keys:
        return 0
    if any(k.startswith(query.key) for k in keys):
        return 1
    return 2


def _order(row: dict[str, Any], query: _Query, tier: int) -> tuple[Any, ...]:
    """Tier, then where the query sits in the name (or its pinyin), then shorter names first."""
    positions = [k.find(query.key) for k in (row["name_key"], row["pinyin"]) if k]
    position = min((p for p in positions if p >= 0), default=999)
    return (tier, position, len(row["title"]), row["id"])


def _is_fuzzy_match(row: dict[str, Any], query: _Query) -> bool:
    choices = [row["name_key"], row["pinyin"], compact(search_normalize(row["title"]))]
    for choice in choices:
        if not choice:
            continue
        found = fuzz.partial_ratio_alignment(query.key, choice)
        # The matched stretch must be about as long as the query, not a shared syllable.
        if found is None:
            continue
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
    if not query.key or visibility is None or not kinds:
        return results
    the_engine = engine()
    arms: list[Arm] = []  # read when the substring index is asked (the shares cost a query)
    cap = SEARCH_COUNT_CAP + 1
    rows: dict[int, tuple[tuple[Any, ...], dict[str, Any], str]] = {}
    viewer = Viewer(user, query.terms)
    revealed: set[int] = set()
    by_text: set[int] = set()  # documents whose text the words matched

    def consider(found: list[dict[str, Any]], *, fuzzy: bool = False) -> None:
        for row in found:
            if row["kind"] not in kinds or row["id"] in rows:
                continue
            if fuzzy:  # a fuzzy match is on the name, never on a phone or an e-mail
                tier = 3
            else:
                text_tier = _tier(row, query) if row["id"] in by_text else None
                matched = viewer.match(row, text_tier)
                if matched is None:
                    continue
                tier, is_reveal = matched
                if is_reveal:
                    revealed.add(row["id"])
            rows[row["id"]] = (_order(row, query, tier), row, MATCHES[tier])

    key_rows = _key_rows(query, visibility, kinds, limit=_KEY_CANDIDATES)
    by_text.update(row["id"] for row in key_rows)
    consider(key_rows)
    counts = {kind: 0 for kind in kinds}
    if is_indexed(query.words) or query.terms:
        arms = _arms(user)
        by_words, by_terms = the_engine.search(
            query.words, query.groups, kinds=kinds, arms=arms, cap=cap
        )
        by_text.update(pk for ids in by_words.values() for pk in ids)
        # Only matches the user may make are counted.
        found = _refused(by_words, by_terms, visibility, viewer, reveal=True)
        candidates = []
        for kind, ids in found.items():
            counts[kind] = len(ids[:cap])
            candidates += [pk for pk in ids[:_CANDIDATES] if pk not in rows]
        consider(_rows_by_id(candidates, visibility))
    if not rows and len(query.key) >= 3 and not query.key.isdigit():  # typos
        arms = arms or _arms(user)
        found = the_engine.fuzzy_ids(query.key, kinds=kinds, arms=arms, cap=4 * _CANDIDATES)
        fuzzy = _rows_by_id([pk for ids in found.values() for pk in ids], visibility)
        consider([r for r in fuzzy if _is_fuzzy_match(r, query)], fuzzy=True)

    ranked = sorted(rows.values(), key=lambda item: item[0])
    for kind in kinds:
        found_hits = [
            (
                row["id"],
                SearchHit(
                    kind=kind,
                    object_id=row["object_id"],
                    customer_id=row["customer_id"],
                    customer_no=row["customer_no"] or "",
                    title=row["title"],
                    subtitle=row["subtitle"],
                    match=match,
                ),
            )
            for _o, row, match in ranked
            if row["kind"] == kind
        ]
        count = max(counts[kind], len(found_hits))
        if not found_hits and not count:
            continue
        shown = found_hits[:limit]
        results.groups.append(
            SearchGroup(
                kind=kind,
                label=str(KIND_LABELS[kind]),
                count=min(count, SEARCH_COUNT_CAP),
                is_capped=count > SEARCH_COUNT_CAP,
                hits=[hit for _id, hit in shown],
            )
        )
        results.revealed += [hit for doc_id, hit in shown if doc_id in revealed]
    return results


LIST_KINDS = [SearchDocument.Kind.CUSTOMER.value, SearchDocument.Kind.CONTACT.value]


def customer_ids_matching(user: Any, raw_query: str, *, cap: int = SEARCH_COUNT_CAP) -> list[int]:
    """The ids of up to `cap` + 1 customers `user` may see whose record or contacts match the query
    as /search/ matches them (pinyin, initials, phone suffix, substrings; typos only when
    nothing else matched): the customer list's search box and `q` of /api/v1/customers
    (settings.KEHU_CUSTOMER_SEARCH). A match that needs a value the user sees masked is left
    out, and so is a reveal (the list does not audit one; /search/ does)."""
    query = _parse(raw_query)
    visibility = _visibility(user)
    if not query.key or visibility is None:
        return []
    customers: dict[int, None] = {}
    # Exact and prefix keys first (names, pinyin, initials); the substring engine and the
    # blind terms find the rest, so a short walk of each key range is enough (1,000 per range
    # cost 0.1 s). Key rows match the text: no term check.
    for row in _key_rows(query, visibility, LIST_KINDS, limit=4 * _KEY_CANDIDATES):
        customers.setdefault(row["customer_id"])
    the_engine = engine()
    arms: list[Arm] = []
    if is_indexed(query.words) or query.terms:
        arms = _arms(user)
        by_words, by_terms = the_engine.search(
            query.words, query.groups, kinds=LIST_KINDS, arms=arms, cap=cap
        )
        viewer = Viewer(user, query.terms)
        found = _refused(by_words, by_terms, visibility, viewer, reveal=False)
        every = [pk for ids in found.values() for pk in ids]
        for customer_id in SearchDocument.objects.filter(pk__any_of=every).values_list(
            "customer_id", flat=True
        ):
            customers.setdefault(customer_id)
    if not customers and len(query.key) >= 3 and not query.key.isdigit():  # typos
        found = the_engine.fuzzy_ids(
            query.key, kinds=LIST_KINDS, arms=arms or _arms(user), cap=4 * _CANDIDATES
        )
        fuzzy = _rows_by_id([pk for ids in found.values() for pk in ids], visibility)
        for row in fuzzy:
            if _is_fuzzy_match(row, query):
                customers.setdefault(row["customer_id"])
    return list(customers)[: cap + 1]  # one more than the cap: the list's total says "more than"
