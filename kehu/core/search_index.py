"""Keep the search index in step with writes: called explicitly by services, in their transaction.

Lower apps (customers, interactions, the sandbox loader, imports) call these functions; the query
side lives in kehu.search. Records are passed duck-typed (a customer, a contact with .customer,
an interaction with .customer), so core imports no app above it.

Every text is normalised the same way at index and at query time by the one normaliser
(kehu.core.normalize: `search_normalize`, `compact`, `pinyin_keys`, `phone_digits`, the company
core): full-width to half-width, traditional to simplified (OpenCC's table), NFKC, lower case.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Q

from .models import SearchDocument
from .normalize import compact, phone_digits, pinyin_keys, search_normalize
from .normalize import company_core as _company_core
from .normalize import has_cjk as has_cjk  # kehu.search.engines reads it from here
from .normalize.text import CJK_RUN as _CJK_RUN

Kind = SearchDocument.Kind

_SEPARATOR = "\n"


def company_core(name: str, *, normalized: bool = False) -> str:
    """The part of a company name people type: 深圳市腾讯科技有限公司 -> 腾讯科技 (the matcher's
    core, kehu.core.normalize.company_core); the whole name when nothing is left."""
    text = name if normalized else search_normalize(name)
    return _company_core(text)[:200] or compact(text)


def cjk_grams(text: str) -> str:
    """Space-separated CJK bigrams of text (a lone character stands for itself)."""
    grams: list[str] = []
    seen: set[str] = set()
    for run in _CJK_RUN.findall(text):
        parts = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        for gram in parts:
            if gram not in seen:
                seen.add(gram)
                grams.append(gram)
    return " ".join(grams)


def _join(*parts: str) -> str:
    return _SEPARATOR.join(p for p in parts if p)


def _scope_of(customer: Any) -> dict[str, Any]:
    return {
        "customer_id": customer.pk,
        "owner": customer.owner_id,
        "team": customer.team_id,
        "status": customer.status or "",
    }


# --- Scope tokens: the document's kind, owner, team and status inside the substring indexes, so
# that a rep's query for a common word is answered by the index alone (the word's matches AND
# the rep's token) instead of reading every match to test its owner. SQLite's trigram tokenizer
# keeps a 3-character string as one token: a mark (private-use character) and a 2-character
# payload (private-use characters, base 6144: ids below 37,748,736; kinds and statuses by CRC).
# PostgreSQL's text-search parser sees plain words ("xo12").

_MARKS = {"kind": "\uf8f0", "owner": "\uf8f1", "team": "\uf8f2", "status": "\uf8f3"}
_BASE, _RADIX = 0xE000, 6144


def scope_token(field: str, value: Any, *, engine: str = "sqlite") -> str:
    """The index token of one scope value ('' when it has none: no owner, an id too large)."""
    if value is None or value == "":
        return ""
    if engine != "sqlite":
        text = (
            str(value)
            if field in ("owner", "team")
            else format(zlib.crc32(str(value).encode()), "x")
        )
        return f"x{field[0]}{text}"
    number = value if isinstance(value, int) else zlib.crc32(str(value).encode()) % _RADIX**2
    if not 0 <= number < _RADIX**2:
        return ""
    return _MARKS[field] + chr(_BASE + number // _RADIX) + chr(_BASE + number % _RADIX)


def scope_tokens(
    kind: str, owner: int | None, team: int | None, status: str, *, engine: str = "sqlite"
) -> str:
    values = {"kind": kind, "owner": owner, "team": team, "status": status}
    tokens = (scope_token(f, v, engine=engine) for f, v in values.items())
    return " ".join(t for t in tokens if t)


def customer_document(customer: Any, *, tags: str = "") -> SearchDocument:
    """The unsaved document of a customer (name, number, credit code, phone, e-mail, address)."""
    name = search_normalize(customer.name)
    core = company_core(name, normalized=True)
    full_pinyin, initials = pinyin_keys(core)
    phone = phone_digits(customer.phone or "")
    email = search_normalize(customer.email)
    codes = " ".join(
        c for c in (customer.customer_no.lower(), (customer.credit_code or "").lower(), phone) if c
    )
    address = search_normalize(
        " ".join(p for p in (customer.province, customer.city, customer.district) if p)
        + " "
        + (customer.address or "")
    ).strip()
    text = _join(compact(name), core, full_pinyin, initials, codes, email, address, tags)
    return SearchDocument(
        kind=Kind.CUSTOMER,
        object_id=customer.pk,
        title=customer.name[:200],
        subtitle=customer.customer_no,
        name_key=core,
        pinyin=full_pinyin,
        initials=initials,
        phone_rev=phone[::-1][:32],
        email=email[:254],
        codes=codes[:300],
        tags=tags,
        text=text,
        **_scope_of(customer),
    )


def contact_document(contact: Any, *, customer: Any = None, tags: str = "") -> SearchDocument:
    """A contact: name (and its pinyin), mobile and landline, e-mail, WeChat id, address."""
    customer = customer if customer is not None else contact.customer
    name = compact(search_normalize(contact.name))
    full_pinyin, initials = pinyin_keys(name)
    mobile, landline = phone_digits(contact.mobile or ""), phone_digits(contact.landline or "")
    email = search_normalize(contact.email)
    wechat = search_normalize(contact.wechat)
    codes = " ".join(c for c in (mobile, landline, wechat, (contact.qq or "")) if c)
    text = _join(
        name,
        full_pinyin,
        initials,
        codes,
        email,
        search_normalize(contact.address),
        tags,
    )
    return SearchDocument(
        kind=Kind.CONTACT,
        object_id=contact.pk,
        title=contact.name[:200],
        subtitle=f"{customer.name} · {contact.title}" if contact.title else customer.name,
        name_key=name,
        pinyin=full_pinyin,
        initials=initials,
        phone_rev=(mobile or landline)[::-1][:32],
        email=email[:254],
        codes=codes[:300],
        tags=tags,
        text=text,
        **_scope_of(customer),
    )


def interaction_document(interaction: Any, *, customer: Any = None) -> SearchDocument:
    """An interaction's topic and summary."""
    customer = customer if customer is not None else interaction.customer
    topic = search_normalize(interaction.topic)
    summary = search_normalize(interaction.summary)
    title = (interaction.topic or interaction.summary or interaction.interaction_no)[:200]
    return SearchDocument(
        kind=Kind.INTERACTION,
        object_id=interaction.pk,
        title=title.replace("\n", " "),
        subtitle=f"{customer.name} · {interaction.interaction_no}",
        text=_join(topic, summary),
        **_scope_of(customer),
    )


# --- Writing: one document at a time (services) or in bulk (loader, imports, reindex).
# SQLite: two contentless FTS5 tables keyed by the document id, search_fts (trigram: text, scope)
# and search_bigram (unicode61, detail=none: CJK bigrams and scope tokens in one column); a
# contentless table forgets its input, so a delete hands back exactly what was inserted.
# PostgreSQL: the `grams` column (bigrams and scope words) under a GIN full-text index.

# (id, text, kind, owner, team, status): what the index needs of a document.
IndexRow = tuple[int, str, str, "int | None", "int | None", str]
_ROW_FIELDS = ("id", "text", "kind", "owner", "team", "status")


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _index_row(document: SearchDocument) -> IndexRow:
    d = document
    return (d.pk, d.text, d.kind, d.owner, d.team, d.status)


def pg_grams(document: SearchDocument) -> str:
    """PostgreSQL's `grams`: the CJK bigrams of the text, then the scope words."""
    d = document
    words = scope_tokens(d.kind, d.owner, d.team, d.status, engine="postgresql")
    return _pg_grams(cjk_grams(d.text), words)


def _pg_grams(grams: str, words: str) -> str:
    return f"{grams} {words}".strip()


def _bigram_tokens(grams: str, scope: str) -> str:
    """What search_bigram holds for a document (an FTS5 delete must repeat it exactly)."""
    return f"{grams} {scope}"


def _fts_values(rows: Sequence[IndexRow]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    trigram, bigram = [], []
    for pk, text, kind, owner, team, status in rows:
        scope = scope_tokens(kind, owner, team, status)
        trigram.append((pk, text, scope))
        bigram.append((pk, _bigram_tokens(cjk_grams(text), scope)))
    return trigram, bigram


def _fts_delete(rows: Sequence[IndexRow]) -> None:
    """Remove documents from the SQLite FTS5 tables, given their old values; call first."""
    if not rows or not _is_sqlite():
        return
    trigram, bigram = _fts_values(rows)
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


_FIELDS = [
    f.name
    for f in SearchDocument._meta.concrete_fields
    if f.name not in ("id", "kind", "object_id")
]


def search_index_save(document: SearchDocument) -> SearchDocument:
    """Insert or replace the document of (kind, object_id); keeps its tags when none are given."""
    existing = (
        SearchDocument.objects.filter(kind=document.kind, object_id=document.object_id)
        .only(*_ROW_FIELDS, "tags")
        .first()
    )
    if existing is not None and not document.tags and existing.tags:
        document.tags = existing.tags
        document.text = _join(document.text, existing.tags)
    if not _is_sqlite():
        document.grams = pg_grams(document)
    if existing is None:
        document.save(force_insert=True)
    else:
        _fts_delete([_index_row(existing)])
        document.pk = existing.pk
        document.save(force_update=True, update_fields=_FIELDS)
    _fts_insert([_index_row(document)])
    return document


def search_index_customer(customer: Any) -> None:
    """Index the customer, and carry its owner, team and status to all its documents."""
    search_index_save(customer_document(customer))
    scope = {k: v for k, v in _scope_of(customer).items() if k != "customer_id"}
    same = [Q(**{f"{k}__isnull": True}) if v is None else Q(**{k: v}) for k, v in scope.items()]
    changed = list(
        SearchDocument.objects.filter(customer_id=customer.pk)
        .filter(~same[0] | ~same[1] | ~same[2])
        .only(*_ROW_FIELDS)
    )
    if not changed:
        return
    _fts_delete([_index_row(d) for d in changed])
    for document in changed:
        for key, value in scope.items():
            setattr(document, key, value)
        document.grams = "" if _is_sqlite() else pg_grams(document)
    SearchDocument.objects.bulk_update(changed, [*scope, "grams"])
    _fts_insert([_index_row(d) for d in changed])


def search_rescope_customers(customers: Iterable[Any], *, chunk: int = 500) -> int:
    """Carry the owner, team and status of many customers to all their documents at once (a
    hand-over, the team pool): only the documents' scope changes, never their text, so each
    document's CJK bigrams are computed once for the FTS5 delete and insert. Returns how many
    documents moved. Written in id order (FTS5 wants rising rowids)."""
    scopes = {c.pk: (c.owner_id, c.team_id, c.status or "") for c in customers}
    ids, changed = list(scopes), []
    for start in range(0, len(ids), chunk):
        rows = SearchDocument.objects.filter(customer_id__in=ids[start : start + chunk])
        changed += [
            row
            for row in rows.order_by().values_list(*_ROW_FIELDS, "customer_id")
            if tuple(row[3:6]) != scopes[row[6]]
        ]
    if not changed:
        return 0
    changed.sort()
    sqlite = _is_sqlite()
    engine = "sqlite" if sqlite else "postgresql"
    tokens: dict[tuple[Any, ...], str] = {}

    def scope_of(*key: Any) -> str:
        if key not in tokens:
            tokens[key] = scope_tokens(*key, engine=engine)
        return tokens[key]

    old_trigram, old_bigram, new_trigram, new_bigram, updates = [], [], [], [], []
    for pk, text, kind, owner, team, status, customer_id in changed:
        grams = cjk_grams(text)
        new_owner, new_team, new_status = scopes[customer_id]
        scope = scope_of(kind, new_owner, new_team, new_status)
        if sqlite:
            old_scope = scope_of(kind, owner, team, status)
            old_trigram.append((pk, text, old_scope))
            old_bigram.append((pk, _bigram_tokens(grams, old_scope)))
            new_trigram.append((pk, text, scope))
            new_bigram.append((pk, _bigram_tokens(grams, scope)))
        pg = "" if sqlite else _pg_grams(grams, scope)
        updates.append((new_owner, new_team, new_status, pg, pk))
    with connection.cursor() as cursor:  # plain SQL: bulk_update's CASE costs ms a row
        if sqlite:
            cursor.executemany(
                "INSERT INTO search_fts(search_fts, rowid, text, scope) "
                "VALUES('delete', %s, %s, %s)",
                old_trigram,
            )
            cursor.executemany(
                "INSERT INTO search_bigram(search_bigram, rowid, tokens) VALUES('delete', %s, %s)",
                old_bigram,
            )
        table = SearchDocument._meta.db_table
        if sqlite:
            cursor.executemany(
                f"UPDATE {table} SET owner = %s, team = %s, status = %s, grams = %s WHERE id = %s",
                updates,
            )
        else:  # one statement: row by row cost 0.26 ms a document (2,902 in 0.77 s)
            columns = [list(column) for column in zip(*updates, strict=True)]
            cursor.execute(
                f"UPDATE {table} AS d SET owner = v.owner, team = v.team, status = v.status, "
                "grams = v.grams FROM unnest(%s::bigint[], %s::bigint[], %s::text[], "
                "%s::text[], %s::bigint[]) AS v(owner, team, status, grams, id) WHERE d.id = v.id",
                columns,
            )
    if sqlite:
        _fts_write(new_trigram, new_bigram)
    return len(changed)


def search_index_contact(contact: Any) -> None:
    search_index_save(contact_document(contact))


def search_index_interaction(interaction: Any) -> None:
    search_index_save(interaction_document(interaction))


def search_unindex(kind: str, object_ids: Iterable[int]) -> int:
    """Drop the documents of these objects (e.g. a deleted contact)."""
    return _delete(SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids)))


def search_unindex_customer(customer_id: int) -> int:
    """Drop a customer's document and those of its contacts and interactions."""
    return _delete(SearchDocument.objects.filter(customer_id=customer_id))


def _delete(queryset: Any) -> int:
    rows: list[IndexRow] = list(queryset.values_list(*_ROW_FIELDS))
    if not rows:
        return 0
    _fts_delete(rows)
    SearchDocument.objects.filter(pk__in=[row[0] for row in rows]).delete()
    return len(rows)


def search_set_tags(*, kind: str, object_id: int, tags: Iterable[str]) -> None:
    """Replace the tags of a document (the tags app calls this); they become searchable text."""
    document = SearchDocument.objects.filter(kind=kind, object_id=object_id).first()
    if document is None:
        return
    old_tags = document.tags
    base = document.text
    if old_tags and base.endswith(old_tags):
        base = base[: -len(old_tags)].rstrip(_SEPARATOR)
    new_tags = " ".join(search_normalize(t) for t in tags if t)
    _fts_delete([_index_row(document)])
    document.tags = new_tags
    document.text = _join(base, new_tags)
    document.grams = "" if _is_sqlite() else pg_grams(document)
    document.save(update_fields=["tags", "text", "grams"])
    _fts_insert([_index_row(document)])


_TERMS = "_search_terms"  # where search_prepare keeps its result on a document


def search_prepare(document: SearchDocument) -> tuple[str, str]:
    """(scope tokens, CJK bigrams) of a new document for this engine: what search_index_bulk
    derives from its kind, owner, team, status and text. Computed ahead (the import's worker
    processes do) it is kept on the document and search_index_bulk does not compute it again.
    ASCII in the text (a customer number filled in later) changes neither."""
    d = document
    engine = "sqlite" if _is_sqlite() else "postgresql"
    terms = (scope_tokens(d.kind, d.owner, d.team, d.status, engine=engine), cjk_grams(d.text))
    d.__dict__[_TERMS] = terms
    return terms


def search_prepared(document: SearchDocument, terms: tuple[str, str]) -> SearchDocument:
    """Give a document the terms search_prepare computed for it elsewhere (another process)."""
    document.__dict__[_TERMS] = terms
    return document


def search_index_bulk(documents: Iterable[SearchDocument], *, batch_size: int = 2000) -> int:
    """Insert new documents in batches (the objects must not be indexed yet); returns the count.

    Plain executemany (SQLite) or COPY (PostgreSQL) with ids taken beforehand, not bulk_create:
    the ORM's per-field preparation costs more than building the documents.
    """
    total = 0
    sqlite = _is_sqlite()
    for batch in _batches(documents, batch_size):
        terms = [d.__dict__.get(_TERMS) or search_prepare(d) for d in batch]
        if not sqlite:
            for document, (scope, grams) in zip(batch, terms, strict=True):
                document.grams = _pg_grams(grams, scope)  # = pg_grams(document)
        _insert_new(batch)
        if sqlite:  # = _fts_insert([_index_row(d) for d in batch])
            _fts_write(
                [(d.pk, d.text, scope) for d, (scope, _g) in zip(batch, terms, strict=True)],
                [
                    (d.pk, _bigram_tokens(g, scope))
                    for d, (scope, g) in zip(batch, terms, strict=True)
                ],
            )
        total += len(batch)
    return total


_ALL_FIELDS = list(SearchDocument._meta.concrete_fields)
_COLUMNS_SQL = ", ".join(f.column for f in _ALL_FIELDS)


def _insert_new(batch: list[SearchDocument]) -> None:
    with connection.cursor() as cursor:
        if _is_sqlite():
            # Inside the caller's transaction, which has written already (the records, or the
            # reindex's delete), SQLite's write lock is held: no one else takes these ids.
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM core_searchdocument), 0), "
                "COALESCE((SELECT seq FROM sqlite_sequence "
                "WHERE name = 'core_searchdocument'), 0))"
            )
            first = int(cursor.fetchone()[0]) + 1
            ids: Iterable[int] = range(first, first + len(batch))
        else:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('core_searchdocument', 'id')) "
                "FROM generate_series(1, %s)",
                [len(batch)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        for document, pk in zip(batch, ids, strict=True):
            document.pk = pk
        rows = [tuple(getattr(d, f.attname) for f in _ALL_FIELDS) for d in batch]
        if _is_sqlite():
            marks = ", ".join(["%s"] * len(_ALL_FIELDS))
            cursor.executemany(
                f"INSERT INTO core_searchdocument ({_COLUMNS_SQL}) VALUES ({marks})", rows
            )
        else:
            with cursor.cursor.copy(
                f"COPY core_searchdocument ({_COLUMNS_SQL}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
    for document in batch:
        document._state.adding = False


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


def _batches(items: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    batch: list[SearchDocument] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def search_index_refill(*, batch_size: int = 20_000) -> int:
    """Write the substring-index entries of every stored document again (SQLite: into emptied
    FTS5 tables; PostgreSQL: the `grams` column). Used by migrations and the reindex."""
    sqlite, last, total = _is_sqlite(), 0, 0
    while True:
        rows: list[IndexRow] = list(
            SearchDocument.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(*_ROW_FIELDS)[:batch_size]
        )
        if not rows:
            return total
        if sqlite:
            _fts_insert(rows)
        else:
            grams = [
                (_pg_grams(cjk_grams(text), scope_tokens(*scope, engine="postgresql")), pk)
                for pk, text, *scope in rows
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
    from .db import db_analyze

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM {SearchDocument._meta.db_table}")
        else:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('optimize')")
    db_analyze()
