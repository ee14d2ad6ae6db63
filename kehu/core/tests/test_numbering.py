"""Monthly numbers keep their 4 digits: the 10,000th of a month is refused (issue 14.20)."""

from __future__ import annotations

from datetime import date

import pytest

from kehu.core.models import Counter
from kehu.core.numbering import (
    SequenceExhausted,
    monthly_spread,
    next_number,
    reserve_in_sequence,
)

pytestmark = pytest.mark.django_db


def test_numbers_have_four_digits_up_to_9999():
    Counter.objects.create(key="CX202611", last=9998)
    assert next_number("CX", today=date(2026, 11, 3)) == "CX2026119999"
    with pytest.raises(SequenceExhausted) as caught:
        next_number("CX", today=date(2026, 11, 3))
    assert caught.value.status_code == 409
    assert "9,999" in caught.value.message
    assert Counter.objects.get(key="CX202611").last == 9999  # nothing reserved
    assert next_number("CX", today=date(2026, 12, 1)) == "CX2026120001"  # next month is free


def test_reserve_grants_what_is_left():
    Counter.objects.create(key="CX202611", last=9990)
    assert reserve_in_sequence("CX202611", count=25, limit=9999) == (9991, 9)
    assert reserve_in_sequence("CX202611", count=5, limit=9999) == (10000, 0)
    assert Counter.objects.get(key="CX202611").last == 9999


def test_full_months_borrow_the_nearest_months_numbers_in_their_order():
    Counter.objects.bulk_create(
        [
            Counter(key="CX202601", last=9998),
            Counter(key="CX202602", last=9999),
            Counter(key="CX202603", last=9997),
            Counter(key="CX202512", last=9999),
        ]
    )
    spread = monthly_spread("CX", {"CX202601": 3, "CX202602": 4}, today=date(2026, 3, 9))
    # January: its last one, then March (later, up to this month): 9998, 9999 ...
    assert spread["CX202601"] == ["CX2026019999", "CX2026039998", "CX2026039999"]
    # February is full and March is used up: back to January (full), then December (full),
    # then November 2025.
    assert spread["CX202602"] == [f"CX20251100{n:02d}" for n in range(1, 5)]
    assert Counter.objects.get(key="CX202511").last == 4
    assert all(len(n) == 12 for numbers in spread.values() for n in numbers)
