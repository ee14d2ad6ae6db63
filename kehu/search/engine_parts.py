"""The engines' parts (kehu.search.engines): the caller's visibility as `Arm`s, how a word is
indexed, and the one-statement run of every arm's id SELECT."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection

TABLE = "core_searchdocument"
_ALL_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")

# field -> allowed values (OR inside a field, AND across fields); {} = everything is visible.
Scope = dict[str, list[Any]]
# Several scopes, any of which admits a document (SQLite merges a rep's token branches: one walk).
AnyScope = Scope | list[Scope]
Visibility = tuple[str, list[Any]]
Groups = list[tuple[str, ...]]  # any group matches; a group needs every one of its terms
_TERMS = "\tterms"  # _run's key suffix for the blind-term selects of a kind


@dataclass(frozen=True)
class Arm:
    """One OR branch of the caller's visibility: its SQL on the documents, its scope tokens
    (None when a value has none) and whether it names a few customers (read their documents)."""

    sql: Visibility
    scope: AnyScope | None = None
    by_documents: bool = False


EVERYTHING = [Arm(sql=("1=1", []), scope={})]


def word_kind(word: str) -> str:
    if len(word) >= 3:
        return "trigram"
    if _ALL_CJK.match(word):
        return "bigram" if len(word) == 2 else "char"
    return "short"


def is_indexed(words: list[str]) -> bool:
    """True when some word can use a substring index (else only the key tier answers)."""
    return any(word_kind(w) != "short" for w in words)


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


Select = tuple[str, list[Any]]  # a SELECT of document ids, and its parameters


def _run(selects: dict[str, list[Select]], cap: int) -> dict[str, list[int]]:
    """Run every arm's id SELECT of every kind as a single statement (one round trip); per kind
    the lowest `cap` ids of the arms together (each arm gives its own lowest `cap`)."""
    parts: list[str] = []
    params: list[Any] = []
    for kind, arm_selects in selects.items():
        for sql, sql_params in arm_selects:
            parts.append(f"SELECT %s, k{len(parts)}.id FROM ({sql}) AS k{len(parts)}")
            params += [kind, *sql_params]
    found: dict[str, set[int]] = {kind: set() for kind in selects}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, pk in cursor.fetchall():
                found[kind].add(pk)
    return {kind: sorted(ids)[:cap] for kind, ids in found.items()}
