"""Text clean-up shared by every input path: full-width forms, stray whitespace, and characters
that have no business in stored text (control characters, bidi overrides, lone surrogates)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")


_HALFWIDTH: dict[int, str | int] = {0x3000: " "}
_HALFWIDTH.update({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")  # what _HALFWIDTH changes in printable text
# Free text (notes, summaries) keeps its Chinese punctuation (，：（）！？); only full-width
# letters, digits and the ideographic space are made ASCII.
_ALNUM_HALFWIDTH: dict[int, str | int] = {
    code: half
    for code, half in _HALFWIDTH.items()
    if not isinstance(half, int) or chr(half).isalnum()
}

# Removed from every text: C0 and C1 control characters other than whitespace (a BEL or ESC in a
# name broke every XLSX export holding it), bidi embeddings, overrides and isolates and the
# LRM/RLM marks (they make a name read differently from how it is stored), the zero-width space
# and BOM, and lone UTF-16 surrogates (a JSON body may carry one; no database stores it).
_INVISIBLE = (
    [c for c in range(0x00, 0x20) if not chr(c).isspace()]
    + [0x7F]
    + [c for c in range(0x80, 0xA0) if not chr(c).isspace()]
    + [0x200B, 0x200E, 0x200F, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
    + list(range(0xD800, 0xE000))
)
_DROP: dict[int, None] = dict.fromkeys(_INVISIBLE)
# The control characters alone (no bidi marks, no surrogates): what no request may carry into
# storage whatever field it lands in (PostgreSQL refuses NUL in text; see without_controls).
_CONTROLS: dict[int, None] = dict.fromkeys(
    [c for c in range(0x00, 0x20) if not chr(c).isspace()]
    + [0x7F]
    + [c for c in range(0x80, 0xA0) if not chr(c).isspace()]
)
_CLEAN = {**_HALFWIDTH, **_DROP}


def to_halfwidth(value: str) -> str:
    """Full-width ASCII forms (ＡＢＣ１２３＠) and the ideographic space become their ASCII forms."""
    return value if value.isascii() else value.translate(_HALFWIDTH)


def strip_invisible(value: str) -> str:
    """value without control characters (whitespace kept), bidi controls and lone surrogates."""
    return value if value.isprintable() else value.translate(_DROP)


def without_controls(value: Any) -> Any:
    """value with control characters (not whitespace) removed from every string in it, keys
    included, through dicts and lists: a request's data before any field rule sees it. Lone
    surrogates are left for the API to refuse by name (kehu.core.request_errors)."""
    if isinstance(value, str):
        return value if value.isprintable() or value.isspace() else value.translate(_CONTROLS)
    if isinstance(value, dict):
        return {without_controls(k): without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_controls(v) for v in value]
    return value


def clean_text(value: Any) -> str:
    """Strip, fold runs of whitespace to one space, turn full-width ASCII into half-width, and
    drop control characters, bidi controls and lone surrogates (see _INVISIBLE)."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if not text.isprintable():
        return _SPACES.sub(" ", text.translate(_CLEAN)).strip()
    # Printable text (most cells): its only whitespace is the ASCII space (every other is a
    # separator or control to isprintable()), and the half-width table makes none. Without a
    # double, leading or trailing space there is nothing to fold (test_text_fast_path.py).
    if not text.isascii() and _FULL_WIDTH.search(text):  # a search is ~10 times a translate's speed
        text = text.translate(_HALFWIDTH)
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        return _SPACES.sub(" ", text).strip()
    return text


def clean_multiline(value: Any) -> str:
    """Like clean_text, but for free text (notes, summaries): keeps line breaks and the Chinese
    punctuation people write (，：（）), only full-width letters and digits become ASCII; tabs
    become spaces."""
    if value is None:
        return ""
    text = strip_invisible(str(value))
    lines = [
        _SPACES.sub(" ", line.translate(_ALNUM_HALFWIDTH)).strip() for line in text.splitlines()
    ]
    return "\n".join(lines).strip()


def nfkc_lower(value: str) -> str:
    return unicodedata.normalize("NFKC", value).lower()


_LIST_SEPARATORS = re.compile(r"\s*[、,，;；|]\s*")


def split_list(value: Any) -> list[str]:
    """A list typed in one box, as people type it: 'A、B，C; D' -> ['A', 'B', 'C', 'D'] (empty
    items dropped)."""
    return [item for item in _LIST_SEPARATORS.split(clean_text(value)) if item]
