"""The substring indexes beside the documents, kept in step with each write.

SQLite: two contentless FTS5 tables keyed by the document id, search_fts (trigram: text, scope)
and search_bigram (unicode61, detail=none: CJK bigrams, the document's blind terms and scope
tokens in one column); a contentless table forgets its input, so a delete hands back exactly
what was inserted (hence the terms are stored in `SearchDocument.tokens`).
PostgreSQL: the `grams` column (bigrams, blind terms and scope words) under a GIN full-text
index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from ..models import SearchDocument
from .documents import scope_tokens
from .tokens import cjk_grams

# (id, text, kind, owner, team, status, tokens): what the index needs of a document.
IndexRow = tuple[int, str, str, "int | None", "int | None", str, str]
_ROW_FIELDS = ("id", "text", "kind", "owner", "team", "status", "tokens")


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _index_row(document: SearchDocument) -> IndexRow:
    d = document
    return (d.pk, d.text, d.kind, d.owner, d.team, d.status, d.tokens)


def pg_grams(document: SearchDocument) -> str:
    """PostgreSQL's `grams`: the CJK bigrams of the text, the blind terms, the scope words."""
    d = document
    words = scope_tokens(d.kind, d.owner, d.team, d.status, engine="postgresql")
    return _pg_grams(_grams(d.text, d.tokens), words)


def _grams(text: str, tokens: str) -> str:
    """The words of a document beside its scope in search_bigram / `grams`."""
    grams = cjk_grams(text)
    return f"{grams} {tokens}" if tokens else grams


def _pg_grams(grams: str, words: str) -> str:
    return f"{grams} {words}".strip()


def _bigram_tokens(grams: str, scope: str) -> str:
    """What search_bigram holds for a document (an FTS5 delete must repeat it exactly); grams:
    _grams()."""
    return f"{grams} {scope}"


def _fts_values(rows: Sequence[IndexRow]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    trigram, bigram = [], []
    for pk, text, kind, owner, team, status, tokens in rows:
        scope = scope_tokens(kind, owner, team, status)
        trigram.append((pk, text, scope))
        bigram.append((pk, _bigram_tokens(_grams(text, tokens), scope)))
    return trigram, bigram


def _fts_delete(rows: Sequence[IndexRow]) -> None:
    """Remove documents from the SQLite FTS5 tables, given their old values; call first."""
    if not rows or not _is_sqlite():
        return
    _fts_unwrite(*_fts_values(rows))


def _fts_unwrite(trigram: list[tuple[Any, ...]], bigram: list[tuple[Any, ...]]) -> None:
    """Delete FTS5 entries given exactly what was written for them (_fts_write's rows)."""
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_fts(search_fts, rowid, text, scope) VALUES('delete', %s, %s, %s)",
            trigram,
        )
        cursor.executemany(
            "INSERT INTO search_bigram(search_bigram, rowid, tokens) VALUES('delete', %s, %s)",
            bigram,
        )


def _fts_insert(rows: Sequence[IndexRow]) -> None:
    if not rows or not _is_sqlite():
        return
    _fts_write(*_fts_values(rows))


def _fts_write(trigram: list[tuple[Any, ...]], bigram: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO search_fts(rowid, text, scope) VALUES(%s, %s, %s)", trigram)
        cursor.executemany("INSERT INTO search_bigram(rowid, tokens) VALUES(%s, %s)", bigram)
