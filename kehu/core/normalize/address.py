"""Addresses: Chinese (region words, road and number) and Western (number, street, locality,
postcode), and the city a name or an address names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

from .pinyin import pinyin_of
from .regions import CITIES, DISTRICT_SUFFIXES, leading_region, strip_leading_regions
from .text import NOT_WORD, fold, has_cjk

# Whole-word pinyin, so heteronyms read as in the place name: 厦门 xiamen, 重庆 chongqing.
_CITY_KEYS = {name: "".join(lazy_pinyin(name)) for name in CITIES}
_LATIN_CITY_KEYS = frozenset(_CITY_KEYS.values())
_BRACKETED = re.compile(r"\(([^()]{2,8})\)")  # fold() makes （） ASCII

_ROAD = re.compile(
    r"([\u4e00-\u9fff]{1,8}?(?:大道|大街|路|街|道|巷|弄|里|村))(\d+)(?:(?:之|-|~)\d+)?[号#]"
)
_ROAD_LATIN = re.compile(
    r"(?:no\.?\s*)?(\d+)[,\s]+((?:[a-z]+\s+){1,3}?)(road|rd|street|st|avenue|ave|lane|ln|"
    r"boulevard|blvd|drive|dr|way|lu|jie|dadao)\b"
)
_LATIN_ROAD_SUFFIX = {"road": "lu", "rd": "lu", "street": "jie", "st": "jie", "avenue": "dadao",
                      "ave": "dadao", "lane": "xiang", "ln": "xiang"}  # fmt: skip


@lru_cache(maxsize=200_000)
def address_forms(address: str) -> tuple[str, str]:
    """(normalised address, street key) of an address.

    '广东省深圳市南山区科技路716號A座' -> ('科技路716号a座', 'kejilu716');
    'No. 716 Keji Road, Futian District' -> (..., 'kejilu716'). Region words, 號, full-width
    forms, spaces and punctuation do not matter.
    """
    compact = address_compact(address)
    if not compact:
        return "", ""
    if has_cjk(fold(address)):
        match = _ROAD.search(compact)
        return compact, f"{pinyin_of(match.group(1))}{match.group(2)}" if match else ""
    text = " ".join(NOT_WORD.sub(" ", fold(address)).split())
    match = _ROAD_LATIN.search(text)
    key = ""
    if match:
        road = "".join(match.group(2).split())
        key = f"{road}{_LATIN_ROAD_SUFFIX.get(match.group(3), match.group(3))}{match.group(1)}"
    return compact, key


@lru_cache(maxsize=200_000)
def address_compact(address: str) -> str:
    """address_forms' normalised address alone (no pinyin: cheap enough for every candidate of
    an import's batch): region words, spaces, punctuation and full-width forms aside."""
    text = fold(address)
    if not text:
        return ""
    if not has_cjk(text):
        return "".join(NOT_WORD.sub(" ", text).split())
    compact = strip_leading_regions(NOT_WORD.sub("", text))
    for _ in range(2):
        for suffix in DISTRICT_SUFFIXES:
            index = compact.find(suffix)
            if 1 <= index <= 4:
                compact = compact[index + len(suffix) :]
                break
    return compact


@lru_cache(maxsize=20000)
def city_key(city: str) -> str:
    """'深圳市' / '深圳' / 'Shenzhen' -> 'shenzhen'."""
    text = NOT_WORD.sub("", fold(city))
    for suffix in ("市", "地区", "shi", "city"):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return _CITY_KEYS.get(text) or pinyin_of(text)


@lru_cache(maxsize=100_000)
def city_from_text(text: str) -> str:
    """The city named at the start of a name or address ('广东省深圳市…' -> 'shenzhen'), or in
    its brackets ('星辰科技（北京）有限公司' -> 'beijing')."""
    folded = NOT_WORD.sub("", fold(text))
    for _ in range(3):
        region = leading_region(folded)
        if not region or folded[len(region) : len(region) + 1] in ("区", "县"):
            break
        bare = region.rstrip("省市")
        if bare in _CITY_KEYS:
            return _CITY_KEYS[bare]
        folded = folded[len(region) :]
    for inner in _BRACKETED.findall(fold(text)):  # 星辰科技（北京）有限公司
        bare = NOT_WORD.sub("", inner).rstrip("省市")
        if bare in _CITY_KEYS:
            return _CITY_KEYS[bare]
    if not has_cjk(folded):
        # English: 'No. 347 Renmin Road, Tianhe District, Tianjin' -> the last city word.
        for word in reversed(NOT_WORD.sub(" ", fold(text)).split()):
            if word in _LATIN_CITY_KEYS:
                return word
    return ""


# --- Western addresses in one line: '52 Florey Drive, North Stirling Downs, Coolaroo QLD 2259'.

_STREET_TYPES = frozenset(
    "street st road rd avenue ave drive dr lane ln place pl court ct crescent cres circuit cct "
    "close cl way parade pde terrace tce boulevard blvd highway hwy square sq grove gr".split()
)
_STATES = frozenset(
    "nsw vic qld wa sa tas act nt al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma "
    "mi mn ms mo mt ne nv nh nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wv wi wy".split()
)
_NUMBER = re.compile(r"^(?:\d+[a-z]?/)?(\d+)[a-z]?\b")
_POSTCODE = re.compile(r"^\d{4,6}$")


@dataclass(frozen=True)
class AddressParts:
    """The parts of a Western address the person matcher compares, each folded and compact."""

    number: str = ""  # house number: '52' of '2/52 florey drive'
    street: str = ""  # 'floreydrive'
    extra: str = ""  # building, estate, unit line: 'northstirlingdowns'
    locality: str = ""  # suburb or town: 'coolaroo'
    postcode: str = ""
    state: str = ""


@lru_cache(maxsize=200_000)
def address_parts(address: str, city: str = "") -> AddressParts:
    """Split a one-line Western address; '' parts where it does not say. Chinese -> empty."""
    text = fold(address).strip()
    if not text or has_cjk(text):
        return AddressParts()
    segments = [s.strip() for s in re.split(r"[,;\n]+", text) if s.strip()]
    if not segments:
        return AddressParts()
    last = segments[-1].split()
    postcode = state = ""
    if last and _POSTCODE.match(last[-1]):
        postcode = last.pop()
    if last and last[-1] in _STATES and (postcode or len(segments) > 1):
        state = last.pop()
    if len(segments) == 1:
        # No commas: the street ends at its type word ('drive'), the locality follows.
        words = last
        end = next((i + 1 for i, w in enumerate(words) if w in _STREET_TYPES and i > 0), 0)
        first, locality_words, extra = " ".join(words[:end]) or " ".join(words), words[end:], ""
        if not end:
            locality_words = []
    else:
        first, middle = segments[0], segments[1:-1]
        locality_words = last
        if not locality_words and middle:  # 'Coolaroo, QLD 2259'
            locality_words = middle.pop().split()
        extra = " ".join(middle)
    match = _NUMBER.match(first)
    number = match.group(1) if match else ""
    street = first[match.end() :] if match else first
    locality = "".join(locality_words) or fold(city)
    return AddressParts(
        number=number,
        street=NOT_WORD.sub("", street),
        extra=NOT_WORD.sub("", extra),
        locality=NOT_WORD.sub("", locality),
        postcode=postcode,
        state=state,
    )
