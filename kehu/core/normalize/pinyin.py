"""Pinyin of Chinese text, cached: per character for matching keys, per word for search.

pinyin_of() reads every character on its own (one cached lookup each): matching compares two
keys made the same way, so speed matters more than heteronyms. pinyin_keys() segments the text
into words first (pypinyin's forward maximum match) so a search index holds 重庆 as chongqing,
the way people type it.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.seg.mmseg import seg as _mmseg
from pypinyin.seg.simpleseg import seg as _simpleseg

from .text import CJK_RUN, has_cjk, is_cjk


@lru_cache(maxsize=30_000)
def _char_pinyin(ch: str) -> str:
    return pinyin(ch, style=Style.NORMAL, strict=False)[0][0]


@lru_cache(maxsize=200_000)
def pinyin_of(text: str, *, sep: str = "") -> str:
    """'华信软件' -> 'huaxinruanjian'; Latin letters and digits pass through (lower case)."""
    out: list[str] = []
    latin: list[str] = []
    for ch in text:
        if is_cjk(ch):
            if latin:
                out.append("".join(latin))
                latin = []
            out.append(_char_pinyin(ch))
        elif ch.isalnum():
            latin.append(ch.lower())
        elif latin:
            out.append("".join(latin))
            latin = []
    if latin:
        out.append("".join(latin))
    return sep.join(out)


@lru_cache(maxsize=200_000)
def word_pinyin(word: str) -> tuple[str, ...]:
    """The syllables of one word (lazy_pinyin costs ~0.5 ms a call; words repeat)."""
    return tuple(s for s in lazy_pinyin(word, errors="ignore") if s.isascii() and s.isalnum())


def pinyin_keys(value: str) -> tuple[str, str]:
    """('tengxunkeji', 'txkj') for a Chinese key; ('', '') when it has no Chinese."""
    if not value or not has_cjk(value):
        return "", ""
    syllables = [
        s for run in CJK_RUN.findall(value) for w in _mmseg.cut(run) for s in word_pinyin(w)
    ]
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:100]


def name_sort_key(name: str) -> str:
    """The key a list sorts names by: their pinyin, one syllable per character, so 阿里 (a li)
    comes before 北京 (bei jing) and 华信 (hua xin) before 华夏 (hua xia)'s followers the way a
    dictionary orders them; Latin names sort by their letters."""
    return pinyin_of(name or "", sep=" ")[:400]


@lru_cache(maxsize=50_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(word))


def name_pinyin(name: str) -> str:
    """'王建国' -> 'wang jianguo' (surname, then the given name); other scripts pass through.

    lazy_pinyin(name), word by word with each word's syllables remembered: people's names
    repeat little, their surnames and characters a lot. lazy_pinyin itself segments a text
    (simpleseg: runs of Chinese cut into dictionary phrases and single characters) and converts
    word by word, and a word so cut is cut into itself again (kehu/intake/tests/
    test_bulk_rows.py compares the two over a generated file's names and random text)."""
    if not name:
        return ""
    syllables = [s for word in _simpleseg(name) for s in _word_syllables(word)]
    if len(syllables) >= 2 and all(s.isalpha() for s in syllables):
        return (syllables[0] + " " + "".join(syllables[1:])).lower()[:200]
    return " ".join(syllables).lower()[:200]
