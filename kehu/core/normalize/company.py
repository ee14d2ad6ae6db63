"""Company names: the comparable core, its pinyin key and brand, the registered name.

company_core() drops what varies between two records of one company: a region in brackets or in
front (广东省深圳市), legal forms (有限公司, Co., Ltd.), punctuation, spaces, script and width.
company_registered() keeps the whole registered name and drops only what is no part of it
(width, script, case, spaces, punctuation, the kind of bracket): two records with the same
registered name are one legal entity.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

from .pinyin import pinyin_of
from .regions import CITIES, PROVINCES, strip_leading_regions, trailing_region
from .text import NOT_WORD as _NOT_WORD
from .text import fold, has_cjk, is_cjk, unify_brackets

_LATIN_REGIONS = frozenset(
    {pinyin_of(name) for name in set(PROVINCES) | set(CITIES)}
    | {"".join(lazy_pinyin(name)) for name in set(PROVINCES) | set(CITIES)}
    | {"province", "city", "shi", "sheng"}
)


_BRACKETS = re.compile(r"\([^()]*\)")
_LEGAL_CN: tuple[str, ...] = (
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
    text = unify_brackets(fold(name))
    text = _BRACKETS.sub(" ", text)
    text = text.replace("(", " ").replace(")", " ")
    if not has_cjk(text):
        # Latin script: legal forms at the end, region words at the start.
        text = _NOT_WORD.sub(" ", text).strip()
        text = _LEGAL_LATIN.sub("", text + " ").strip()
        while True:
            match = _LATIN_PREFIX.match(text)
            if not match or match.group(1) not in _LATIN_REGIONS or len(text.split()) < 2:
                break
            text = text[match.end() :]
        return _NOT_WORD.sub("", _GLOSSARY_PATTERN.sub(lambda m: _GLOSSARY[m.group(0)], text))
    text = _NOT_WORD.sub("", text)
    text = strip_leading_regions(text)
    while text.endswith(_LEGAL_CN):  # one C-level test; then which form, never all of the name
        form = next((f for f in _LEGAL_CN if text.endswith(f) and len(text) > len(f) + 1), "")
        if not form:
            break
        text = text[: -len(form)]
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


@lru_cache(maxsize=200_000)
def company_registered(name: str) -> str:
    """The registered name as a key: '深圳市华信软件有限公司' and '深圳市 華信軟件 有限公司' alike;
    '' for a name without a legal form ('华信', 'Huaxin Software'), which is no registered name.

    Width, script, case, spaces, punctuation and the kind of bracket do not matter; region words,
    legal forms and the text in brackets do ('华信软件(深圳)有限公司' -> '华信软件深圳有限公司').
    """
    text = fold(name)
    key = _NOT_WORD.sub("", text)[:200]
    if has_cjk(key):
        return key if key.endswith(_LEGAL_CN) else ""
    return key if _LEGAL_LATIN.search(_NOT_WORD.sub(" ", text).strip() + " ") else ""


# The endings of a registered name: legal forms and the other kinds of organisation (schools,
# hospitals, institutes, firms, shops). A name without one is an abbreviation or a brand.
_ORGANISATION_FORMS: tuple[str, ...] = (
    "公司", "集团", "企业", "合伙", "研究院", "研究所", "设计院", "医院", "卫生院", "卫生室",
    "诊所", "门诊部", "学校", "学院", "大学", "中学", "小学", "幼儿园", "事务所", "中心", "厂",
    "店", "商行", "工作室", "经营部", "门市部", "合作社", "协会", "学会", "商会", "基金会",
    "委员会", "银行", "支行", "分行", "办事处", "代表处", "局", "馆", "社", "站",
)  # fmt: skip
_ORGANISATION_LATIN = re.compile(
    r"\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|llp|lp|plc|gmbh|ag|sa|"
    r"bv|pte|pty|kg|srl|spa|oy|university|college|school|hospital|clinic|institute|bank|"
    r"association|foundation|partners|firm|centre|center|group)\b"
)
_TRAILING_BRACKETS = re.compile(r"(?:\([^()]*\))+$")
SHORTEST_FULL_NAME = 4  # characters: 北京大学 is a full name, 某某厂 is not


@lru_cache(maxsize=200_000)
def is_registered_full_name(name: str) -> bool:
    """Whether a company name reads as a registered full name: it ends in an organisational
    form (有限公司, 集团, 研究院, 医院, 大学, 事务所, 中心, 厂, 店 …; Co., Ltd., University …) and
    is not very short. '深圳市腾讯计算机系统有限公司' is, '腾讯' and 'Tencent' are not. A
    bracketed ending is no part of the test: '某某咨询合伙企业（有限合伙）' is a full name."""
    text = unify_brackets(fold(name)).strip()
    bare = _TRAILING_BRACKETS.sub("", text.replace(" ", "")).strip() or text
    if has_cjk(bare):
        core = _NOT_WORD.sub("", bare)
        if core.endswith("公司") and not core.endswith(_LEGAL_CN[:7]):
            return len(core) >= SHORTEST_FULL_NAME + 2  # 腾讯公司 is what people call it
        return len(core) >= SHORTEST_FULL_NAME and core.endswith(_ORGANISATION_FORMS)
    words = _NOT_WORD.sub(" ", text).split()
    return len(words) >= 2 and bool(_ORGANISATION_LATIN.search(" ".join(words)))
