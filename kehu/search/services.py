"""Rebuilding the search index from the records (the index is otherwise kept in step by the
services that write them; see kehu.core.search_index)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from tqdm import tqdm

from kehu.core.models import SearchDocument
from kehu.core.search_index import (
    contact_document,
    customer_document,
    interaction_document,
    search_index_bulk,
    search_index_clear,
)
from kehu.customers.models import Contact, Customer
from kehu.interactions.models import Interaction


@transaction.atomic
def search_reindex(*, batch_size: int = 2000, progress: bool = False) -> dict[str, int]:
    """Empty the index and write every document again, in one transaction; tags are kept."""
    tags = {
        (kind, object_id): value
        for kind, object_id, value in SearchDocument.objects.exclude(tags="").values_list(
            "kind", "object_id", "tags"
        )
    }
    search_index_clear()
    customers = Customer.objects.order_by("pk")
    contacts = Contact.objects.select_related("customer").order_by("pk")
    interactions = Interaction.objects.select_related("customer").order_by("pk")
    total = customers.count() + contacts.count() + interactions.count()
    bar = tqdm(total=total, unit="doc", disable=not progress, desc="search_reindex")

    def documents() -> Iterator[SearchDocument]:
        for customer in customers.iterator(chunk_size=batch_size):
            bar.update()
            yield customer_document(customer, tags=tags.get(("customer", customer.pk), ""))
        for contact in contacts.iterator(chunk_size=batch_size):
            bar.update()
            yield contact_document(contact, tags=tags.get(("contact", contact.pk), ""))
        for interaction in interactions.iterator(chunk_size=batch_size):
            bar.update()
            yield interaction_document(interaction)

    search_index_bulk(documents(), batch_size=batch_size)
    bar.close()
    return {
        kind: SearchDocument.objects.filter(kind=kind).count()
        for kind in SearchDocument.Kind.values
    }
