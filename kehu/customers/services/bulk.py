"""Many customers at once: a bulk change (one guard for the whole set, then each customer
through customer_update), and the import's creates (batched inserts, still audited)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import PendingEntry, audit_record, audit_record_many, diff_fields
from kehu.contacts.models import Contact
from kehu.contacts.services import contact_remove, contact_values_restore, contacts_bulk_add
from kehu.core.bulk import insert_rows, reserve_ids, unsaved
from kehu.core.crypto import blind_values
from kehu.core.errors import ChangeHeld
from kehu.core.models import SearchDocument
from kehu.core.normalize.pinyin import name_sort_key
from kehu.core.search_index import (
    Prepared,
    contact_document,
    contact_values,
    customer_document,
    customer_values,
    search_index_bulk,
    search_index_values,
    search_prepare_values,
    search_unindex,
)
from kehu.core.versioning import version_next
from kehu.review.models import ReviewItem
from kehu.review.services import review_hold

from ..custom_fields import custom_field_labels
from ..models import Customer, CustomerStatusChange, CustomField
from ..validators import normalize_company_name
from .derived import customer_refresh_quality, customer_reindex
from .review_rules import bulk_change_hold
from .write import (
    customer_snapshot,
    customer_update,
    json_ready,
    maker_changes,
    relation_labels,
)


def customer_bulk_update(
    *, actor: User, customers: list[Customer], changes: dict[str, Any]
) -> dict[str, Any]:
    """Change several customers at once. More than the bulk rule allows waits for review as one
    item; otherwise each customer goes through customer_update (and meets its guards: a held
    change for one customer is listed under `held`, the others apply)."""
    hold = bulk_change_hold(actor=actor, count=len(customers), changes=changes)
    if hold is not None:
        item = review_hold(
            actor=actor,
            action=ReviewItem.Action.BULK_UPDATE,
            rule=hold.rule,
            reason=hold.reason,
            payload={"customer_ids": [c.pk for c in customers], "changes": json_ready(changes)},
            diff=[
                {
                    "field": "customers",
                    "label": _("customers"),
                    "before": "",
                    "after": "、".join(c.customer_no for c in customers[:50]),
                }
            ],
        )
        raise ChangeHeld(
            _("This change waits for review by your manager (#%(id)s): %(reason)s")
            % {"id": item.pk, "reason": hold.reason},
            pending_id=item.pk,
        )
    updated, held = [], []
    with transaction.atomic():
        for customer in customers:
            try:
                # One version cannot stand for many customers: a bulk change is never checked,
                # but raises each customer's version (open forms then conflict).
                data = {k: v for k, v in changes.items() if k != "version"}
                customer_update(actor=actor, customer=customer, data=data)
            except ChangeHeld as exc:
                held.append({"customer_no": customer.customer_no, "pending_id": exc.pending_id})
            else:
                updated.append(customer.customer_no)
    return {"updated": len(updated), "held": held}


def apply_bulk_update(item: ReviewItem) -> None:
    changes = item.payload.get("changes") or {}
    for customer in Customer.objects.filter(pk__in=item.payload.get("customer_ids") or []):
        customer_update(
            actor=item.requested_by, customer=customer, data=dict(changes), approved=item
        )


def status_change_row(
    customer_id: int, status: str, reason: str, by: int | None
) -> CustomerStatusChange:
    """CustomerStatusChange(customer_id=…, to_status=…, reason=…, changed_by_id=…), built field
    by field (kehu.core.bulk.unsaved): id, customer, from_status, to_status, reason, changed_by,
    changed_at (stamped on insert)."""
    return unsaved(  # type: ignore[no-any-return]
        CustomerStatusChange, (None, customer_id, "", status, reason, by, None)
    )


@transaction.atomic
def customers_bulk_create(
    *,
    actor: User | None,
    items: list[tuple[Customer, Contact | None]],
    reason: str,
    documents: Callable[[], Iterable[SearchDocument]] | None = None,
    source: str = "import",
    in_step: bool = True,
) -> None:
    """Insert new customers (numbered, cleaned and guarded by the caller) with their decision
    makers, status history, search documents and one audit entry each ("customer.created",
    listing the decision maker too), in batches: the import's write path.

    `documents` builds the search documents once the rows have their keys (the import's workers
    prepare them); by default they are built here. `in_step=False` (the import's bulk path)
    writes neither documents nor audit entries: the caller audits the whole load in one entry
    and fills the index afterwards (customers_index_fill)."""
    if not items:
        return
    customers = [customer for customer, _maker in items]
    for customer, pk in zip(customers, reserve_ids(Customer, len(customers)), strict=True):
        customer.pk = pk
    insert_rows(Customer, customers, with_ids=True)
    makers = []
    for customer, maker in items:
        if maker is not None:
            maker.customer = customer
            makers.append(maker)
    contacts_bulk_add(makers)
    by_id = {id(c): m for c, m in items}
    actor_id = actor.pk if actor is not None else None
    insert_rows(
        CustomerStatusChange,
        [status_change_row(c.pk, c.status, reason, actor_id) for c in customers],
        with_ids=False,
    )
    if not in_step:
        return
    if documents is not None:
        search_index_bulk(documents())
    else:
        search_index_bulk(
            [customer_document(c) for c in customers]
            + [contact_document(m, customer=m.customer) for m in makers]
        )
    entries = []
    labels = relation_labels(customers)
    custom_labels = custom_field_labels(CustomField.Entity.CUSTOMER)
    for customer in customers:
        changes = diff_fields({}, customer_snapshot(customer, labels, custom_labels))
        maker = by_id.get(id(customer))
        if maker is not None:
            changes.update(maker_changes(maker))
        entries.append(
            PendingEntry(
                action=AuditAction.CUSTOMER_CREATED, target=customer, changes=changes, note=reason
            )
        )
    audit_record_many(actor=actor, entries=entries, source=source)


# What the document functions read of each record (plain rows: no model instance per record).
INDEX_CUSTOMER_FIELDS = (
    "pk", "name", "owner_id", "team_id", "status", "phone", "email", "customer_no",
    "credit_code", "province", "city", "district", "address",
)  # fmt: skip
INDEX_CONTACT_FIELDS = (
    "pk", "customer_id", "name", "title", "mobile", "landline", "email", "wechat", "qq", "address",
)  # fmt: skip


@transaction.atomic
def customers_index_fill(ids: Collection[int]) -> int:
    """Write the search documents of these customers and their contacts, those not indexed
    yet (a bulk load's catch-up; run again, it writes nothing twice). Read as plain rows in key
    order, built, written by search_index_values. Returns how many documents it wrote."""
    if not ids:
        return 0
    customers, contacts = customers_index_rows(ids)
    return search_index_values(customers_index_prepared(customers, contacts))


IndexRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def customers_index_rows(ids: Collection[int]) -> IndexRows:
    """The plain rows (INDEX_CUSTOMER_FIELDS, INDEX_CONTACT_FIELDS) of these customers and
    their contacts that have no search document yet, in key order: what
    customers_index_prepared builds from (in another process, if the caller likes)."""
    kinds = SearchDocument.Kind
    done = set(
        SearchDocument.objects.filter(kind=kinds.CUSTOMER, object_id__in=ids).values_list(
            "object_id", flat=True
        )
    )
    todo = sorted(set(ids) - done)
    if not todo:
        return [], []
    customers = _index_read(Customer, INDEX_CUSTOMER_FIELDS, "id", todo)
    contacts = _index_read(Contact, INDEX_CONTACT_FIELDS, "customer_id", [c[0] for c in customers])
    # A contact indexed already: an update of its customer by a later row of the same load.
    indexed = set(
        SearchDocument.objects.filter(
            kind=kinds.CONTACT, object_id__in=[c[0] for c in contacts]
        ).values_list("object_id", flat=True)
    )
    return customers, [c for c in contacts if c[0] not in indexed]


def _index_read(
    model: type[Customer | Contact], names: tuple[str, ...], column: str, keys: list[int]
) -> list[tuple[Any, ...]]:
    """values_list(*names) (the first: "pk") of the rows whose `column` is in keys, in key
    order, read with one plain statement (the ORM's per-row work costs more than the
    statement), each field's from_db_value applied (the encrypted ones open)."""
    if not keys:
        return []
    meta, quote = model._meta, connection.ops.quote_name
    fields: list[Any] = [meta.pk if name == "pk" else meta.get_field(name) for name in names]
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(column)} IN ({marks}) "
            f"ORDER BY {quote(fields[0].column)}",
            keys,
        )
        rows = cursor.fetchall()
    opened = [(i, f.from_db_value) for i, f in enumerate(fields) if hasattr(f, "from_db_value")]
    if not opened:
        return list(rows)
    out = []
    for row in rows:
        values = list(row)
        for i, from_db_value in opened:
            values[i] = from_db_value(values[i], None, connection)
        out.append(tuple(values))
    return out


# The rows as records with the attributes the document builders read (no model instance).
_CustomerRow = namedtuple("_CustomerRow", INDEX_CUSTOMER_FIELDS)  # type: ignore[misc]
_ContactRow = namedtuple("_ContactRow", INDEX_CONTACT_FIELDS)  # type: ignore[misc]


def customers_index_prepared(
    customer_rows: list[tuple[Any, ...]], contact_rows: list[tuple[Any, ...]]
) -> list[Prepared]:
    """The documents of customers_index_rows' rows, customers first, as (field values, search
    terms): what customer_document / contact_document and search_prepare give, without model
    instances (no query: a worker process may build them)."""
    customers: list[Any] = [_CustomerRow._make(r) for r in customer_rows]
    by_pk = {c.pk: c for c in customers}
    contacts: list[Any] = [_ContactRow._make(r) for r in contact_rows]
    values = [customer_values(c) for c in customers]
    values += [contact_values(c, by_pk[c.customer_id]) for c in contacts]
    engine = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    return [(v, search_prepare_values(v, engine=engine)) for v in values]


@transaction.atomic
def customers_index_write(prepared: list[Prepared]) -> int:
    """Write documents customers_index_prepared built (elsewhere, from rows read earlier),
    but those whose record has been indexed since (a change made meanwhile indexed it)."""
    for kind in {values[1] for values, _terms in prepared}:
        done = set(
            SearchDocument.objects.filter(
                kind=kind, object_id__in=[v[2] for v, _t in prepared if v[1] == kind]
            ).values_list("object_id", flat=True)
        )
        if done:
            prepared = [(v, t) for v, t in prepared if v[1] != kind or v[2] not in done]
    return search_index_values(prepared)


@transaction.atomic
def customers_remove_imported(*, actor: User | None, ids: list[int], note: str) -> int:
    """Delete customers an import created (its revert), with their contacts and search entries;
    one "customer.deleted" entry each. Returns how many."""
    customers = list(Customer.objects.filter(pk__in=ids))
    if not customers:
        return 0
    labels = relation_labels(customers)
    custom_labels = custom_field_labels(CustomField.Entity.CUSTOMER)
    audit_record_many(
        actor=actor,
        entries=[
            PendingEntry(
                action=AuditAction.CUSTOMER_DELETED,
                target=customer,
                changes=diff_fields(customer_snapshot(customer, labels, custom_labels), {}),
                note=note,
            )
            for customer in customers
        ],
        source="import",
    )
    found = [c.pk for c in customers]
    search_unindex(
        "contact", Contact.objects.filter(customer_id__in=found).values_list("pk", flat=True)
    )
    search_unindex("customer", found)
    Customer.objects.filter(pk__in=found).delete()
    return len(found)


@transaction.atomic
def customer_restore(
    *,
    actor: User | None,
    customer: Customer,
    fields: dict[str, Any],
    maker: dict[str, Any] | None,
    maker_created: int | None,
    note: str,
    others: list[dict[str, Any]] | None = None,
) -> Customer:
    """Put back the values an import overwrote (its revert): the customer's fields, its decision
    maker's (and `others`: another contact's it made the decision maker, each {id, field:
    value}), and remove a decision maker the import added; audited, re-indexed."""
    before = customer_snapshot(customer)
    if "name" in fields:  # the keys derived from the name follow it back
        fields = {
            **fields,
            "name_normalized": normalize_company_name(fields["name"]),
            "name_sort": name_sort_key(fields["name"]),
        }
    Customer.objects.filter(pk=customer.pk).update(
        **blind_values(Customer, fields), version=version_next()
    )
    for values in [maker, *(others or [])]:
        if not values:
            continue
        contact = Contact.objects.filter(pk=values["id"], customer=customer).first()
        if contact is not None:
            contact_values_restore(
                contact=contact, values={k: v for k, v in values.items() if k != "id"}
            )
    if maker_created:
        created = Contact.objects.filter(pk=maker_created, customer=customer).first()
        if created is not None:
            contact_remove(actor=actor, contact=created, note=note)
    customer = Customer.objects.get(pk=customer.pk)
    customer_refresh_quality(customer)
    customer_reindex(customer)
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_UPDATED,
        target=customer,
        changes=diff_fields(before, customer_snapshot(customer)),
        note=note,
        source="import",
    )
    return customer


@transaction.atomic
def contacts_bulk_create(contacts: list[Contact]) -> None:
    """Further contacts of new customers in bulk (the training sandbox): the rows and their
    search entries; the caller refreshes the customers' completeness afterwards."""
    contacts_bulk_add(contacts)
    search_index_bulk(contact_document(c, customer=c.customer) for c in contacts)
