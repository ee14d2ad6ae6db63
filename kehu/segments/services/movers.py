"""A merge (kehu.dedupe) moves the segment rules' task records with their customer, and its undo
moves them back: the task itself moves as a follow-up, and this record keeps the rule from
creating a second open task for the survivor."""

from __future__ import annotations

from typing import Any

from ..models import SegmentTask


def segment_tasks_of_customer(customer_id: int) -> list[int]:
    return list(
        SegmentTask.objects.filter(customer_id=customer_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def segment_tasks_of_contact(contact_id: int) -> list[int]:
    return []  # a segment task belongs to a customer, never to a contact


def segment_tasks_move(*, actor: Any, ids: list[int], customer: Any) -> list[int]:
    moved = list(
        SegmentTask.objects.filter(pk__in=ids)
        .exclude(customer=customer)
        .values_list("pk", flat=True)
    )
    SegmentTask.objects.filter(pk__in=moved).update(customer=customer)
    return moved


def segment_tasks_move_to_contact(*, actor: Any, ids: list[int], contact: Any) -> list[int]:
    return []
