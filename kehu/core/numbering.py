"""Race-free business numbers (CX2026110042, HD + customer number + sequence)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from .models import Counter


def next_in_sequence(key: str, *, count: int = 1) -> int:
    """Reserve `count` numbers of sequence `key`; returns the first. Call inside a transaction.

    The counter row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transactions hold the write lock), so two concurrent callers never get the same number.
    """
    if not Counter.objects.filter(key=key).exists():
        try:
            with transaction.atomic():
                Counter.objects.create(key=key)
        except IntegrityError:
            pass  # a racing create won; fall back to it
    counter = Counter.objects.select_for_update().get(key=key)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first


def next_number(prefix: str, *, today: date) -> str:
    """Next monthly number, e.g. 'CX2026110042'."""
    key = f"{prefix}{today:%Y%m}"
    return f"{key}{next_in_sequence(key):04d}"
