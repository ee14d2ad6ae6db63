"""Rebuilding the search index from the records (the index is otherwise kept in step by the
services that write them; see kehu.core.search_index), and a search as the edges run it:
counted in the daily volume and audited (search_logged)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from tqdm import tqdm

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.models import ReadEntry
from kehu.audit.services import audit_record, read_record
from kehu.core.models import SearchDocument
from kehu.core.search_index import (
    contact_document,
    customer_document,
    interaction_document,
    search_index_bulk,
    search_index_clear,
)
from kehu.customers.models import Contact, Customer
from kehu.customers.pull_volume import pull_rows
from kehu.customers.services.bulk import INDEX_CONTACT_FIELDS, INDEX_CUSTOMER_FIELDS
from kehu.interactions.models import Interaction

from .selectors import SearchHit, SearchResults, search_for


def _pg_gin_indexes() -> dict[str, str]:
    """PostgreSQL: the GIN indexes on the documents (name -> CREATE INDEX statement), as the
    migrations left them: the reindex drops them and creates them again afterwards (one sorted
    build instead of millions of pending-list inserts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam "
            "WHERE x.indrelid = %s::regclass AND a.amname = 'gin' ORDER BY i.relname",
            [SearchDocument._meta.db_table],
        )
        return dict(cursor.fetchall())


# What the document functions read of each record (plain rows: no model instance per record).
_CUSTOMER_FIELDS = INDEX_CUSTOMER_FIELDS
_CONTACT_FIELDS = INDEX_CONTACT_FIELDS
_INTERACTION_FIELDS = ("pk", "customer_id", "topic", "summary", "interaction_no")


def _records(
    model: Any, fields: tuple[str, ...], customer: str, chunk: int = 5000
) -> Iterator[SimpleNamespace]:
    """Every row of the model as a namespace of `fields`, grouped by its customer's team and
    owner (`customer`: the path to the customer, "" for customers).

    The documents are written in this order, so each owner's documents of a kind sit together:
    their ids form one run, which is one run of entries in the substring indexes too (FTS5
    doclists, GIN posting lists), and a rep's query reads the word's entries inside that run
    only (at a million customers 2-7 times faster than with ids in creation order). Documents
    written later go at the end; the next rebuild groups them again."""
    order = [f"{customer}team_id", f"{customer}owner_id", "pk"]
    rows = model.objects.order_by(*order).values_list(*fields).iterator(chunk_size=chunk)
    for row in rows:
        yield SimpleNamespace(**dict(zip(fields, row, strict=True)))


@transaction.atomic
def search_reindex(
    *, batch_size: int = 2000, progress: bool = False, models: tuple[Any, Any, Any] | None = None
) -> dict[str, int]:
    """Empty the index and write every document again, in one transaction; tags are kept.

    Contacts and interactions get a light stand-in of their customer (name, owner, team,
    status, read once per customer) instead of a joined model instance per row. `models`:
    (Customer, Contact, Interaction) of a migration's state (search migration 0001), else the
    installed ones. On SQLite the FTS5 tables are emptied ('delete-all') and merged
    ('optimize'), so no segment keeps an old entry; the pages they freed keep their bytes until
    a VACUUM (search_vacuum).
    """
    customer_model, contact_model, interaction_model = models or (Customer, Contact, Interaction)
    tags = {
        (kind, object_id): value
        for kind, object_id, value in SearchDocument.objects.exclude(tags="").values_list(
            "kind", "object_id", "tags"
        )
    }
    search_index_clear()
    postgres = connection.vendor == "postgresql"
    gin_indexes = _pg_gin_indexes() if postgres else {}
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")  # the sorts of _records
            for name in gin_indexes:
                cursor.execute(f'DROP INDEX "{name}"')
    customers = _records(customer_model, _CUSTOMER_FIELDS, "")
    contacts = _records(contact_model, _CONTACT_FIELDS, "customer__")
    interactions = _records(interaction_model, _INTERACTION_FIELDS, "customer__")
    total = sum(m.objects.count() for m in (customer_model, contact_model, interaction_model))
    bar = tqdm(total=total, unit="doc", disable=not progress, desc="search_reindex")
    owners: dict[int, SimpleNamespace] = {}

    def documents() -> Iterator[SearchDocument]:
        for customer in customers:
            bar.update()
            owners[customer.pk] = SimpleNamespace(
                pk=customer.pk,
                name=customer.name,
                owner_id=customer.owner_id,
                team_id=customer.team_id,
                status=customer.status,
            )
            yield customer_document(customer, tags=tags.get(("customer", customer.pk), ""))
        for contact in contacts:
            bar.update()
            yield contact_document(
                contact,
                customer=owners[contact.customer_id],
                tags=tags.get(("contact", contact.pk), ""),
            )
        for interaction in interactions:
            bar.update()
            yield interaction_document(interaction, customer=owners[interaction.customer_id])

    search_index_bulk(documents(), batch_size=batch_size)
    bar.close()
    with connection.cursor() as cursor:
        if postgres:
            for sql in gin_indexes.values():
                cursor.execute(sql)
        else:  # merge the FTS5 segments into one b-tree per table
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('optimize')")
    return {
        kind: SearchDocument.objects.filter(kind=kind).count()
        for kind in SearchDocument.Kind.values
    }


def search_vacuum() -> None:
    """After a rebuild that replaced plaintext (issue 19): SQLite keeps the bytes of deleted
    rows and FTS5 segments in free pages until VACUUM rewrites the file (then the WAL is
    checkpointed and truncated). PostgreSQL's reindex TRUNCATEs, which drops the old files;
    VACUUM there only tidies. Outside a transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute(f"VACUUM {SearchDocument._meta.db_table}")


def search_logged(
    *,
    actor: User,
    query: str,
    limit: int,
    kinds: list[str] | None = None,
    refuse_over_volume: bool = False,
) -> SearchResults:
    """A search as the pages and the API run it: scoped (search_for), counted in the user's daily
    volume (kehu.customers.pull_volume; with refuse_over_volume, a user past the day's limit gets
    PermissionDenied and no results), and audited: one read entry with the query (not the
    results), and one reveal per hit found by typing a whole masked value."""
    results = search_for(actor, query, limit=limit, kinds=kinds)
    if not results.query:
        return results  # nothing was searched for
    shown = sum(len(group.hits) for group in results.groups)
    pull_rows(actor=actor, rows=shown, refuse=refuse_over_volume)
    for hit in results.revealed:
        _reveal(actor, hit, query)
    read_record(actor=actor, kind=ReadEntry.Kind.SEARCH, query=query.strip()[:200], rows=shown)
    return results


def _reveal(actor: User, hit: SearchHit, query: str) -> None:
    """A hit found by a whole masked value: audited like the reveal button (kehu.customers.access)."""
    digits = query.replace(" ", "").replace("-", "").lstrip("+").isdigit()
    if "@" in query:
        field = "email"
    elif digits:
        field = "phone" if hit.kind == "customer" else "mobile"
    else:
        field = "wechat"
    audit_record(
        actor=actor,
        action=AuditAction.FIELD_REVEALED,
        customer_id=hit.customer_id,
        changes={"field": field, "via": "search"},
        note=hit.title[:200],
    )
    read_record(
        actor=actor,
        kind=ReadEntry.Kind.REVEAL,
        customer_id=hit.customer_id,
        target=None,
        query=field,
    )
