"""People's names: Chinese (surname, forms of address, titles) and Western (given and family
name in either order, initials, nicknames).

person_keys() gives the keys a contact is compared by; person_name() splits an individual
customer's name into the parts the person matcher compares (kehu.customers.matching).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .pinyin import pinyin_of
from .text import NOT_WORD as _NOT_WORD
from .text import fold, has_cjk, is_cjk

_TITLE_WORDS = (
    "董事长",
    "总经理",
    "总裁",
    "总监",
    "经理",
    "主管",
    "主任",
    "工程师",
    "专员",
    "助理",
    "秘书",
    "会计",
    "厂长",
    "部长",
    "ceo",
    "cto",
    "cfo",
    "manager",
    "director",
)
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 慕容 令狐 皇甫 尉迟 公孙 夏侯 长孙 司徒 端木 独孤 南宫 西门 轩辕".split()
)
_HONORIFICS = (
    "总经理",
    "经理",
    "总监",
    "先生",
    "女士",
    "小姐",
    "老师",
    "主任",
    "老板",
    "总",
    "工",
    "董",
)


_TITLE_PATTERN = re.compile("|".join(_TITLE_WORDS))


def looks_like_title(text: str) -> bool:
    return _TITLE_PATTERN.search(text) is not None


@lru_cache(maxsize=200_000)
def person_forms(name: str) -> tuple[str, str, str]:
    """(simplified full name, order-free pinyin key, surname key) of a person's name.

    '王建国' -> ('王建国', 'jianguo|wang', 'wang'); 'Wang Jianguo' and 'Jianguo Wang' give the same
    pinyin key; '王总' (surname and form of address) gives ('', '', 'wang').
    """
    text = _NOT_WORD.sub(" ", fold(name)).strip()
    if not text:
        return "", "", ""
    if has_cjk(text):
        text = text.replace(" ", "")
        compound = text[:2] in _COMPOUND_SURNAMES
        if looks_like_title(text) and len(text) >= (5 if compound else 4):
            return "", "", ""
        for honorific in _HONORIFICS:
            if text.endswith(honorific) and 2 <= len(text) <= len(honorific) + 2:
                surname = text[: -len(honorific)]
                if 1 <= len(surname) <= 2:
                    return "", "", pinyin_of(surname)
        surname_length = 2 if compound and len(text) >= 3 else 1
        surname, given = text[:surname_length], text[surname_length:]
        parts = sorted([pinyin_of(surname), pinyin_of(given)])
        return text, "|".join(parts), pinyin_of(surname)
    tokens = text.split()
    if len(tokens) == 1:
        return text, tokens[0], ""
    # Latin: 'wang jianguo' / 'jianguo wang' / 'jian guo wang': surname first or last.
    joined_first = [tokens[0], "".join(tokens[1:])]
    return (
        text,
        "|".join(sorted(joined_first)) + "/" + "|".join(sorted([tokens[-1], "".join(tokens[:-1])])),
        "",
    )


@lru_cache(maxsize=200_000)
def person_keys(name: str, title: str = "") -> tuple[list[str], list[str]]:
    """Comparable keys of a contact: (full-name keys, surname-only keys).

    A name and title written in each other's fields are swapped back.
    """
    if looks_like_title(name) and title and not looks_like_title(title):
        name = title
    full, key, surname = person_forms(name)
    if not full and not key:
        return [], [surname] if surname else []
    keys = [k for k in key.split("/") if k]
    return keys, [surname] if surname else []


# --- Individual customers: given and family name in either order.

# Common English nicknames and short forms -> the full given name they stand for.
_NICKNAMES_BY_NAME = {
    "alexander": "alex alec sandy xander", "alexandra": "alex alexa lexi sandra sandy",
    "abigail": "abby abbie gail", "andrew": "andy drew", "anthony": "tony ant",
    "barbara": "barb babs", "benjamin": "ben benny benji", "catherine": "cathy kate katie cat",
    "katherine": "kathy kate katie kat", "charles": "charlie chuck chas", "christopher": "chris kit",
    "christine": "chris chrissy tina", "daniel": "dan danny", "david": "dave davy",
    "deborah": "deb debbie", "donald": "don donnie", "dorothy": "dot dottie",
    "edward": "ed eddie ted ned", "elizabeth": "liz lizzie beth betty eliza libby bess",
    "eleanor": "ellie nell nora", "frederick": "fred freddie", "gabriel": "gabe",
    "gregory": "greg", "henry": "harry hank", "isabella": "bella izzy isabel",
    "jacob": "jake", "james": "jim jimmy jamie", "jennifer": "jen jenny", "jessica": "jess jessie",
    "john": "jack johnny jon", "jonathan": "jon jonny", "joseph": "joe joey", "joshua": "josh",
    "kenneth": "ken kenny", "lawrence": "larry", "leonard": "leo len lenny",
    "madeleine": "maddie madi", "margaret": "maggie meg peggy marge", "matthew": "matt",
    "michael": "mike mick mickey", "nathan": "nate", "nicholas": "nick nicky",
    "patricia": "pat patty trish", "patrick": "pat paddy", "peter": "pete",
    "rebecca": "becky becca", "richard": "rick dick rich richie", "robert": "bob rob bobby robbie",
    "ronald": "ron ronnie", "samantha": "sam sammy", "samuel": "sam sammy", "stephen": "steve",
    "steven": "steve", "susan": "sue susie", "thomas": "tom tommy", "timothy": "tim timmy",
    "victoria": "vicky tori", "william": "bill will billy willy liam", "zachary": "zach zack",
}  # fmt: skip
NICKNAMES = {short: full for full, shorts in _NICKNAMES_BY_NAME.items() for short in shorts.split()}
_SPLIT = re.compile(r"[\s,;/]+")
_LATIN_TITLES = frozenset("mr mrs ms miss dr prof sir madam mx".split())


@dataclass(frozen=True)
class PersonName:
    """A person's name as the matcher compares it (folded, Latin letters: pinyin for Chinese).

    first and last are the name's first and last word as written (given and family name in the
    usual Western order, surname first for Chinese), so either order of the two must be tried.
    """

    first: str = ""
    last: str = ""

    @property
    def key(self) -> str:
        """Order-free: the two parts sorted ('smith|john' for 'John Smith' and 'Smith John')."""
        return "|".join(sorted(p for p in (self.first, self.last) if p))


def nickname_of(word: str) -> str:
    """'bill' -> 'william'; a full name stands for itself."""
    return NICKNAMES.get(word, word)


@lru_cache(maxsize=200_000)
def person_name(name: str) -> PersonName:
    """'John Smith' -> (john, smith); 'Smith, John' -> (john, smith); '王建国' -> (wang, jianguo).

    Titles (Mr, Dr) are dropped; a hyphenated or apostrophe'd word is one word ('alexa-rose',
    "o'brien"); middle names are left out; 'J.' stays the initial 'j'.
    """
    text = fold(name).strip()
    if not text:
        return PersonName()
    if has_cjk(text):
        cjk = "".join(ch for ch in text if is_cjk(ch))
        surname_length = 2 if cjk[:2] in _COMPOUND_SURNAMES and len(cjk) >= 3 else 1
        return PersonName(pinyin_of(cjk[:surname_length]), pinyin_of(cjk[surname_length:]))
    surname_first = "," in text
    parts = [_NOT_WORD.sub("", p) for p in _SPLIT.split(text)]
    parts = [p for p in parts if p and p not in _LATIN_TITLES]
    if not parts:
        return PersonName()
    if len(parts) == 1:
        return PersonName(parts[0], "")
    if surname_first:
        return PersonName(parts[1], parts[0])
    return PersonName(parts[0], parts[-1])


_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


@lru_cache(maxsize=200_000)
def soundex(word: str) -> str:
    """American Soundex: 'robert' and 'rupert' -> 'r163' (blocking key for names with typos)."""
    letters = "".join(ch for ch in word.lower() if "a" <= ch <= "z")
    if not letters:
        return ""
    codes = letters.translate(_SOUNDEX)
    out, last = [], codes[0]
    for ch, code in zip(letters[1:], codes[1:], strict=True):
        if code.isdigit() and code != last:
            out.append(code)
        if ch not in "hw":
            last = code
    return (letters[0] + "".join(out) + "000")[:4]
