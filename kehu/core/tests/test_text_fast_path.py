"""clean_text's fast path (printable text with nothing to fold returned as it is, the half-width
table applied only when a full-width form is there) gives what the one plain path gave: every
BMP character alone and between others, random strings of awkward characters, every cell of a
generated import file, and values that are not strings."""

from __future__ import annotations

import csv
import random
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from kehu.core import text as text_module
from kehu.core.text import clean_text
from kehu.customers.models import Customer

GENERATOR = Path(__file__).resolve().parents[3].parent / "shared/data/gen_cn_customers.py"
SANDBOX_GENERATOR = Path(__file__).resolve().parents[2] / "sandbox/gen_cn_customers.py"
_SPACES = re.compile(r"\s+")


def reference(value: Any) -> str:
    """clean_text before the fast path, word for word."""
    if value is None:
        return ""
    text = str(value)
    if not text.isprintable():
        text = text.translate(text_module._CLEAN)
    elif not text.isascii():
        text = text.translate(text_module._HALFWIDTH)
    return _SPACES.sub(" ", text).strip()


def _same(value: Any) -> None:
    assert clean_text(value) == reference(value), repr(value)
    assert type(clean_text(value)) is str


def test_every_bmp_character_alone_and_among_others() -> None:
    for code in range(0x10000):
        char = chr(code)
        for value in (char, f"a{char}b", f" {char} ", f"中{char}{char}文", f"{char}  {char}"):
            _same(value)


def test_random_strings_of_awkward_characters() -> None:
    alphabet = [
        " ", "  ", "\t", "\n", "\r", "\u3000", "\xa0", "\u2028", "\u200b", "\ufeff", "\u202e",
        "\u2066", "Ａ", "１", "～", "！", "\uff5f", "\uff00", "a", "Z", "9", "中", "文", "、",
        "\x00", "\x07", "\x1f", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\u00ad", "\u2060",
        "\U0001f600", "\U00020000", "\ue000", "-", "@", ".",
    ]  # fmt: skip
    rng = random.Random(21)
    for _ in range(50_000):
        _same("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))


def test_every_cell_of_a_generated_file(tmp_path: Path) -> None:
    generator = GENERATOR if GENERATOR.exists() else SANDBOX_GENERATOR
    args = ["--customers", "3000", "--contacts", "0", "--interactions", "0", "--orders", "0"]
    args += ["--events", "0", "--seed", "99", "--out", str(tmp_path)]
    subprocess.run([sys.executable, str(generator), *args], check=True, capture_output=True)
    cells = 0
    with (tmp_path / "customers.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            for cell in row.values():
                _same(cell)
                _same(f" {cell}　")  # a leading space and a trailing ideographic space
                cells += 1
    assert cells > 40_000


def test_values_that_are_not_plain_strings() -> None:
    class Marked(str):
        def __str__(self) -> str:
            return "marked"

    for value in (None, 0, 12.5, Decimal("1.50"), Customer.Status.LEAD, Marked("x"), b"ab", "",
                  " ", "\u3000"):  # fmt: skip
        _same(value)
