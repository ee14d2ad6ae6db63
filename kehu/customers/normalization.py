"""Comparable forms of names, people, phones, e-mails and addresses (Chinese and English).

Every function is pure and cached, so the whole-database scan can normalise a million records in
seconds. Traditional characters become simplified ones through OpenCC's own character table
(TSCharacters), applied with str.translate; pinyin comes from pypinyin, one character at a time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin, pinyin

from .regions import CITIES, CITY_SUFFIXES, DISTRICT_SUFFIXES, PROVINCE_SUFFIXES, PROVINCES

# --- Traditional -> simplified (OpenCC's character table).


def _load_t2s() -> dict[int, str]:
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            target = parts[1].split(" ")[0]
            if len(target) == 1 and target != parts[0]:
                table[ord(parts[0])] = target
    return table


_T2S = _load_t2s()


def to_simplified(text: str) -> str:
    """'騰訊科技' -> '腾讯科技' (OpenCC character table)."""
    return text.translate(_T2S)


def fold(text: str) -> str:
    """NFKC (full-width -> half-width), simplified characters, lower case."""
    return to_simplified(unicodedata.normalize("NFKC", text or "")).lower()


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=20000)
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


# --- Region words.


def _region_forms() -> tuple[tuple[str, ...], tuple[str, ...]]:
    chinese: set[str] = set()
    for name in PROVINCES:
        chinese.add(name)
        chinese.update(name + s for s in PROVINCE_SUFFIXES)
    for name in CITIES:
        chinese.add(name)
        chinese.update(name + s for s in CITY_SUFFIXES)
    latin = {pinyin_of(name) for name in set(PROVINCES) | set(CITIES)}
    latin |= {"".join(lazy_pinyin(name)) for name in set(PROVINCES) | set(CITIES)}
    # Longest first, so 广东省 goes before 广东 and 黑龙江 before 黑.
    return tuple(sorted(chinese, key=len, reverse=True)), tuple(
        sorted(latin, key=len, reverse=True)
    )


_REGIONS_CN, _REGIONS_LATIN = _region_forms()
_REGION_SET_LATIN = frozenset(_REGIONS_LATIN) | {"province", "city", "shi", "sheng"}
# Whole-word pinyin, so heteronyms read as in the place name: 厦门 xiamen, 重庆 chongqing.
_CITY_KEYS = {name: "".join(lazy_pinyin(name)) for name in CITIES}
_LATIN_CITY_KEYS = frozenset(_CITY_KEYS.values())


_REGION_SET_CN = frozenset(_REGIONS_CN)
_REGION_LENGTHS = tuple(sorted({len(r) for r in _REGIONS_CN}, reverse=True))


def leading_region(text: str) -> str:
    """The longest province or city name (with or without 省/市) that `text` starts with."""
    for length in _REGION_LENGTHS:
        if len(text) > length and text[:length] in _REGION_SET_CN:
            return text[:length]
    return ""


def trailing_region(text: str) -> str:
    for length in _REGION_LENGTHS:
        if len(text) > length and text[-length:] in _REGION_SET_CN:
            return text[-length:]
    return ""


def strip_leading_regions(text: str) -> str:
    """'广东省深圳市华信' -> '华信'; at most three region words, never the whole name."""
    for _ in range(3):
        region = leading_region(text)
        if not region or len(text) <= len(region) + 1:
            break
        text = text[len(region) :]
    return text


# --- Company names.

_BRACKETS = re.compile(r"[(\[{【〔][^()\[\]{}【】〔〕]*[)\]}】〕]")
_LEGAL_CN = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份公司",
    "有限公司",
    "分公司",
    "总公司",
    "集团",
    "公司",
    "企业",
)
_LEGAL_LATIN = re.compile(
    r"(?:\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|liability|llc|plc|gmbh|"
    r"group|holdings?|pte|pty|sa|ag|bv|youxian|zeren|gufen|gongsi|jituan)\b[\s.,&]*)+$"
)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Business words of English company names and the Chinese they translate, as pinyin, so that
# 'Huaxin Software' and '华信软件' compare alike (on their pinyin key).
_GLOSSARY = {
    "information technology": "xinxijishu", "technology": "keji", "technologies": "keji",
    "tech": "keji", "science": "keji", "network": "wangluo", "software": "ruanjian",
    "electronics": "dianzi", "electronic": "dianzi", "pharmaceutical": "yiyao",
    "pharmaceuticals": "yiyao", "pharmacy": "yiyao", "medicine": "yiyao",
    "medical devices": "yiliaoqixie", "medical equipment": "yiliaoqixie", "medical": "yiliao",
    "insurance agency": "baoxiandaili", "insurance": "baoxian", "trading": "shangmao",
    "trade": "maoyi", "commerce": "shangmao", "logistics": "wuliu",
    "management consulting": "guanlizixun", "consulting": "zixun", "consultancy": "zixun",
    "education": "jiaoyu", "culture media": "wenhuachuanmei", "media": "chuanmei",
    "culture": "wenhua", "decoration engineering": "zhuangshigongcheng",
    "decoration": "zhuangshi", "construction": "jianshe", "engineering": "gongcheng",
    "machinery": "jixie", "auto parts": "qichepeijian", "automotive": "qiche",
    "automobile": "qiche", "financial leasing": "rongzizulin", "finance": "jinrong",
    "investment": "touzi", "real estate": "fangdichan", "food": "shipin",
    "chemical": "huagong", "materials": "cailiao", "energy": "nengyuan",
    "environmental": "huanbao", "textile": "fangzhi", "garments": "fuzhuang",
    "clothing": "fuzhuang", "furniture": "jiaju", "advertising": "guanggao",
    "catering": "canyin", "hotel": "jiudian", "printing": "yinshua", "packaging": "baozhuang",
    "equipment": "shebei", "industrial": "shiye", "industry": "shiye", "development": "fazhan",
    "services": "fuwu", "service": "fuwu", "digital": "shuzi", "intelligent": "zhineng",
    "smart": "zhineng", "biotechnology": "shengwukeji", "biological": "shengwu",
    "agriculture": "nongye", "tourism": "lvyou", "travel": "lvyou",
}  # fmt: skip
_GLOSSARY_PATTERN = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, _GLOSSARY), key=len, reverse=True)) + r")\b"
)
_LATIN_PREFIX = re.compile(r"^([a-z]+)\s+")


@lru_cache(maxsize=200_000)
def company_core(name: str) -> str:
    """The comparable core of a company name, in simplified characters without spaces.

    '腾讯科技（深圳）有限公司' -> '腾讯科技'; '广东深圳华信软件股份有限公司' -> '华信软件';
    'Shenzhen Huaxin Software Co., Ltd.' -> 'huaxinsoftware'; '騰訊' -> '腾讯'.
    Region in brackets and any other bracketed note ('华信(王总)') are dropped, then leading
    province and city names, then legal forms (Chinese and English), punctuation and spaces.
    """
    text = fold(name)
    text = _BRACKETS.sub(" ", text)
    text = text.replace("(", " ").replace(")", " ")
    if not any(is_cjk(ch) for ch in text):
        # Latin script: legal forms at the end, region words at the start.
        text = _NOT_WORD.sub(" ", text).strip()
        text = _LEGAL_LATIN.sub("", text + " ").strip()
        while True:
            match = _LATIN_PREFIX.match(text)
            if not match or match.group(1) not in _REGION_SET_LATIN or len(text.split()) < 2:
                break
            text = text[match.end() :]
        return _NOT_WORD.sub("", _GLOSSARY_PATTERN.sub(lambda m: _GLOSSARY[m.group(0)], text))
    text = _NOT_WORD.sub("", text)
    text = strip_leading_regions(text)
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_CN:
            if text.endswith(form) and len(text) > len(form) + 1:
                text = text[: -len(form)]
                changed = True
    # A region written after the name without brackets: 华信软件深圳.
    region = trailing_region(text)
    if region and len(text) > len(region) + 1:
        text = text[: -len(region)]
    return text


def company_brand(core: str) -> str:
    """The likely brand at the start of a core: pinyin of two characters, or the first word."""
    if not core:
        return ""
    if is_cjk(core[0]):
        return pinyin_of(core[:2])
    return core[:6] if len(core) >= 4 else ""


def company_key(name: str) -> str:
    """Pinyin of the core: compares Chinese, pinyin and mixed names ('华信软件' = 'Huaxin Ruanjian')."""
    return pinyin_of(company_core(name))


# --- People.

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
    if any(is_cjk(ch) for ch in text):
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


# --- Phones and e-mails.


def phone_base(e164: str) -> str:
    """'+8675586001234;ext=8' -> '+8675586001234'."""
    return (e164 or "").split(";", 1)[0].strip()


def is_mobile(e164: str) -> bool:
    base = phone_base(e164)
    if base.startswith("+86"):
        return len(base) == 14 and base[3] == "1"
    return False


def email_key(email: str) -> str:
    return fold(email).strip()


_FREE_MAIL = frozenset(
    "qq.com 163.com 126.com sina.com sina.cn sohu.com gmail.com hotmail.com outlook.com yahoo.com "
    "foxmail.com aliyun.com 139.com 189.cn yeah.net icloud.com live.com msn.com".split()
)


def email_domain(email: str) -> str:
    """The organisation's domain, or '' for free-mail providers."""
    domain = email_key(email).rpartition("@")[2]
    return "" if domain in _FREE_MAIL else domain


# --- Addresses and cities.

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
    text = fold(address)
    if not text:
        return "", ""
    if any(is_cjk(ch) for ch in text):
        compact = _NOT_WORD.sub("", text)
        compact = strip_leading_regions(compact)
        for _ in range(2):
            for suffix in DISTRICT_SUFFIXES:
                index = compact.find(suffix)
                if 1 <= index <= 4:
                    compact = compact[index + len(suffix) :]
                    break
        match = _ROAD.search(compact)
        key = f"{pinyin_of(match.group(1))}{match.group(2)}" if match else ""
        return compact, key
    text = " ".join(_NOT_WORD.sub(" ", text).split())
    match = _ROAD_LATIN.search(text)
    key = ""
    if match:
        road = "".join(match.group(2).split())
        key = f"{road}{_LATIN_ROAD_SUFFIX.get(match.group(3), match.group(3))}{match.group(1)}"
    return text.replace(" ", ""), key


@lru_cache(maxsize=20000)
def city_key(city: str) -> str:
    """'深圳市' / '深圳' / 'Shenzhen' -> 'shenzhen'."""
    text = _NOT_WORD.sub("", fold(city))
    for suffix in ("市", "地区", "shi", "city"):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return _CITY_KEYS.get(text) or pinyin_of(text)


@lru_cache(maxsize=100_000)
def city_from_text(text: str) -> str:
    """The city named at the start of a name or address ('广东省深圳市…' -> 'shenzhen')."""
    folded = _NOT_WORD.sub("", fold(text))
    for _ in range(3):
        region = leading_region(folded)
        if not region or folded[len(region) : len(region) + 1] in ("区", "县"):
            break
        bare = region.rstrip("省市")
        if bare in _CITY_KEYS:
            return _CITY_KEYS[bare]
        folded = folded[len(region) :]
    if not any(is_cjk(ch) for ch in folded):
        # English: 'No. 347 Renmin Road, Tianhe District, Tianjin' -> the last city word.
        for word in reversed(_NOT_WORD.sub(" ", fold(text)).split()):
            if word in _LATIN_CITY_KEYS:
                return word
    return ""
