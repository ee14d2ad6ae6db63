"""Text forms every comparison starts from: width, script, case, punctuation, brackets.

Traditional characters become simplified ones through OpenCC's own character table
(TSCharacters.txt, each character's first simplified form), applied with str.translate: one
table lookup per character, so a million names convert in about a second. It is the only 繁→简
converter in Kehu; the phrase table is not used (a name is compared with a name, both converted
the same way, so a phrase-dependent form changes nothing for matching or search).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from kehu.core.text import clean_text

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
_CJK_CHAR = re.compile(f"[{CJK}]")
NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Every bracket people type around a note or a region: () （） [] 【】 〔〕 {} 〈〉 《》.
_OPEN = "(（[【〔{〈《"
_CLOSE = ")）]】〕}〉》"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPEN, "("), **dict.fromkeys(_CLOSE, ")")})


def _load_t2s() -> dict[int, str]:
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _tab, values = line.partition("\t")
        if len(key) == 1 and values:
            target = values.split(" ")[0]
            if len(target) == 1 and target != key:
                table[ord(key)] = target
    return table


_T2S = _load_t2s()
# Most text has no traditional character: a set test (0.3 µs a name) spares the translate (0.9).
_TRADITIONAL = frozenset(chr(c) for c in _T2S)


def to_simplified(text: str) -> str:
    """'騰訊科技' -> '腾讯科技' (OpenCC's character table)."""
    return text.translate(_T2S)


@lru_cache(maxsize=4096)  # a name is folded by several normalisers in a row
def fold(text: str) -> str:
    """NFKC (full-width -> half-width), simplified characters, lower case."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if not _TRADITIONAL.isdisjoint(text):
        text = text.translate(_T2S)
    return text.lower()


def unify_brackets(text: str) -> str:
    """Every kind of bracket as ( and ): '华信（深圳）' / '华信【深圳】' -> '华信(深圳)'."""
    return text.translate(_BRACKETS)


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def has_cjk(value: str) -> bool:
    return bool(_CJK_CHAR.search(value))


def compact(value: str) -> str:
    """A key: no spaces and punctuation ('tencent co., ltd.' -> 'tencentcoltd'), 200 at most."""
    return NOT_WORD.sub("", value)[:200]


def search_normalize(value: Any) -> str:
    """The text form of the search index and of queries: cleaned (kehu.core.text), half-width,
    simplified, NFKC, lower case; spaces kept."""
    if value is None:
        return ""
    return fold(clean_text(value))


@lru_cache(maxsize=200_000)
def words(text: str) -> tuple[str, ...]:
    """Folded words without punctuation: 'O'Brien-Smith, J.' -> ('o', 'brien', 'smith', 'j')."""
    return tuple(NOT_WORD.sub(" ", fold(text)).split())
