"""Field rules shared by every input path: phones, e-mails, dates, codes, amounts, choices."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import uscc

from kehu.core.text import clean_multiline, clean_text, to_halfwidth
from kehu.core.validators import (
    format_phone,
    mask_phone,
    normalize_credit_code,
    normalize_email,
    normalize_mobile,
    normalize_phone,
    parse_amount,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_phone,
    parse_phones,
)
from kehu.customers.validators import SIZE_ALIASES, STATUS_ALIASES, parse_size

USCC_BODY = "91350100M000100Y4"
VALID_USCC = USCC_BODY + uscc.calc_check_digit(USCC_BODY)


def wrong_check_character(code: str) -> str:
    right = code[-1]
    wrong = next(ch for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY" if ch != right)
    return code[:-1] + wrong


# --- Phones


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086 13800138000",
        "１３８００１３８０００",
        " 138\u30000013\u30008000 ",
    ],
)
def test_cn_mobile_forms_become_e164(raw):
    assert parse_phone(raw) == ("+8613800138000", "mobile")
    assert normalize_mobile(raw) == "+8613800138000"


@pytest.mark.parametrize(
    "raw",
    ["0755-86001234", "(0755)86001234", "（0755）86001234", "0755 8600 1234", "075586001234"],
)
def test_cn_landline_forms_become_e164(raw):
    assert parse_phone(raw) == ("+8675586001234", "landline")


@pytest.mark.parametrize(
    "raw",
    [
        "0755-86001234转8",
        "0755-86001234 转 8",
        "0755-86001234 分机 8",
        "0755-86001234 ext. 8",
        "0755-86001234-8",
    ],
)
def test_landline_extension_is_kept(raw):
    assert normalize_phone(raw) == "+8675586001234;ext=8"


@pytest.mark.parametrize(
    "raw", ["12345", "1380013800", "138001380001", "0755-1", "abc", "", "+86 000 0000 0000"]
)
def test_invalid_phones_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        parse_phone(raw)
    assert info.value.code == "invalid_phone"


def test_a_landline_is_not_a_mobile():
    with pytest.raises(ValidationError) as info:
        normalize_mobile("0755-86001234")
    assert info.value.code == "not_mobile"


def test_format_phone_shows_numbers_as_people_read_them():
    assert format_phone("+8613800138000") == "13800138000"
    assert format_phone("+8675586001234") == "0755-86001234"
    assert format_phone("+861012345678") == "010-12345678"
    assert format_phone("+8675586001234;ext=8") == "0755-86001234 转 8"
    assert format_phone("+16502530000") == "+1 650-253-0000"
    assert format_phone("") == ""


def test_mask_phone_hides_the_middle():
    assert mask_phone("+8613800138000") == "138****8000"
    masked = mask_phone("+8675586001234")
    assert masked.endswith("1234")
    assert "8600" not in masked
    assert mask_phone("") == ""


# --- E-mail


def test_valid_email_is_kept():
    assert normalize_email("li.lei@example.com") == "li.lei@example.com"


def test_email_is_lower_cased_and_full_width_folded():
    assert normalize_email("Li.Lei@Example.COM") == "li.lei@example.com"
    assert normalize_email(" ＬＩ@example.com ") == "li@example.com"


@pytest.mark.parametrize("raw", ["li.lei", "a@b", "x@@example.com", "@example.com", "li lei@x.com"])
def test_invalid_emails_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        normalize_email(raw)
    assert info.value.code == "invalid_email"


# --- Dates and times


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-05",
        "2026/3/5",
        "2026/03/05",
        "2026.3.5",
        "2026年3月5日",
        "2026 年 3 月 5 日",
        "2026年3月5号",
        "20260305",
        "２０２６－０３－０５",
        "2026-03-05T10:30:00",
    ],
)
def test_date_forms(raw):
    assert parse_date(raw) == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("raw", "expected"), [("45000", date(2023, 3, 15)), ("46086.0", date(2026, 3, 5))]
)
def test_spreadsheet_serial_day_numbers_are_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["2026-02-30", "2026-13-01", "2026年2月30日", "5/3/2026", "昨天", "", "4500", "450000"]
)
def test_invalid_dates_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        parse_date(raw)
    assert info.value.code == "invalid_date"


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-05 14:30",
        "2026/3/5 14:30",
        "2026年3月5日 14:30",
        "2026年3月5日14:30",
        "2026-03-05T14:30:00+08:00",
    ],
)
def test_datetime_forms_in_local_time(raw):
    value = parse_datetime(raw)
    assert timezone.is_aware(value)
    assert timezone.localtime(value).replace(tzinfo=None) == datetime(2026, 3, 5, 14, 30)


def test_datetime_with_utc_zone_keeps_the_instant():
    value = parse_datetime("2026-03-05T06:30:00Z")
    assert timezone.localtime(value).replace(tzinfo=None) == datetime(2026, 3, 5, 14, 30)


def test_date_only_datetime_is_local_midnight():
    value = parse_datetime("2026年3月5日")
    assert timezone.localtime(value).replace(tzinfo=None) == datetime(2026, 3, 5)
    assert value.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "raw", ["2026-03-05 25:00", "2026-03-05 14:61", "2026-02-30 10:00", "明天"]
)
def test_invalid_datetimes_are_refused(raw):
    with pytest.raises(ValidationError):
        parse_datetime(raw)


# --- Unified social credit codes


def test_valid_credit_code():
    assert normalize_credit_code(VALID_USCC) == VALID_USCC
    assert normalize_credit_code(VALID_USCC.lower()) == VALID_USCC
    spaced = f" {VALID_USCC[:6]} {VALID_USCC[6:12]}-{VALID_USCC[12:]} "
    assert normalize_credit_code(spaced) == VALID_USCC


@pytest.mark.parametrize(
    "raw", [wrong_check_character(VALID_USCC), VALID_USCC[:-1], VALID_USCC + "1", "not a code"]
)
def test_invalid_credit_codes_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        normalize_credit_code(raw)
    assert info.value.code == "invalid_credit_code"


# --- Amounts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("80000", "80000.00"),
        ("80,000", "80000.00"),
        ("80，000.50", "80000.50"),
        ("8万", "80000.00"),
        ("8万元", "80000.00"),
        ("¥8万", "80000.00"),
        ("￥80000", "80000.00"),
        ("¥1.2亿", "120000000.00"),
        ("50k", "50000.00"),
        ("3千", "3000.00"),
        ("RMB 1000", "1000.00"),
        ("８万", "80000.00"),
        (80000, "80000.00"),
        (12.5, "12.50"),
        (Decimal("99.999"), "100.00"),
    ],
)
def test_amount_forms(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["-5", "-8万", -1, Decimal("-0.01")])
def test_negative_amounts_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        parse_amount(raw)
    assert info.value.code == "negative_amount"


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "1e3", "八万", ""])
def test_unreadable_amounts_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        parse_amount(raw)
    assert info.value.code == "invalid_amount"


def test_absurd_amounts_are_refused():
    with pytest.raises(ValidationError) as info:
        parse_amount("10000亿")
    assert info.value.code == "amount_too_large"


# --- Value lists


@pytest.mark.parametrize(
    "raw", ["意向客户", "意向", "intent", "Interested", "INTENT", " 意向客户 "]
)
def test_status_in_chinese_english_or_code(raw):
    assert parse_choice(raw, STATUS_ALIASES) == "intent"


@pytest.mark.parametrize(
    "raw",
    [
        "中型企业(100-500人)",
        "中型企业（100-500人）",
        "中型企业",
        "medium",
        "Medium (100-500 staff)",
    ],
)
def test_size_in_chinese_english_or_code(raw):
    assert parse_choice(raw, SIZE_ALIASES) == "medium"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("已成交", "won"), ("签约客户", "won"), ("Closed Won", "won"), ("跟进中", "intent"),
        ("线索", "lead"), ("已流失", "lost"), ("丢单", "lost"),
    ],
)  # fmt: skip
def test_status_in_the_words_of_other_systems(raw, expected):
    assert parse_choice(raw, STATUS_ALIASES) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50人", "small"), ("20-99人", "small"), ("少于50人", "small"), ("100人以下", "small"),
        ("100人", "medium"), ("100-499人", "medium"), ("500人", "medium"), ("员工 300 人", "medium"),
        ("500人以上", "large"), ("500人及以上", "large"), ("1000+", "large"), ("1,200", "large"),
        ("大型企业(>500人)", "large"),
    ],
)  # fmt: skip
def test_size_from_a_head_count(raw, expected):
    assert parse_size(raw) == expected


@pytest.mark.parametrize("raw", ["五十人", "很多人", "50-", "-"])
def test_size_that_is_no_head_count_is_refused(raw):
    with pytest.raises(ValidationError) as info:
        parse_size(raw)
    assert info.value.code == "invalid_choice"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678/0571-88886666", [("+8613912345678", "mobile"), ("+8657188886666", "landline")]),
        ("手机：13912345678；座机：0571-88886666", [("+8613912345678", "mobile"), ("+8657188886666", "landline")]),
        ("电话: 139 1234 5678", [("+8613912345678", "mobile")]),
        ("13912345678、13800138000", [("+8613912345678", "mobile"), ("+8613800138000", "mobile")]),
        ("13800138000(微信同号)", [("+8613800138000", "mobile")]),
        ("138-0013-8000 王总", [("+8613800138000", "mobile")]),
        ("王总 13800138000 / 李工 0571-88886666", [("+8613800138000", "mobile"), ("+8657188886666", "landline")]),
        # ';' and '；' part numbers too (phonenumbers alone reads the first and drops the rest),
        # and so does a line break or a space between two whole numbers.
        ("13800137410；13800137411", [("+8613800137410", "mobile"), ("+8613800137411", "mobile")]),
        ("0574-87654321;13800137430", [("+8657487654321", "landline"), ("+8613800137430", "mobile")]),
        ("13800137410\n13800137411", [("+8613800137410", "mobile"), ("+8613800137411", "mobile")]),
        ("13800137410 13800137411", [("+8613800137410", "mobile"), ("+8613800137411", "mobile")]),
        ("0574 8765 4321 138 0013 7430", [("+8657487654321", "landline"), ("+8613800137430", "mobile")]),
        ("138 0013 8000", [("+8613800138000", "mobile")]),  # one number written with spaces
        ("0755-86001234;转8", [("+8675586001234;ext=8", "landline")]),  # an extension, not a part
    ],
)  # fmt: skip
def test_several_numbers_in_one_cell(raw, expected):
    assert parse_phones(raw) == expected


@pytest.mark.parametrize(
    "raw", ["0571-88886666/13912345678", "0571-88886666;13912345678", "0571-88886666\n13912345678"]
)
def test_one_phone_field_takes_one_number(raw):
    assert normalize_phone("0571-88886666（总机）") == "+8657188886666"
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert info.value.code == "several_phones" and "13912345678" in info.value.messages[0]


@pytest.mark.parametrize("raw", ["13912345678/abc", "12345", "13912345678/", "微信同号"])
def test_several_numbers_refused_when_one_is_not_a_number(raw):
    if raw.endswith("/"):  # an empty part is no number: the cell holds one
        assert parse_phones(raw) == [("+8613912345678", "mobile")]
        return
    with pytest.raises(ValidationError) as info:
        parse_phones(raw)
    assert info.value.code == "invalid_phone"


def test_unknown_choice_lists_the_allowed_values():
    with pytest.raises(ValidationError) as info:
        parse_choice("大客户", STATUS_ALIASES)
    assert info.value.code == "invalid_choice"
    message = info.value.messages[0]
    assert "大客户" in message
    for label in ("潜在客户", "意向客户", "成交客户", "流失客户"):  # labels, not codes
        assert label in message


# --- Full-width forms and whitespace


def test_full_width_forms_become_half_width():
    assert to_halfwidth("ＡＢＣ１２３＠（）") == "ABC123@()"
    assert to_halfwidth("客户\u3000名称") == "客户 名称"


def test_clean_text_strips_and_folds_whitespace():
    assert clean_text("  华东\t\n 贸易\u200b  ") == "华东 贸易"
    assert clean_text("\ufeffＡＢＣ") == "ABC"
    assert clean_text(None) == ""
    assert clean_text(42) == "42"


def test_clean_multiline_keeps_line_breaks():
    assert clean_multiline("  第一行  \n\n  第二　行 ") == "第一行\n\n第二 行"


def test_clean_text_is_the_character_rule_on_any_text():
    """to_halfwidth and clean_text (str.translate) against the rule, one character at a time."""
    import random
    import re

    def halfwidth(value: str) -> str:
        out = []
        for ch in value:
            code = ord(ch)
            if code == 0x3000:
                out.append(" ")
            elif 0xFF01 <= code <= 0xFF5E:
                out.append(chr(code - 0xFEE0))
            else:
                out.append(ch)
        return "".join(out)

    def reference(value: str) -> str:
        text = halfwidth(value).replace("\u200b", "").replace("\ufeff", "")
        return re.sub(r"\s+", " ", text).strip()

    alphabet = "aZ9 @.-\t\n\u3000\u200b\ufeff\uff01\uff21\uff5e\uff5f\uff00客户华东（）１２"
    cells = ["", "  ", "ＡＢＣ　１２３", "a\u200bb\ufeffc", "x \t\n y", "中型企业（100-500人）",
             "\u3000潜在客户\u3000", "２０２５年３月５日"]  # fmt: skip
    for value in cells:
        assert clean_text(value) == reference(value), repr(value)
    rng = random.Random(7)
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert to_halfwidth(value) == halfwidth(value), repr(value)
        assert clean_text(value) == reference(value), repr(value)
