"""Extensions in every common form; masked and local numbers are told apart (issue 14.9)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kehu.core.validators import (
    normalize_phone,
    parse_phone,
    phone_partial,
    phone_partial_matches,
    phone_problem,
)


@pytest.mark.parametrize(
    "raw",
    [
        "(029)74103153-4104",
        "（029）74103153-4104",
        "029-74103153-4104",
        "029 74103153 转 4104",
        "029-74103153转4104",
        "029-74103153分机4104",
        "029-74103153 分机号：4104",
        "029-74103153 ext. 4104",
        "029-74103153 Ext:4104",
        "029-74103153x4104",
        "029-74103153#4104",
        "029-74103153，分机4104",
        "029-74103153-转4104",
    ],
)
def test_extensions_in_every_common_form(raw):
    assert parse_phone(raw) == ("+862974103153;ext=4104", "landline")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138-0013-8000", "+8613800138000"),  # dashes inside a mobile are not an extension
        ("0571-8888-6666", "+8657188886666"),  # nor inside a landline
        ("0571-88886666", "+8657188886666"),
    ],
)
def test_dashes_inside_a_number_are_not_extensions(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "partial"),
    [
        ("138****5678", "138****5678"),
        ("138xxxx5678", "138****5678"),
        ("+86 138 **** 5678", "138****5678"),
        ("0571-****6666", "0571****6666"),
    ],
)
def test_masked_numbers_are_refused_with_their_partial(raw, partial):
    with pytest.raises(ValidationError) as caught:
        parse_phone(raw)
    assert caught.value.code == "masked_phone"
    assert phone_partial(raw) == partial
    assert partial in caught.value.messages[0]


@pytest.mark.parametrize("raw", ["74103153", "6400 1234", "2345678"])
def test_local_numbers_without_area_code_are_named(raw):
    with pytest.raises(ValidationError) as caught:
        parse_phone(raw)
    assert caught.value.code == "local_phone"
    assert caught.value.messages[0].startswith(raw) and "029-" in caught.value.messages[0]


@pytest.mark.parametrize("raw", ["abc", "123", "13800138000138"])
def test_other_values_are_invalid_phones(raw):
    assert phone_problem(raw).code == "invalid_phone"
    assert phone_partial(raw) == ""


def test_a_partial_matches_the_full_numbers_it_could_be():
    assert phone_partial_matches("138****5678", "+8613812345678")
    assert not phone_partial_matches("138****5678", "+8613912345678")
    assert not phone_partial_matches("138****5678", "+861381234567")
    assert phone_partial_matches("0571****6666", "+8657188886666;ext=1")
    assert not phone_partial_matches("", "+8613812345678")
