"""The short cuts of kehu.core.fast_fields give exactly the libraries' results: every 4-digit
prefix of an 11-digit number starting 13-19 with random endings, the numbers and addresses of a
generated import file, and odd values, each through parse_phone / normalize_email and through
the library path alone (parse_phone_library, normalize_email_library)."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kehu.core import validators
from kehu.core.fast_fields import cn_mobile_fast, email_fast
from kehu.core.text import clean_text
from kehu.core.validators import (
    normalize_email,
    normalize_email_library,
    parse_phone,
    parse_phone_library,
)

GENERATOR = Path(__file__).resolve().parents[3].parent / "shared/data/gen_cn_customers.py"
SANDBOX_GENERATOR = Path(__file__).resolve().parents[2] / "sandbox/gen_cn_customers.py"


def _outcome(call: Any, value: str) -> tuple[str, Any]:
    try:
        return "ok", call(value)
    except ValidationError as exc:
        return "error", (exc.code, exc.messages)


def _both_phone(value: str) -> None:
    validators._PARSED.clear()
    text = clean_text(value)
    library = _outcome(lambda v: parse_phone_library(clean_text(v), "CN"), value)
    assert _outcome(parse_phone, value) == library, value
    assert _outcome(parse_phone, value) == library, value  # from the memo
    fast = cn_mobile_fast(text, "CN")
    if fast is not None:
        assert ("ok", fast) == library, value


def _both_email(value: str) -> None:
    library = _outcome(lambda v: normalize_email_library(clean_text(v)), value)
    assert _outcome(normalize_email, value) == library, value
    fast = email_fast(clean_text(value))
    if fast is not None:
        assert ("ok", fast) == library, value


def test_every_mobile_prefix_gives_the_library_result() -> None:
    rng = random.Random(21)
    shortcut = 0
    for prefix in range(1300, 2000):
        for _ in range(10):
            number = f"{prefix}{rng.randrange(10**7):07d}"
            _both_phone(number)
            shortcut += cn_mobile_fast(number, "CN") is not None
    assert shortcut > 4000  # the short cut is taken for most of them (179, invalid: not)


ODD_PHONES = [
    "17912345678", "17900000000", "11012345678", "12012345678", "10012345678", "1380013800",
    "138001380000", "+8613800138000", "8613800138000", "008613800138000", "138 0013 8000",
    "138-0013-8000", "１３８００１３８０００", "13800138000转8", "13800138000 ext 12",
    "13800138000/0571-88886666", "0755-86001234", "010-88888888-123", "(029)74103153-4104",
    "86001234", "138****5678", "14012345678", "14412345678", "16012345678", "16212345678",
    "17412345678", "19212345678", "19912345678", "15412345678", "13800138000\u200b", "",
    "abc", "1٣800138000", "13800138000 ",
]  # fmt: skip

ODD_EMAILS = [
    "Wang.JianGuo@Example.COM", "a@b", "a@b.c", "a@localhost", "x@test", "x@example.invalid",
    "x@example.local", "x@123.456", "x@-bad.com", "x@bad-.com", "x@bad..com", ".a@b.com",
    "a.@b.com", "a..b@b.com", "a@b.com.", "@b.com", "a@", "a", "a@@b.com", "a b@c.com",
    "a+tag@c.com", "a_b-c@c.com", "\"q\"@c.com", "a@[1.2.3.4]", "王@例子.中国", "a@例子.中国",
    "a@xn--fsqu00a.xn--fiqs8s", "a@EXAMPLE.com", "POSTMASTER@example.com", "x" * 64 + "@c.com",
    "x" * 65 + "@c.com", "a@" + "b" * 63 + ".com", "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["b" * 60] * 4) + ".com", "a@c_d.com", "a@c.123", "a@c.co1",
    "Name <a@c.com>", "a@c.com ", "ａ@c.com", "a@c.com，", "a@c.onion", "a@c.arpa",
]  # fmt: skip


@pytest.mark.parametrize("value", ODD_PHONES)
def test_odd_phones_give_the_library_result(value: str) -> None:
    _both_phone(value)


@pytest.mark.parametrize("value", ODD_EMAILS)
def test_odd_emails_give_the_library_result(value: str) -> None:
    _both_email(value)


def test_generated_file_gives_the_library_results(tmp_path: Path) -> None:
    generator = GENERATOR if GENERATOR.exists() else SANDBOX_GENERATOR
    args = ["--customers", "3000", "--contacts", "0", "--interactions", "0", "--orders", "0"]
    args += ["--events", "0", "--seed", "7", "--out", str(tmp_path)]
    subprocess.run([sys.executable, str(generator), *args], check=True, capture_output=True)
    phones = emails = fast = 0
    with (tmp_path / "customers.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["决策人联系方式"]:
                _both_phone(row["决策人联系方式"])
                phones += 1
            if row["邮箱"]:
                _both_email(row["邮箱"])
                emails += 1
                _both_email(row["邮箱"].upper())
                fast += email_fast(clean_text(row["邮箱"])) is not None
    assert phones > 2000 and emails > 1000 and fast > emails * 0.9


def test_random_ascii_addresses_give_the_library_results() -> None:
    rng = random.Random(5)
    alphabet = "abcXYZ019-_.+"
    tlds = ["com", "cn", "COM", "local", "test", "arpa", "onion", "invalid", "localhost", "c1",
            "123", "x", "中国", "xn--fiqs8s", "co-op", "a-", "museum"]  # fmt: skip
    for _ in range(4000):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12)))
        labels = [
            "".join(rng.choice("ab9-") for _ in range(rng.randrange(1, 6)))
            for _ in range(rng.randrange(0, 3))
        ]
        domain = ".".join([*labels, rng.choice(tlds)])
        _both_email(f"{local}@{domain}")
