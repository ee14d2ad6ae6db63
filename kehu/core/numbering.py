"""Race-free business numbers (CX2026110042, HD + customer number + sequence).

A monthly number is the prefix, the month (YYYYMM) and a 4-digit sequence: CX + 202611 + 0042.
A month has 9,999 of them. Past that, the number would need a fifth digit and break the format
the standard sets, so the 10,000th request of a month is refused (SequenceExhausted, 409), never
widened. Imports of history spread over the months their customers were first contacted
(kehu/intake/services/plan.py), so a large file of old customers does not use up one month.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict
from .models import Counter

SEQUENCE_DIGITS = 4
MONTHLY_LIMIT = 10**SEQUENCE_DIGITS - 1  # 9,999


class SequenceExhausted(Conflict):
    """Every number of this sequence is taken."""

    code = "numbers_exhausted"
    default_message = gettext_lazy("Every number of this sequence is taken.")


def _counter(key: str) -> Counter:
    """The counter row of `key`, created if missing and locked (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite's IMMEDIATE transactions hold the write lock)."""
    if not Counter.objects.filter(key=key).exists():
        try:
            with transaction.atomic():
                Counter.objects.create(key=key)
        except IntegrityError:
            pass  # a racing create won; fall back to it
    return Counter.objects.select_for_update().get(key=key)


def sequences_set(values: dict[str, int]) -> None:
    """Set counters in bulk (numbers written elsewhere in bulk, e.g. the training sandbox's
    interactions): each counter moves to at least its value."""
    existing = {c.key: c for c in Counter.objects.select_for_update().filter(key__in=list(values))}
    Counter.objects.bulk_create(
        [Counter(key=key, last=last) for key, last in values.items() if key not in existing],
        batch_size=2000,
    )
    for key, counter in existing.items():
        if values[key] > counter.last:
            counter.last = values[key]
            counter.save(update_fields=["last"])


def next_in_sequence(key: str, *, count: int = 1, limit: int | None = None) -> int:
    """Reserve `count` numbers of sequence `key`; returns the first. Call inside a transaction.

    Two concurrent callers never get the same number. With `limit`, a request that would pass it
    raises SequenceExhausted and reserves nothing.
    """
    counter = _counter(key)
    if limit is not None and counter.last + count > limit:
        raise SequenceExhausted(
            _("Only %(left)s numbers of %(key)s are left (at most %(limit)s a month).")
            % {"left": max(0, limit - counter.last), "key": key, "limit": f"{limit:,}"}
        )
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first


def reserve_in_sequence(key: str, *, count: int, limit: int) -> tuple[int, int]:
    """Reserve up to `count` numbers of `key` without passing `limit`: (first, how many)."""
    counter = _counter(key)
    granted = max(0, min(count, limit - counter.last))
    first = counter.last + 1
    if granted:
        counter.last += granted
        counter.save(update_fields=["last"])
    return first, granted


def monthly_key(prefix: str, month: date) -> str:
    """'CX202611': the sequence key of a prefix and a month."""
    return f"{prefix}{month:%Y%m}"


def monthly_number(key: str, sequence: int) -> str:
    """'CX2026110042': a monthly key and its sequence, always 4 digits."""
    if not 1 <= sequence <= MONTHLY_LIMIT:
        raise ValueError(f"{key}: sequence {sequence} is outside 1..{MONTHLY_LIMIT}")
    return f"{key}{sequence:0{SEQUENCE_DIGITS}d}"


def next_number(prefix: str, *, today: date) -> str:
    """Next monthly number, e.g. 'CX2026110042'; SequenceExhausted past 9,999 in a month."""
    key = monthly_key(prefix, today)
    return monthly_number(key, next_in_sequence(key, limit=MONTHLY_LIMIT))
