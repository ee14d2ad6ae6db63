"""The value cube's eight octants: purchase frequency x average order value x tenure, each high
or low. Codes are stable (stored, filtered on, in URLs); names and recommended actions are shown
in Chinese; the actions are defaults an administrator may change (ValueSettings.octant_actions)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code: (frequency high, average order value high, tenure long)
OCTANTS: dict[str, tuple[bool, bool, bool]] = {
    "diamond": (True, True, True),
    "rising": (True, True, False),
    "loyal": (True, False, True),
    "active": (True, False, False),
    "key": (False, True, True),
    "potential": (False, True, False),
    "maintain": (False, False, True),
    "watch": (False, False, False),
}
CODE_OF = {dims: code for code, dims in OCTANTS.items()}

OCTANT_NAMES = {
    "diamond": _("Diamond customers"),
    "rising": _("Rising stars"),
    "loyal": _("Loyal customers"),
    "active": _("Frequent newcomers"),
    "key": _("Big-ticket veterans"),
    "potential": _("Big-ticket newcomers"),
    "maintain": _("Long-standing small buyers"),
    "watch": _("Customers to watch"),
}

DEFAULT_ACTIONS = {
    "diamond": _("Dedicated account manager, regular executive visits"),
    "rising": _("Deepen the relationship early: customer-success plan"),
    "loyal": _("Cross-sell and upsell higher-value products"),
    "active": _("Automated nurturing with bundle offers"),
    "key": _("Regular check-ins to win the next order"),
    "potential": _("Personal follow-up to close a second order"),
    "maintain": _("Low-cost upkeep through campaigns"),
    "watch": _("Automated nurturing; watch for intent"),
}

# Grade rules as data: octant -> grade; "" is a customer without orders (not placed).
DEFAULT_GRADES = {
    "diamond": "A",
    "rising": "A",
    "key": "A",
    "loyal": "B",
    "potential": "B",
    "active": "B",
    "maintain": "C",
    "watch": "C",
    "": "C",
}

LIFECYCLES = ("new", "active", "dormant", "lost")
LEVELS = ("high", "medium", "low")
TENURE_BANDS = {"lt1y": _("Under 1 year"), "1to3y": _("1-3 years"), "gt3y": _("Over 3 years")}

# 大区 by province (the first two characters of its name, as stored on the customer).
AREAS = {
    _("North China"): "北京 天津 河北 山西 内蒙",
    _("Northeast China"): "辽宁 吉林 黑龙",
    _("East China"): "上海 江苏 浙江 安徽 福建 江西 山东",
    _("Central China"): "河南 湖北 湖南",
    _("South China"): "广东 广西 海南",
    _("Southwest China"): "重庆 四川 贵州 云南 西藏",
    _("Northwest China"): "陕西 甘肃 青海 宁夏 新疆",
    _("Hong Kong, Macao and Taiwan"): "香港 澳门 台湾",
}
_AREA_OF = {prefix: name for name, prefixes in AREAS.items() for prefix in prefixes.split()}


def area_of(province: str) -> str:
    """The 大区 of a province name ("" when unknown)."""
    return str(_AREA_OF.get((province or "")[:2], ""))


def octant_name(code: str) -> str:
    return str(OCTANT_NAMES.get(code, "")) if code else ""
