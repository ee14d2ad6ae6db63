"""Text clean-up shared by every input path: full-width forms, stray whitespace."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")


_HALFWIDTH: dict[int, str | int] = {0x3000: " "}
_HALFWIDTH.update({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})


def to_halfwidth(value: str) -> str:
    """Full-width ASCII forms (ＡＢＣ１２３＠) and the ideographic space become their ASCII forms."""
    return value if value.isascii() else value.translate(_HALFWIDTH)


def clean_text(value: Any) -> str:
    """Strip, fold runs of whitespace to one space, and turn full-width ASCII into half-width."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii():
        text = text.translate(_HALFWIDTH).replace("\u200b", "").replace("\ufeff", "")
    return _SPACES.sub(" ", text).strip()


def clean_multiline(value: Any) -> str:
    """Like clean_text, but keeps line breaks (notes, summaries)."""
    if value is None:
        return ""
    lines = [_SPACES.sub(" ", to_halfwidth(line)).strip() for line in str(value).splitlines()]
    return "\n".join(lines).strip()


def nfkc_lower(value: str) -> str:
    return unicodedata.normalize("NFKC", value).lower()
