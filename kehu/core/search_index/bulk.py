"""Writing many documents at once (the sandbox loader, imports, the reindex), refilling the
substring indexes, and tidying the index after large writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection

from ..bulk import field_values
from ..models import Job, SearchDocument
from .documents import Values, scope_tokens
from .fts import (
    _ROW_FIELDS,
    IndexRow,
    _bigram_tokens,
    _fts_insert,
    _fts_unwrite,
    _fts_write,
    _grams,
    _is_sqlite,
    _pg_grams,
)

_Item = TypeVar("_Item")
_TERMS = "_search_terms"  # where search_prepare keeps its result on a document
# The job of a bulk import's catch-up (kehu.intake.services.bulk): the index is behind until it ends.
CATCH_UP_JOB = "search.catch_up"


def search_catching_up() -> int | None:
    """How far the index has caught up after a bulk load, in percent; None when it is not behind."""
    jobs = list(
        Job.objects.filter(
            kind=CATCH_UP_JOB, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
        ).values_list("done", "total")
    )
    if not jobs:
        return None
    done, total = sum(d for d, _t in jobs), sum(t for _d, t in jobs)
    return min(99, int(done * 100 / total)) if total else 0


Terms = tuple[str, str]
# A document as its field values (SearchDocument's order, documents.FIELDS) and its terms: what
# a bulk load's catch-up builds, sends between processes and writes, without model instances.
Prepared = tuple[Values, Terms]


def _engine() -> str:
    return "sqlite" if _is_sqlite() else "postgresql"


def search_prepare_values(values: Values, *, engine: str | None = None) -> Terms:
    """search_prepare's terms of a document given as its field values (documents.FIELDS)."""
    _pk, kind, _o, _c, owner, team, status, *_middle, text, _grams_value, tokens = values
    return (
        scope_tokens(kind, owner, team, status, engine=engine or _engine()),
        _grams(text, tokens),
    )


def search_prepare(document: SearchDocument) -> Terms:
    """(scope tokens, CJK bigrams and blind terms) of a new document for this engine: what
    search_index_bulk derives from its kind, owner, team, status, text and tokens. Computed
    ahead (the import's worker processes do) it is kept on the document and search_index_bulk
    does not compute it again. ASCII in the text (a customer number filled in later) changes
    neither."""
    d = document
    terms = (
        scope_tokens(d.kind, d.owner, d.team, d.status, engine=_engine()),
        _grams(d.text, d.tokens),
    )
    d.__dict__[_TERMS] = terms
    return terms


def search_prepared(document: SearchDocument, terms: Terms) -> SearchDocument:
    """Give a document the terms search_prepare computed for it elsewhere (another process)."""
    document.__dict__[_TERMS] = terms
    return document


def search_index_bulk(documents: Iterable[SearchDocument], *, batch_size: int = 2000) -> int:
    """Insert new documents in batches (the objects must not be indexed yet); returns the count.

    Plain executemany (SQLite) or COPY (PostgreSQL) with ids taken beforehand, not bulk_create:
    the ORM's per-field preparation costs more than building the documents.
    """
    total = 0
    for batch in _batches(documents, batch_size):
        prepared = [(field_values(d), d.__dict__.get(_TERMS) or search_prepare(d)) for d in batch]
        for document, (pk, grams) in zip(batch, _insert_prepared(prepared), strict=True):
            document.pk = pk
            document.grams = grams
            document._state.adding = False
        total += len(batch)
    return total


def search_index_values(prepared: Iterable[Prepared], *, batch_size: int = 2000) -> int:
    """search_index_bulk for documents given as (field values, terms) (search_prepare_values):
    the same rows, without a model instance a document. Returns the count."""
    total = 0
    for batch in _batches(prepared, batch_size):
        _insert_prepared(batch)
        total += len(batch)
    return total


_ALL_FIELDS = list(SearchDocument._meta.concrete_fields)
_COLUMNS_SQL = ", ".join(f.column for f in _ALL_FIELDS)


def _insert_prepared(batch: list[Prepared]) -> list[tuple[int, str]]:
    """Insert the documents and their substring-index entries; (id, grams) of each."""
    sqlite = _is_sqlite()
    with connection.cursor() as cursor:
        if sqlite:
            # Inside the caller's transaction, which has written already (the records, or the
            # reindex's delete), SQLite's write lock is held: no one else takes these ids.
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM core_searchdocument), 0), "
                "COALESCE((SELECT seq FROM sqlite_sequence "
                "WHERE name = 'core_searchdocument'), 0))"
            )
            first = int(cursor.fetchone()[0]) + 1
            ids: list[int] = list(range(first, first + len(batch)))
            rows = [(pk, *values[1:]) for pk, (values, _t) in zip(ids, batch, strict=True)]
            marks = ", ".join(["%s"] * len(_ALL_FIELDS))
            cursor.executemany(
                f"INSERT INTO core_searchdocument ({_COLUMNS_SQL}) VALUES ({marks})", rows
            )
            pairs = list(zip(ids, batch, strict=True))
            _fts_write(
                [(pk, values[14], scope) for pk, (values, (scope, _g)) in pairs],
                [(pk, _bigram_tokens(grams, scope)) for pk, (_v, (scope, grams)) in pairs],
            )
            return [(pk, row[15]) for pk, row in zip(ids, rows, strict=True)]
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('core_searchdocument', 'id')) "
            "FROM generate_series(1, %s)",
            [len(batch)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        rows = [
            (pk, *values[1:15], _pg_grams(grams, scope), values[16])  # = pg_grams(document)
            for pk, (values, (scope, grams)) in zip(ids, batch, strict=True)
        ]
        with cursor.cursor.copy(f"COPY core_searchdocument ({_COLUMNS_SQL}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return [(pk, row[15]) for pk, row in zip(ids, rows, strict=True)]


def search_index_clear() -> None:
    """Empty the index (reindex starts here). PostgreSQL: TRUNCATE, so the rebuilt documents
    fill a new file in the order they are written, not the old rows' space (and the table is
    not twice its size until a vacuum)."""
    if not _is_sqlite():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {SearchDocument._meta.db_table}")
        return
    SearchDocument.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES('delete-all')")
        cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('delete-all')")


def _batches(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    batch: list[_Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _stored(queryset: Any, batch_size: int) -> list[IndexRow]:
    """The next batch of stored documents as index rows, in id order. Core migrations 0004 and
    0010 run this before 0014 added `tokens`: without the column a document has no terms."""
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, _TABLE)}
    if "tokens" in columns:
        return list(queryset.order_by("pk").values_list(*_ROW_FIELDS)[:batch_size])
    fields = [f for f in _ROW_FIELDS if f != "tokens"]
    return [(*row, "") for row in queryset.order_by("pk").values_list(*fields)[:batch_size]]


_TABLE = SearchDocument._meta.db_table


def search_index_refill(*, batch_size: int = 20_000) -> int:
    """Write the substring-index entries of every stored document again (SQLite: into emptied
    FTS5 tables; PostgreSQL: the `grams` column). Used by migrations and the reindex."""
    sqlite, last, total = _is_sqlite(), 0, 0
    while True:
        rows = _stored(SearchDocument.objects.filter(pk__gt=last), batch_size)
        if not rows:
            return total
        if sqlite:
            _fts_insert(rows)
        else:
            grams = [
                (
                    _pg_grams(
                        _grams(text, tokens),
                        scope_tokens(kind, owner, team, status, engine="postgresql"),
                    ),
                    pk,
                )
                for pk, text, kind, owner, team, status, tokens in rows
            ]
            with connection.cursor() as cursor:
                cursor.executemany("UPDATE core_searchdocument SET grams = %s WHERE id = %s", grams)
        last, total = rows[-1][0], total + len(rows)


def search_index_tidy() -> None:
    """Tidy the index after many writes, without a rebuild: SQLite merges the FTS5 segments that
    every write transaction adds (and its delete markers) into one b-tree per table; PostgreSQL
    vacuums the documents (dead rows and their GIN entries, the GIN pending lists). At a million
    customers, after a 100,000-customer import and its revert: 32 s and 22 s, and the query
    mix's p95 went from 19.0 to 12.0 ms (SQLite) and 26.5 to 17.5 ms (PostgreSQL). Then the
    statistics of every table (kehu.core.db): the writes that scatter the index also change the
    customers' shape (one rep owning a large share after an import), and a scoped list or search
    is planned from the customers' statistics as much as from the documents'. PostgreSQL's
    VACUUM cannot run inside a transaction."""
    from ..db import db_analyze

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM {SearchDocument._meta.db_table}")
        else:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('optimize')")
    db_analyze()


def search_pool_tokens(*, batch_size: int = 5000, forward: bool = True) -> int:
    """Give the documents without an owner the "no owner" scope token, or take it away
    (core migration 0010 and its reverse). Idempotent: on SQLite the documents that already
    carry the token (read from the index) are skipped, since a contentless FTS5 delete must
    repeat exactly what was inserted. Returns how many documents changed."""
    from .documents import scope_token

    sqlite, engine = _is_sqlite(), ("sqlite" if _is_sqlite() else "postgresql")
    pool = scope_token("owner", None, engine=engine)

    def without(scope: str) -> str:
        return " ".join(t for t in scope.split(" ") if t != pool)

    carrying: set[int] = set()
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [f'scope : "{pool}"']
            )
            carrying = {row[0] for row in cursor.fetchall()}
    last, total = 0, 0
    while True:
        rows = _stored(SearchDocument.objects.filter(pk__gt=last, owner__isnull=True), batch_size)
        if not rows:
            return total
        last = rows[-1][0]
        if not sqlite:
            grams = []
            for pk, text, kind, owner, team, status, tokens in rows:
                scope = scope_tokens(kind, owner, team, status, engine=engine)
                words = _grams(text, tokens)
                grams.append((_pg_grams(words, scope if forward else without(scope)), pk))
            with connection.cursor() as cursor:
                cursor.executemany("UPDATE core_searchdocument SET grams = %s WHERE id = %s", grams)
            total += len(rows)
            continue
        todo = [row for row in rows if (row[0] in carrying) != forward]
        old_trigram, old_bigram, new_trigram, new_bigram = [], [], [], []
        for pk, text, kind, owner, team, status, tokens in todo:
            grams_text = _grams(text, tokens)
            scope = scope_tokens(kind, owner, team, status)
            old, new = (without(scope), scope) if forward else (scope, without(scope))
            old_trigram.append((pk, text, old))
            old_bigram.append((pk, _bigram_tokens(grams_text, old)))
            new_trigram.append((pk, text, new))
            new_bigram.append((pk, _bigram_tokens(grams_text, new)))
        _fts_unwrite(old_trigram, old_bigram)
        _fts_write(new_trigram, new_bigram)
        total += len(todo)
