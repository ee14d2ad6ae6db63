"""Scoped reads: duplicate pairs and merges a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kehu.accounts.policy import scope_for, visibility_q
from kehu.customers.models import Customer

from .models import DuplicatePair, Merge


def pair_list_for(user: Any, *, status: str | None = "open") -> QuerySet[DuplicatePair]:
    """Pairs whose two customers the user may both see."""
    pairs = DuplicatePair.objects.select_related("customer_a", "customer_b")
    condition = visibility_q(user, Customer)
    if condition is not None:
        visible = Customer.objects.filter(condition).values("pk")
        pairs = pairs.filter(customer_a__in=visible, customer_b__in=visible)
    if status:
        pairs = pairs.filter(status=status)
    return pairs.order_by("-score", "id")


def pair_get_for(user: Any, pair_id: int) -> DuplicatePair:
    return get_object_or_404(pair_list_for(user, status=None), pk=pair_id)


def merge_list_for(user: Any) -> QuerySet[Merge]:
    merges = Merge.objects.select_related("survivor", "performed_by")
    condition = visibility_q(user, Customer)
    if condition is not None:
        merges = merges.filter(survivor__in=Customer.objects.filter(condition).values("pk"))
    return merges


def merge_get_for(user: Any, merge_id: int) -> Merge:
    return get_object_or_404(merge_list_for(user), pk=merge_id)


def customer_by_id_for(user: Any, customer_id: int, *, for_write: bool = False) -> Customer:
    """A customer by primary key, within the user's scope (404 outside it)."""
    customers = scope_for(user, Customer.objects.all(), for_write=for_write)
    return get_object_or_404(customers, pk=customer_id)
