"""Opportunities' and orders' rows given to another customer (kehu.dedupe's merge and its
undo), bulk adds (imports) and anonymisation (erasure)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import PendingEntry, audit_record_many
from kehu.core.versioning import version_next
from kehu.customers.models import Customer

from ..models import Opportunity, Order, OrderLine

# --- Merges: rows given to another customer (kehu.dedupe's merge and its undo)


def _move(
    model: Any, action: AuditAction, *, actor: User, ids: Iterable[int], customer: Customer
) -> list[int]:
    rows = list(model.objects.filter(pk__in=list(ids)).exclude(customer=customer))
    if not rows:
        return []
    numbers = dict(
        Customer.objects.filter(pk__in={r.customer_id for r in rows}).values_list(
            "pk", "customer_no"
        )
    )
    model.objects.filter(pk__in=[r.pk for r in rows]).update(
        customer=customer, updated_at=timezone.now(), version=version_next()
    )
    entries = []
    for row in rows:
        old = numbers.get(row.customer_id)
        row.version += 1
        row.customer = customer  # the entry joins the history of the customer it now belongs to
        entries.append(
            PendingEntry(
                action=action, target=row, changes={"customer": [old, customer.customer_no]}
            )
        )
    audit_record_many(actor=actor, entries=entries)
    return [row.pk for row in rows]


@transaction.atomic
def opportunities_move(*, actor: User, ids: Iterable[int], customer: Customer) -> list[int]:
    """Give these opportunities to `customer`; owners and amounts stay. One audit entry each."""
    return _move(
        Opportunity, AuditAction.OPPORTUNITY_MOVED, actor=actor, ids=ids, customer=customer
    )


@transaction.atomic
def orders_move(*, actor: User, ids: Iterable[int], customer: Customer) -> list[int]:
    """Give these orders (with their lines) to `customer`; numbers and amounts stay."""
    return _move(Order, AuditAction.ORDER_MOVED, actor=actor, ids=ids, customer=customer)


@transaction.atomic
def orders_bulk_add(*, orders: list[Order], lines: list[OrderLine]) -> int:
    """Insert orders of new customers with their lines (the training sandbox's history); the
    customers' own "customer.created" entries stand for them in the log."""
    Order.objects.bulk_create(orders, batch_size=2000)
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    return len(orders)


@transaction.atomic
def orders_anonymise(*, customer_id: int, tombstone: str) -> int:
    """Erasure (issue 19): an individual customer's order notes go; amounts and lines stay, so
    revenue keeps its totals."""
    return Order.objects.filter(customer_id=customer_id).exclude(notes="").update(notes=tombstone)
