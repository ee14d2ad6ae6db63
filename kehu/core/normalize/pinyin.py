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
    syllables = [s for run in CJK_RUN.findall(value) for s in _syllables(run)]
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:100]


# Surnames read otherwise as a surname than pypinyin's commonest reading of the character (曾 is
# zeng in 曾志伟, ceng in 曾经): a person's name is read with these, and its search document keeps
# the common reading too (person_pinyin_keys). Compound surnames are read as a pair.
_SURNAMES = {
    "曾": "zeng", "翟": "zhai", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha",
    "朴": "piao", "覃": "qin", "乐": "yue", "缪": "miao", "盖": "ge", "种": "chong", "召": "shao",
    "员": "yun", "秘": "bi", "繁": "po", "句": "gou", "宿": "su", "隗": "wei", "冼": "xian",
    "洗": "xian", "尉": "wei", "折": "she", "蕃": "pi", "亓": "qi", "阚": "kan", "谌": "chen",
    "逄": "pang", "眭": "sui", "啜": "chuai", "相": "xiang", "长": "chang", "重": "chong",
    "藏": "zang", "都": "du", "薄": "bo", "沈": "shen", "贾": "jia", "柏": "bai", "纪": "ji",
}  # fmt: skip
_COMPOUND_SURNAMES = {
    "尉迟": ("yu", "chi"), "单于": ("chan", "yu"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"), "令狐": ("ling", "hu"), "皇甫": ("huang", "fu"), "欧阳": ("ou", "yang"),
}  # fmt: skip


def surname_read(name: str, syllables: list[str]) -> list[str]:
    """syllables (one per character, from the name's first character on) with the surname read as
    a surname: '曾志伟', [ceng, zhi, wei] -> [zeng, zhi, wei]."""
    if not syllables:
        return syllables
    compound = _COMPOUND_SURNAMES.get(name[:2])
    if compound and len(syllables) >= 2:
        return [*compound, *syllables[2:]]
    reading = _SURNAMES.get(name[:1])
    return [reading, *syllables[1:]] if reading else syllables


def person_pinyin_keys(value: str) -> tuple[str, str, str]:
    """pinyin_keys of a person's name with its surname read as one ('zengzhiwei', 'zzw'), and the
    common reading when it differs ('cengzhiwei czw'; '' when it does not), so both are found."""
    full, initials = pinyin_keys(value)
    if not full or not is_cjk(value[:1]):
        return full, initials, ""
    syllables = [s for run in CJK_RUN.findall(value) for s in _syllables(run)]
    read = surname_read(value, syllables)
    if read == syllables:
        return full, initials, ""
    surnamed = ("".join(read)[:200], "".join(s[0] for s in read)[:100])
    return (*surnamed, f"{full} {initials}")


def _syllables(run: str) -> list[str]:
    return [s for w in _mmseg.cut(run) for s in word_pinyin(w)]


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
    if is_cjk(name[:1]):
        syllables = surname_read(name, syllables)
    if len(syllables) >= 2 and all(s.isalpha() for s in syllables):
        return (syllables[0] + " " + "".join(syllables[1:])).lower()[:200]
    return " ".join(syllables).lower()[:200]
