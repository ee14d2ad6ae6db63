"""The data-quality state of a customer (完整 / 待补全 / 信息待完善 / 待验证) as rules and
interactions move it, and last_interaction_at. The freshness rules (kehu.interactions.freshness)
decide *which* customers move; the writes happen here, audited with the rules' source."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record

from ..models import Customer
from ..selectors import customer_stale_q
from .derived import customer_refresh_quality

Quality = Customer.Quality


def customer_set_quality(
    *, actor: User | None, customer: Customer, quality: str, note: str, source: str
) -> None:
    """Move the quality state (a rule's decision), audited as "customer.quality_changed"."""
    old = customer.quality
    customer.quality = quality
    Customer.objects.filter(pk=customer.pk).update(quality=quality)
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOMER_QUALITY_CHANGED,
        target=customer,
        changes={"quality": [old, quality]},
        note=note,
        source=source,
    )


@transaction.atomic
def customer_interactions_changed(
    *, actor: User | None, customer: Customer, latest: datetime | None, note: str, source: str
) -> bool:
    """An interaction was logged, changed or removed: store the latest time; a 待验证 customer
    that is no longer stale becomes fresh again (完整, or 待补全 with facts missing). Returns
    whether it became fresh (the caller closes its open verify tasks)."""
    Customer.objects.filter(pk=customer.pk).update(last_interaction_at=latest)
    customer.last_interaction_at = latest
    current = Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if current is None or current.quality != Quality.TO_VERIFY:
        return False
    if Customer.objects.filter(customer_stale_q(timezone.now()), pk=current.pk).exists():
        return False
    quality = Quality.INCOMPLETE if current.missing_fields else Quality.COMPLETE
    if quality == Quality.INCOMPLETE and current.incomplete_since is None:
        Customer.objects.filter(pk=current.pk).update(incomplete_since=timezone.now())
    customer_set_quality(actor=actor, customer=current, quality=quality, note=note, source=source)
    customer.quality = quality
    return True


def customers_refresh_quality(
    customers: list[Customer], *, since: Callable[[Customer], datetime] | None = None
) -> int:
    """Recompute completeness and the 待补全 mark of these customers (contacts prefetched);
    store only the ones that changed. Returns how many changed. `since` dates a mark made now
    (the training sandbox's records were incomplete for a while already); default now."""

    def state(c: Customer) -> tuple[Any, ...]:
        return (c.completeness, list(c.missing_fields), c.quality, c.incomplete_since)

    changed = 0
    for customer in customers:
        before = state(customer)
        customer_refresh_quality(customer, save=False)
        if since is not None and before[3] is None and customer.incomplete_since is not None:
            customer.incomplete_since = since(customer)
        if state(customer) != before:
            changed += 1
            Customer.objects.filter(pk=customer.pk).update(
                completeness=customer.completeness,
                missing_fields=customer.missing_fields,
                quality=customer.quality,
                incomplete_since=customer.incomplete_since,
            )
    return changed


def customers_last_interaction_set(latest: dict[int, datetime]) -> None:
    """Store each customer's last interaction time in bulk (interactions written in bulk)."""
    customers = list(Customer.objects.filter(pk__in=list(latest)).only("pk"))
    for customer in customers:
        customer.last_interaction_at = latest[customer.pk]
    Customer.objects.bulk_update(customers, ["last_interaction_at"], batch_size=2000)
