"""Monthly numbers keep their 4 digits: the 10,000th of a month is refused (issue 14.20)."""

from __future__ import annotations

from datetime import date

import pytest

from kehu.core.models import Counter
from kehu.core.numbering import (
    SequenceExhausted,
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
