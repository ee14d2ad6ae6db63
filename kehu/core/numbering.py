"""Race-free business numbers (CX2026110042, HD + customer number + sequence).

A monthly number is the prefix, the month (YYYYMM) and a 4-digit sequence: CX + 202611 + 0042.
A month has 9,999 of them. Past that, the number would need a fifth digit and break the format
the standard sets, so it is never widened: the 10,000th request of a month for a customer created
today is refused (SequenceExhausted, 409). Imports of history are numbered by the month their
customers were first contacted (kehu/intake/services/plan.py) through monthly_spread: a month
that is full lends its rows the numbers of the nearest later month with room, up to this month,
then of the nearest earlier one, so a book of any size is numbered in the standard's format and
no imported customer is refused for want of a number.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict
from .models import Counter

SEQUENCE_DIGITS = 4
MONTHLY_LIMIT = 10**SEQUENCE_DIGITS - 1  # 9,999
EARLIEST_YEAR = 1900  # the earliest month a spread number may take (dates run 1900-2100)
_SPREAD_LOCK = 0x6B654358  # pg_advisory_xact_lock: one spreading import at a time ("keCX")


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


def _month_index(key: str) -> int:
    return int(key[-6:-2]) * 12 + int(key[-2:]) - 1


def _month_after(key: str, step: int) -> str:
    """'CX202612' + 1 → 'CX202701'; step −1 goes back."""
    year, month = divmod(_month_index(key) + step, 12)
    return f"{key[:-6]}{year:04d}{month + 1:02d}"


def _months_near(key: str, latest: str) -> Iterator[str]:
    """The months a full `key` borrows from, nearest first: later ones up to `latest`, then
    earlier ones down to EARLIEST_YEAR."""
    later = _month_after(key, 1)
    while later <= latest:
        yield later
        later = _month_after(later, 1)
    earlier = _month_after(key, -1)
    while int(earlier[-6:-2]) >= EARLIEST_YEAR:
        yield earlier
        earlier = _month_after(earlier, -1)


def monthly_spread(prefix: str, wanted: dict[str, int], *, today: date) -> dict[str, list[str]]:
    """Numbers for `wanted` ({monthly key: how many}), each key's list in the order they go out:
    its own month's while it has room, then the nearest later month's (up to today's month),
    then the nearest earlier month's. Call inside a transaction. The format stays CX + YYYYMM +
    4 digits; only when every month from EARLIEST_YEAR to today is full is a list short.

    On PostgreSQL, spreading imports take one advisory lock first: they lock several months'
    counters in no fixed order, so two at a time could deadlock (a customer created today
    locks one counter and never waits for a second)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SPREAD_LOCK])
    latest = monthly_key(prefix, today)
    numbers: dict[str, list[str]] = {key: [] for key in wanted}
    for _attempt in range(3):  # a customer created meanwhile may take a number planned here
        plan = _spread_plan(prefix, {k: n - len(numbers[k]) for k, n in wanted.items()}, latest)
        short, got = False, dict[tuple[str, str], list[str]]()
        for target in sorted(plan):  # one lock order within the plan
            first, granted = reserve_in_sequence(
                target, count=sum(n for _k, n in plan[target]), limit=MONTHLY_LIMIT
            )
            for key, count in plan[target]:
                taken = min(count, granted)
                got[target, key] = [monthly_number(target, first + i) for i in range(taken)]
                first, granted, short = first + taken, granted - taken, short or taken < count
        for target, key in sorted(got, key=lambda pair: _nearness(pair[1], pair[0], latest)):
            numbers[key] += got[target, key]  # its own month's first, then the nearest's
        if not short:
            break
    return numbers


def _nearness(key: str, target: str, latest: str) -> tuple[int, int]:
    """Where `target` comes in _months_near(key, latest): own month, later ones, earlier ones."""
    step = _month_index(target) - _month_index(key)
    return (0, step) if 0 <= step and target <= latest else (1, -step)


def _spread_plan(
    prefix: str, wanted: dict[str, int], latest: str
) -> dict[str, list[tuple[str, int]]]:
    """{month to take from: [(wanted key, how many), …]}, from the counters as they are."""
    wanted = {key: count for key, count in wanted.items() if count > 0}
    if not wanted:
        return {}
    counters = Counter.objects.filter(key__regex=rf"^{prefix}[0-9]{{6}}$")
    used: dict[str, int] = dict(counters.values_list("key", "last"))
    plan: dict[str, list[tuple[str, int]]] = {}

    def take(target: str, key: str, count: int) -> int:
        taken = min(count, MONTHLY_LIMIT - used.get(target, 0))
        if taken > 0:
            plan.setdefault(target, []).append((key, taken))
            used[target] = used.get(target, 0) + taken
        return int(max(taken, 0))

    left = {key: count - take(key, key, count) for key, count in sorted(wanted.items())}
    for key in sorted(left):
        months = _months_near(key, latest)
        while left[key] > 0:
            target = next(months, None)
            if target is None:
                break  # every month is full
            left[key] -= take(target, key, left[key])
    return plan
