"""Substring engines behind one interface: SQLite FTS5 and PostgreSQL pg_trgm.

An engine turns the words of a query into SQL over core_searchdocument (FROM and WHERE parts);
the selector adds the caller's visibility condition, the kind and the limit. Words of three or
more characters use the trigram index; one or two Chinese characters use the bigram index; other
short words (1-2 letters or digits) only narrow what another word found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from kehu.core.search_index import has_cjk

TABLE = "core_searchdocument"
_ALL_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


@dataclass
class Plan:
    """FROM and WHERE of a query; `indexed` is False when no word can use a substring index."""

    source: str = TABLE
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    indexed: bool = False


def word_kind(word: str) -> str:
    if len(word) >= 3:
        return "trigram"
    if _ALL_CJK.match(word):
        return "bigram" if len(word) == 2 else "char"
    return "short"


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class SqliteEngine:
    name = "sqlite-fts5"

    def plan(self, words: list[str]) -> Plan:
        plan = Plan()
        trigram = [_fts_phrase(w) for w in words if word_kind(w) == "trigram"]
        grams = [
            _fts_phrase(w) + ("*" if word_kind(w) == "char" else "")
            for w in words
            if word_kind(w) in ("bigram", "char")
        ]
        if trigram:
            # CROSS JOIN makes SQLite walk the FTS5 matches first and stop at the LIMIT.
            plan.source = f"search_fts CROSS JOIN {TABLE} ON {TABLE}.id = search_fts.rowid"
            plan.where.append("search_fts MATCH %s")
            plan.params.append(" AND ".join(trigram))
            plan.indexed = True
        if grams:
            if plan.indexed:
                plan.where.append(
                    f"{TABLE}.id IN (SELECT rowid FROM search_bigram WHERE search_bigram MATCH %s)"
                )
            else:
                plan.source = (
                    f"search_bigram CROSS JOIN {TABLE} ON {TABLE}.id = search_bigram.rowid"
                )
                plan.where.append("search_bigram MATCH %s")
                plan.indexed = True
            plan.params.append(" AND ".join(grams))
        for word in words:
            if word_kind(word) == "short":
                plan.where.append(f"{TABLE}.text LIKE %s ESCAPE '\\'")
                plan.params.append(_like(word))
        return plan

    def fuzzy_plan(self, word: str) -> Plan:
        grams = {word[i : i + 3] for i in range(len(word) - 2)}
        return Plan(
            source=f"search_fts CROSS JOIN {TABLE} ON {TABLE}.id = search_fts.rowid",
            where=["search_fts MATCH %s"],
            params=[" OR ".join(_fts_phrase(g) for g in sorted(grams))],
            indexed=True,
        )


class PostgresEngine:
    name = "postgresql-pg_trgm"

    def plan(self, words: list[str]) -> Plan:
        plan = Plan()
        for word in words:
            kind = word_kind(word)
            if kind in ("bigram", "char"):
                plan.where.append(
                    f"to_tsvector('simple'::regconfig, {TABLE}.grams) "
                    "@@ to_tsquery('simple'::regconfig, %s)"
                )
                plan.params.append(word + (":*" if kind == "char" else ""))
                plan.indexed = True
            else:
                plan.where.append(f"{TABLE}.text LIKE %s")
                plan.params.append(_like(word))
                plan.indexed = plan.indexed or kind == "trigram"
        return plan

    def fuzzy_plan(self, word: str) -> Plan:
        return Plan(where=[f"%s <%% {TABLE}.text"], params=[word], indexed=True)


def engine() -> SqliteEngine | PostgresEngine:
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()


__all__ = ["Plan", "engine", "has_cjk", "word_kind"]
