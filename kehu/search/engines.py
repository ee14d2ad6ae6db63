"""Substring engines behind one interface: SQLite FTS5 and PostgreSQL pg_trgm / full text.

An engine answers one question: the ids of up to `cap` documents of one kind that contain every
word of the query and that the caller may see, in index order. Words of three or more characters
use the trigram index; one or two Chinese characters use the bigram index; other short words
(1-2 letters or digits) only narrow what another word found (LIKE on the few candidates).

The caller's visibility arrives as `Arm`s, the OR branches of kehu.accounts.policy's condition
(a rep: own customers, customers shared with them, their team's pool), each searched on its own
and the ids merged per kind (like the customer list's per-branch pages):
- an arm that is one AND of token values (owner = 12; team = 3 and no owner) becomes scope
  tokens inside the index query, so a rep's query for a common word is answered by
  intersecting posting lists;
- an arm of a few named customers (the shares) reads those customers' documents and tests the
  words on each one (SQLite: an FTS5 lookup by rowid);
- any other arm walks the word's matches and tests its SQL on each.
The selector re-applies the whole visibility SQL to the rows it reads.

Besides the words, a query's blind terms (kehu.core.search_index.tokens: the keyed words of a
phone, its prefixes and suffixes, an e-mail, an id, an address) are looked up in the same pass:
SQLite's search_bigram and PostgreSQL's `grams` hold a document's terms beside its bigrams and
scope tokens, so "this term AND the rep's scope" is one index lookup too. `Groups` is an OR of
ANDs of terms (an address query needs all its bigram terms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from kehu.core.search_index import has_cjk, scope_token

from .engine_parts import (
    _TERMS,
    EVERYTHING,
    TABLE,
    AnyScope,
    Arm,
    Groups,
    Scope,
    Select,
    Visibility,
    _fts_phrase,
    _like,
    _run,
    is_indexed,
    word_kind,
)


class _Engine:
    """What both engines answer: per kind, the ids of the documents matching the query words (or,
    for typos, sharing a trigram with one word), as one statement; _select/_fuzzy_select are the
    engine's SQL for one kind and one arm that tokens express or whose SQL is tested on every
    match, _documents_select/_documents_fuzzy for an arm of a few customers."""

    def _select(
        self, words: list[str], kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        raise NotImplementedError

    def _fuzzy_select(
        self, word: str, kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        raise NotImplementedError

    def _plan(self, arms: list[Arm]) -> list[Arm]:
        """The arms as this engine searches them (SqliteEngine merges its token arms)."""
        return arms

    def _documents_select(self, words: list[str], kind: str, arm: Visibility, cap: int) -> Select:
        raise NotImplementedError

    def _documents_fuzzy(self, word: str, kind: str, arm: Visibility, cap: int) -> Select:
        raise NotImplementedError

    def _terms_select(
        self, groups: Groups, kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        raise NotImplementedError

    def ids(
        self, words: list[str], *, kinds: list[str], arms: list[Arm], cap: int
    ) -> dict[str, list[int]]:
        return self._each_arm(
            kinds,
            arms,
            cap,
            lambda kind, arm: self._documents_select(words, kind, arm.sql, cap),
            lambda kind, arm: self._select(words, kind, arm.scope, arm.sql, cap),
        )

    def search(
        self, words: list[str], groups: Groups, *, kinds: list[str], arms: list[Arm], cap: int
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Per kind, the ids matching the words (when they can use an index: is_indexed) and
        the ids matching the blind-term groups, as one statement."""
        planned = self._plan(arms)
        selects: dict[str, list[Select]] = {}
        for kind in kinds:
            if is_indexed(words):
                selects[kind] = [
                    self._documents_select(words, kind, arm.sql, cap)
                    if arm.by_documents
                    else self._select(words, kind, arm.scope, arm.sql, cap)
                    for arm in planned
                ]
            if groups:
                selects[kind + _TERMS] = [
                    self._documents_terms(groups, kind, arm.sql, cap)
                    if arm.by_documents
                    else self._terms_select(groups, kind, arm.scope, arm.sql, cap)
                    for arm in planned
                ]
        found = _run(selects, cap)
        by_words = {kind: found.get(kind, []) for kind in kinds}
        by_terms = {kind: found.get(kind + _TERMS, []) for kind in kinds}
        return by_words, by_terms

    @staticmethod
    def _documents_terms(groups: Groups, kind: str, arm: Visibility, cap: int) -> Select:
        """The arm's documents (the shares) whose stored terms hold a group (LIKE: the terms
        are fixed-length words that no other text contains)."""
        tests, params = [], []
        for group in groups:
            tests.append("(" + " AND ".join([f"({TABLE}.tokens || '') LIKE %s"] * len(group)) + ")")
            params += [f"%{term}%" for term in group]
        return (
            f"SELECT {TABLE}.id FROM {TABLE} WHERE {arm[0]} AND ({TABLE}.kind || '') = %s "
            f"AND ({' OR '.join(tests)}) LIMIT {cap}",
            [*arm[1], kind, *params],
        )

    def fuzzy_ids(
        self, word: str, *, kinds: list[str], arms: list[Arm], cap: int
    ) -> dict[str, list[int]]:
        return self._each_arm(
            kinds,
            arms,
            cap,
            lambda kind, arm: self._documents_fuzzy(word, kind, arm.sql, cap),
            lambda kind, arm: self._fuzzy_select(word, kind, arm.scope, arm.sql, cap),
        )

    def _each_arm(
        self,
        kinds: list[str],
        arms: list[Arm],
        cap: int,
        by_documents: Callable[[str, Arm], Select],
        by_index: Callable[[str, Arm], Select],
    ) -> dict[str, list[int]]:
        """One SELECT per kind and arm (this engine's plan of the arms), run as one statement."""
        planned = self._plan(arms)
        return _run(
            {
                kind: [
                    by_documents(kind, arm) if arm.by_documents else by_index(kind, arm)
                    for arm in planned
                ]
                for kind in kinds
            },
            cap,
        )


class SqliteEngine(_Engine):
    """FTS5: search_fts (trigram; columns text, scope), search_bigram (CJK bigrams + scope)."""

    name = "sqlite-fts5"

    def _scope_terms(self, kind: str, scope: AnyScope | None, column: str) -> list[str] | None:
        """FTS5 terms for the kind and the scope (several: any of them); None when a value has
        no token."""
        prefix = f"{column} : " if column else ""
        terms = [prefix + _fts_phrase(scope_token("kind", kind))]
        groups = []
        for one in scope if isinstance(scope, list) else [scope or {}]:
            group = []
            for field, values in one.items():
                tokens = [scope_token(field, v) for v in values]
                if not tokens or not all(tokens):
                    return None
                group.append("(" + " OR ".join(prefix + _fts_phrase(t) for t in tokens) + ")")
            if not group:
                return terms  # one scope admits every document of the kind
            groups.append(" AND ".join(group))
        terms.append(
            groups[0] if len(groups) == 1 else "(" + " OR ".join(f"({g})" for g in groups) + ")"
        )
        return terms

    def _plan(self, arms: list[Arm]) -> list[Arm]:
        """Token arms become one (own OR team pool: one walk of the word's matches, one prefix
        expansion of a single character, instead of one per arm)."""
        tokens = [
            a
            for a in arms
            if a.scope is not None
            and not a.by_documents
            and self._scope_terms("customer", a.scope, "") is not None
        ]
        if len(tokens) < 2:
            return arms
        scopes: list[Scope] = []
        for arm in tokens:
            scopes += arm.scope if isinstance(arm.scope, list) else [arm.scope or {}]
        sql = (
            "(" + " OR ".join(f"({a.sql[0]})" for a in tokens) + ")",
            [p for a in tokens for p in a.sql[1]],
        )
        return [Arm(sql=sql, scope=scopes), *(a for a in arms if a not in tokens)]

    def _select(
        self, words: list[str], kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        trigram = [w for w in words if word_kind(w) == "trigram"]
        grams = [w for w in words if word_kind(w) in ("bigram", "char")]
        short = [w for w in words if word_kind(w) == "short"]
        table = "search_fts" if trigram else "search_bigram"
        terms = self._scope_terms(
            kind, scope if scope is not None else {}, "scope" if trigram else ""
        )
        if terms is None:  # a value without a token: the kind only, visibility in SQL
            terms, scope = self._scope_terms(kind, {}, "scope" if trigram else ""), None
        assert terms is not None
        if trigram:
            match = [f"text : {_fts_phrase(w)}" for w in trigram] + terms
        else:
            match = [_fts_phrase(w) + ("*" if word_kind(w) == "char" else "") for w in grams]
            match += terms
        where = [f"{table} MATCH %s"]
        params: list[Any] = [" AND ".join(match)]
        if trigram and grams:
            where.append(
                f"{table}.rowid IN (SELECT rowid FROM search_bigram WHERE search_bigram MATCH %s)"
            )
            params.append(
                " AND ".join(
                    _fts_phrase(w) + ("*" if word_kind(w) == "char" else "") for w in grams
                )
            )
        if not short and scope is not None:  # the index alone answers
            return (
                f"SELECT {table}.rowid AS id FROM {table} WHERE {' AND '.join(where)} LIMIT {cap}",
                params,
            )
        for word in short:
            where.append(f"{TABLE}.text LIKE %s ESCAPE '\\'")
            params.append(_like(word))
        if scope is None:
            where.append(visibility[0])
            params += visibility[1]
        # CROSS JOIN: walk the FTS5 matches first, read each document by id, stop at the cap.
        return (
            f"SELECT {TABLE}.id FROM {table} CROSS JOIN {TABLE} ON {TABLE}.id = {table}.rowid "
            f"WHERE {' AND '.join(where)} LIMIT {cap}",
            params,
        )

    def _terms_select(
        self, groups: Groups, kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        """The blind terms, kind and scope in one search_bigram lookup (the visibility SQL on
        each match when a scope value has no token)."""
        expression = " OR ".join(
            "(" + " AND ".join(_fts_phrase(t) for t in g) + ")" for g in groups
        )
        terms = self._scope_terms(kind, scope, "") if scope is not None else None
        if terms is not None:
            return (
                f"SELECT rowid AS id FROM search_bigram WHERE search_bigram MATCH %s LIMIT {cap}",
                [" AND ".join([f"({expression})", *terms])],
            )
        kind_only = self._scope_terms(kind, {}, "") or []
        return (
            f"SELECT {TABLE}.id FROM search_bigram CROSS JOIN {TABLE} "
            f"ON {TABLE}.id = search_bigram.rowid WHERE search_bigram MATCH %s "
            f"AND {visibility[0]} LIMIT {cap}",
            [" AND ".join([f"({expression})", *kind_only]), *visibility[1]],
        )

    def _fuzzy_select(
        self, word: str, kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        """Documents sharing a trigram with the word (rapidfuzz decides afterwards)."""
        grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        terms = self._scope_terms(kind, scope, "scope")
        any_gram = "(" + " OR ".join(f"text : {_fts_phrase(g)}" for g in grams) + ")"
        if terms is not None and scope is not None:
            return (
                f"SELECT rowid AS id FROM search_fts WHERE search_fts MATCH %s LIMIT {cap}",
                [" AND ".join([any_gram, *terms])],
            )
        kind_only = self._scope_terms(kind, {}, "scope") or []
        return (
            f"SELECT {TABLE}.id FROM search_fts CROSS JOIN {TABLE} ON {TABLE}.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND {visibility[0]} LIMIT {cap}",
            [" AND ".join([any_gram, *kind_only]), *visibility[1]],
        )

    def _documents_select(self, words: list[str], kind: str, arm: Visibility, cap: int) -> Select:
        """The arm's documents (a few customers' own: the shares), each tested with LIKE: for a
        word of three or more characters or a CJK bigram that is the index's own match (the
        documents' text is normalised, lower case). A single CJK character also matches at the
        end of a run here, where the bigram index (prefix "c*") does not. An FTS5 lookup by
        rowid instead cost ~0.1 ms a document (each of the word's trigram lists is sought)."""
        where = [arm[0], f"({TABLE}.kind || '') = %s"]  # the customer index, not (kind, id)
        params: list[Any] = [*arm[1], kind]
        for word in words:
            where.append(f"{TABLE}.text LIKE %s ESCAPE '\\'")
            params.append(_like(word))
        return f"SELECT {TABLE}.id FROM {TABLE} WHERE {' AND '.join(where)} LIMIT {cap}", params

    def _documents_fuzzy(self, word: str, kind: str, arm: Visibility, cap: int) -> Select:
        grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        any_gram = " OR ".join(f"text : {_fts_phrase(g)}" for g in grams)
        return (
            f"SELECT {TABLE}.id FROM {TABLE} WHERE {arm[0]} AND ({TABLE}.kind || '') = %s "
            f"AND {self._by_rowid('search_fts')} LIMIT {cap}",
            [*arm[1], kind, any_gram],
        )

    @staticmethod
    def _by_rowid(table: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH %s AND {table}.rowid = {TABLE}.id)"
        )


class PostgresEngine(_Engine):
    """Per kind a GIN index over (owner, team, text with pg_trgm) (btree_gin: a rep's or a
    manager's query is one index intersection); a GIN full-text index over `grams` (CJK bigrams,
    scope words)."""

    name = "postgresql-pg_trgm"
    _TSV = f"to_tsvector('simple'::regconfig, {TABLE}.grams)"

    def _scope_query(self, kind: str, scope: Scope | None) -> str | None:
        """A to_tsquery() string for the kind and the scope; None when it cannot be written."""
        terms = [scope_token("kind", kind, engine="postgresql")]
        for field, values in (scope or {}).items():
            tokens = [scope_token(field, v, engine="postgresql") for v in values]
            if not tokens or not all(tokens):
                return None
            terms.append("(" + " | ".join(tokens) + ")")
        return " & ".join(terms)

    @staticmethod
    def _scope_sql(scope: Scope | None) -> Visibility | None:
        """The scope as SQL the trigram indexes answer: a single owner or team is compared as a
        bigint, a column of the GIN index (btree_gin has no int8 = int4 operator, so a plain
        parameter would leave the owner to a test on every trigram match read from the table).
        None when there is no scope (the visibility SQL applies)."""
        if scope is None:
            return None
        parts, params = [], []
        for field, values in scope.items():
            if values == [None]:  # the team pool: no owner
                parts.append(f"{TABLE}.{field} IS NULL")
                continue
            if field in ("owner", "team") and len(values) == 1:
                parts.append(f"{TABLE}.{field} = %s::bigint")
            else:
                parts.append(f"{TABLE}.{field} IN ({', '.join(['%s'] * len(values))})")
            params += values
        return " AND ".join(parts) or "1=1", params

    def _select(
        self, words: list[str], kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        assert not isinstance(scope, list)  # this engine searches each arm on its own
        grams = [w for w in words if word_kind(w) in ("bigram", "char")]
        others = [w for w in words if word_kind(w) not in ("bigram", "char")]
        scope_query = self._scope_query(kind, scope if scope is not None else {})
        where, params = [], []
        if grams and scope_query is not None and scope is not None:
            # Bigrams, kind and scope in one GIN full-text lookup.
            words_query = [w + (":*" if word_kind(w) == "char" else "") for w in grams]
            where.append(f"{self._TSV} @@ to_tsquery('simple'::regconfig, %s)")
            params.append(" & ".join([*words_query, scope_query]))
        else:
            for word in grams:
                where.append(f"{self._TSV} @@ to_tsquery('simple'::regconfig, %s)")
                params.append(word + (":*" if word_kind(word) == "char" else ""))
            where.append(f"{TABLE}.kind = %s")
            params.append(kind)
            if scope_query is not None and scope and any(None in v for v in scope.values()):
                # The pool: its "no owner" word narrows the grams index to the pool's documents.
                where.append(f"{self._TSV} @@ to_tsquery('simple'::regconfig, %s)")
                params.append(scope_query)
            scope_sql = self._scope_sql(scope)
            where.append(scope_sql[0] if scope_sql else visibility[0])
            params += scope_sql[1] if scope_sql else visibility[1]
        for word in others:
            where.append(f"{TABLE}.text LIKE %s")
            params.append(_like(word))
        return (
            f"SELECT {TABLE}.id FROM {TABLE} WHERE {' AND '.join(where)} LIMIT {cap}",
            params,
        )

    def _terms_select(
        self, groups: Groups, kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        """The blind terms, kind and scope in one GIN full-text lookup on `grams`."""
        assert not isinstance(scope, list)
        expression = " | ".join("(" + " & ".join(g) + ")" for g in groups)
        scope_query = self._scope_query(kind, scope if scope is not None else {})
        if scope_query is not None and scope is not None:
            return (
                f"SELECT {TABLE}.id FROM {TABLE} WHERE {self._TSV} @@ "
                f"to_tsquery('simple'::regconfig, %s) LIMIT {cap}",
                [f"({expression}) & {scope_query}"],
            )
        kind_query = self._scope_query(kind, {})
        return (
            f"SELECT {TABLE}.id FROM {TABLE} WHERE {self._TSV} @@ "
            f"to_tsquery('simple'::regconfig, %s) AND {visibility[0]} LIMIT {cap}",
            [f"({expression}) & {kind_query}", *visibility[1]],
        )

    def _fuzzy_select(
        self, word: str, kind: str, scope: AnyScope | None, visibility: Visibility, cap: int
    ) -> Select:
        assert not isinstance(scope, list)
        condition = self._scope_sql(scope) or visibility
        return (
            f"SELECT {TABLE}.id FROM {TABLE} WHERE %s <%% {TABLE}.text AND {TABLE}.kind = %s "
            f"AND {condition[0]} LIMIT {cap}",
            [word, kind, *condition[1]],
        )

    def _documents_select(self, words: list[str], kind: str, arm: Visibility, cap: int) -> Select:
        """The arm's documents (the shares), each tested with LIKE (as SqliteEngine's). The kind
        and the text are written as expressions so that no index answers them: the planner
        took the per-kind trigram index for a two-character word (which it cannot narrow) and
        read every document of the kind, 2 s at a million customers, instead of the few
        documents of the shared customers (their customer_id index)."""
        where, params = [arm[0], f"({TABLE}.kind || '') = %s"], [*arm[1], kind]
        for word in words:
            where.append(f"({TABLE}.text || '') LIKE %s")
            params.append(_like(word))
        return f"SELECT {TABLE}.id FROM {TABLE} WHERE {' AND '.join(where)} LIMIT {cap}", params

    def _documents_fuzzy(self, word: str, kind: str, arm: Visibility, cap: int) -> Select:
        return self._fuzzy_select(word, kind, None, arm, cap)


def engine() -> SqliteEngine | PostgresEngine:
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()


__all__ = [
    "EVERYTHING",
    "Arm",
    "Groups",
    "Scope",
    "Visibility",
    "engine",
    "has_cjk",
    "is_indexed",
    "word_kind",
]
