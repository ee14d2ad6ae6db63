"""Text clean-up shared by every input path: full-width forms, stray whitespace."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")


def to_halfwidth(value: str) -> str:
    """Full-width ASCII forms (ＡＢＣ１２３＠) and the ideographic space become their ASCII forms."""
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


def clean_text(value: Any) -> str:
    """Strip, fold runs of whitespace to one space, and turn full-width ASCII into half-width."""
    if value is None:
        return ""
    text = to_halfwidth(str(value))
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return _SPACES.sub(" ", text).strip()


def clean_multiline(value: Any) -> str:
    """Like clean_text, but keeps line breaks (notes, summaries)."""
    if value is None:
        return ""
    lines = [_SPACES.sub(" ", to_halfwidth(line)).strip() for line in str(value).splitlines()]
    return "\n".join(lines).strip()


def nfkc_lower(value: str) -> str:
    return unicodedata.normalize("NFKC", value).lower()
