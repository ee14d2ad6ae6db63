"""Customer and contact field rules: value lists with their Chinese names, completeness."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.contacts.validators import (  # re-exported for the import's cleaner
    CONTACT_TYPE_ALIASES as CONTACT_TYPE_ALIASES,
)
from kehu.contacts.validators import DECISION_ROLE_ALIASES as DECISION_ROLE_ALIASES
from kehu.contacts.validators import GENDER_ALIASES as GENDER_ALIASES
from kehu.core.normalize import company_core
from kehu.core.normalize import name_pinyin as name_pinyin  # contacts' name_pinyin
from kehu.core.text import clean_text
from kehu.core.validators import build_aliases, parse_choice

from .models import Customer

# The integration standard's value lists, in the words people type and spreadsheets carry.
KIND_ALIASES = build_aliases(
    Customer.Kind, {"company": ["企业", "公司", "企业客户"], "individual": ["个人", "个人客户"]}
)
OWNERSHIP_ALIASES = build_aliases(
    Customer.Ownership,
    {
        "state": ["国企", "国有企业", "央企", "国有"],
        "private": ["民企", "民营企业", "私营企业", "民营"],
        "foreign": ["外企", "外资企业", "外商投资企业", "合资企业", "外资"],
        "other": ["其他", "其它"],
    },
)
SIZE_ALIASES = build_aliases(
    Customer.Size,
    {
        "small": ["小型企业", "小型企业<100人", "小型企业(<100人)", "小型", "<100人"],
        "medium": ["中型企业", "中型企业100-500人", "中型企业(100-500人)", "中型", "100-500人"],
        "large": ["大型企业", "大型企业>500人", "大型企业(>500人)", "大型", ">500人"],
    },
)
STATUS_ALIASES = build_aliases(
    Customer.Status,
    {
        "lead": ["潜在客户", "潜在", "prospect", "线索", "潜客", "新客户", "new"],
        "intent": [
            "意向客户", "意向", "intent", "interested", "有意向", "跟进中", "洽谈中", "qualified",
        ],
        "won": [
            "成交客户", "成交", "customer", "已成交", "签约客户", "已签约", "合作客户", "合作中",
            "closed won", "won",
        ],
        "lost": ["流失客户", "流失", "churned", "已流失", "丢单", "closed lost"],
    },
)  # fmt: skip
BUDGET_BAND_ALIASES = build_aliases(
    Customer.BudgetBand,
    {
        "under_100k": ["<10万", "10万以下", "小于10万"],
        "100k_500k": ["10-50万", "10万-50万", "10~50万"],
        "over_500k": [">50万", "50万以上", "大于50万"],
    },
)
# The field standard's own names of industries and sources, and the short forms people write,
# -> the dictionary's name (an administrator may rename an entry; an alias to a name that no
# longer exists is simply not found).
INDUSTRY_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("零售业", "批发业", "批发零售业", "批发零售", "零售", "批发", "商贸"), "批发和零售业"
    ),
    **dict.fromkeys(
        ("信息技术", "信息技术服务业", "软件业", "软件", "IT", "互联网", "软件和信息技术服务"),
        "软件和信息技术服务业",
    ),
    **dict.fromkeys(("制造", "生产制造"), "制造业"),
    **dict.fromkeys(("建筑", "建筑工程"), "建筑业"),
    **dict.fromkeys(("金融", "金融服务", "银行保险"), "金融业"),
    **dict.fromkeys(("教育业", "教育行业", "教育培训"), "教育"),
    **dict.fromkeys(("房地产",), "房地产业"),
    **dict.fromkeys(("医疗", "医疗卫生", "卫生"), "卫生和社会工作"),
    **dict.fromkeys(("交通运输", "物流仓储", "交通物流"), "交通运输、仓储和邮政业"),
    **dict.fromkeys(("科研", "科学研究", "技术服务"), "科学研究和技术服务业"),
    **dict.fromkeys(("农林牧渔", "农林牧渔业"), "农、林、牧、渔业"),
    **dict.fromkeys(("能源", "公用事业"), "电力、热力、燃气及水生产和供应业"),
    **dict.fromkeys(("文化传媒", "文体娱乐"), "文化、体育和娱乐业"),
    **dict.fromkeys(("政府", "公共管理"), "公共管理、社会保障和社会组织"),
    **dict.fromkeys(("其它",), "其他"),
}
SOURCE_ALIASES: dict[str, str] = {
    **dict.fromkeys(("官网", "官方网站", "网站注册", "官网咨询"), "官网注册"),
    **dict.fromkeys(("展会", "展会获客", "会展"), "展会拜访"),
    **dict.fromkeys(("电话", "来电咨询", "电话来访"), "电话咨询"),
    **dict.fromkeys(("客户转介绍", "老客户介绍", "朋友介绍", "介绍"), "转介绍"),
    **dict.fromkeys(("网络推广", "线上广告", "网络广告", "推广"), "线上推广"),
}


def industry_name(text: str) -> str:
    """The dictionary's name for an industry as the standard or a person writes it."""
    key = clean_text(text)
    return INDUSTRY_ALIASES.get(key) or INDUSTRY_ALIASES.get(key.upper()) or key


def source_name(text: str) -> str:
    key = clean_text(text)
    return SOURCE_ALIASES.get(key, key)


# A head count instead of a size: "50人", "100-499人", "500人以上", "1000+", "少于50人".
_HEADCOUNT = re.compile(
    r"^(?:员工|人数|约)?\s*(少于|小于|不足|<|>|大于|超过)?\s*(\d{1,7})"
    r"(?:\s*[-~～至到]\s*(\d{1,7}))?\s*(?:人|名|people|staff|employees)?\s*"
    r"(以上|以下|\+|及以上|及以下)?\s*(?:人)?$",
    re.IGNORECASE,
)
SIZE_LIMITS = (100, 500)  # small < 100 staff, medium 100-500, large > 500


def parse_size(raw: str) -> str:
    """A size by its code or label (大型企业, large…), or by a head count in the usual forms of
    Chinese company data: a number, a range (its upper end counts), "以上"/"+" (more than) and
    "以下"/"少于" (fewer than)."""
    try:
        return parse_choice(raw, SIZE_ALIASES)
    except ValidationError:
        match = _HEADCOUNT.match(clean_text(raw).replace(",", ""))
        if not match:
            raise
    before, low, high, after = match.groups()
    count = float(high or low)
    if before in (">", "大于", "超过") or after in ("以上", "+", "及以上"):
        count += 0.5 if after == "及以上" else 1
    elif before in ("少于", "小于", "不足", "<") or after in ("以下", "及以下"):
        count -= 0.5 if after == "及以下" else 1
    if count < SIZE_LIMITS[0]:
        return Customer.Size.SMALL
    if count <= SIZE_LIMITS[1]:
        return Customer.Size.MEDIUM
    return Customer.Size.LARGE


BUDGET_LIMITS = (Decimal("100000"), Decimal("500000"))


def budget_band_for(amount: Decimal) -> str:
    """The band an amount falls in: <10万, 10-50万 (inclusive), >50万."""
    if amount < BUDGET_LIMITS[0]:
        return Customer.BudgetBand.UNDER_100K
    if amount <= BUDGET_LIMITS[1]:
        return Customer.BudgetBand.FROM_100K_TO_500K
    return Customer.BudgetBand.OVER_500K


def normalize_company_name(name: str) -> str:
    """name_normalized: the comparable core of a name (kehu.core.normalize.company_core),
    '腾讯科技（深圳）有限公司' -> '腾讯科技', cut to the column's 200 characters."""
    return company_core(name)[:200]


# --- Completeness: the standard's required fields, and the weights of the score.


@dataclass(frozen=True)
class RequiredField:
    name: str
    label: Any
    weight: int
    hard: bool = False


STANDARD_FIELDS: tuple[RequiredField, ...] = (
    RequiredField("industry", _("industry"), 10),
    RequiredField("size", _("size"), 8),
    RequiredField("decision_maker_name", _("decision maker's name"), 10),
    RequiredField("decision_maker_title", _("decision maker's title"), 6),
    RequiredField("decision_maker_phone", _("decision maker's phone"), 10),
    RequiredField("source", _("source"), 6),
    RequiredField("first_contact_date", _("first contact date"), 6),
    RequiredField("status", _("status"), 4),
    RequiredField("owner", _("owner"), 8),
)
OPTIONAL_FIELDS: tuple[RequiredField, ...] = (
    RequiredField("name", _("name"), 10, hard=True),
    RequiredField("address", _("address"), 8),
    RequiredField("region", _("region"), 4),
    RequiredField("credit_code", _("credit code"), 4),
    RequiredField("budget", _("budget"), 3),
    RequiredField("email", _("e-mail"), 3),
)
# Not a field: a phone an import could not use was kept aside; the customer stays 待补全.
PHONE_UNUSABLE = "phone_unusable"
# Not a field either: a company's name that is no registered full name (腾讯, not
# 深圳市腾讯计算机系统有限公司; kehu.core.normalize.is_registered_full_name); individuals are exempt.
ABBREVIATED_NAME = "full_name"
FIELD_LABELS = {
    **{f.name: f.label for f in STANDARD_FIELDS + OPTIONAL_FIELDS},
    PHONE_UNUSABLE: _("a usable phone (one was kept aside)"),
    ABBREVIATED_NAME: _("use the registered full name"),
}


def completeness_of(facts: dict[str, bool]) -> tuple[int, list[str]]:
    """(score 0-100, missing standard fields) from which facts are present."""
    total = sum(f.weight for f in STANDARD_FIELDS + OPTIONAL_FIELDS)
    got = sum(f.weight for f in STANDARD_FIELDS + OPTIONAL_FIELDS if facts.get(f.name))
    missing = [f.name for f in STANDARD_FIELDS if not facts.get(f.name)]
    return round(got * 100 / total), missing
