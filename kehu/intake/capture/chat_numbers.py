"""Numbers in a chat message: the quantity (with its range) and the budget.

A figure is a number as written: "1,500", "１５００", "1.5万", "2百万", "5万5", "一千五", "两百",
"贰拾万", or a range ("20-30", "20到30万", and colloquially "二三十", "两三百万", "三五").
Chinese numerals are read by cn2an; digits followed by magnitudes ("1.5千万") are multiplied
out here so that decimals stay exact. What the figure counts is read from the words around
it: a unit after it (台/件/pcs) makes a quantity, 元/万/w/k/¥/RMB or a budget word makes money.
Anything approximate ("十几台", "几十万", "200多台") or unclear is left empty, never guessed.

- quantity: the first goods quantity; a range keeps its lower bound, the upper in quantity_max.
  Durations ("3个月"), ordinals ("第2批"), pack sizes ("24瓶/箱"), what was bought before
  ("去年买的20台") and an article ("做一个小程序", "发一份报价单") are not quantities.
- budget (yuan): a range takes its upper bound; a unit price (单价, 每台, "3k一台", "4800元/吨"),
  turnover or registered capital, and an amount the customer refuses ("35万我们接受不了") are
  never the budget. With several amounts, only the one after a budget word counts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

UNITS = (
    "台套", "台", "套", "件", "个", "箱", "部", "辆", "吨", "批", "组", "只", "支", "张", "把",
    "块", "根", "片", "份", "瓶", "袋", "包", "桶", "盒", "架", "卷", "条", "本", "副", "双", "颗",
    "平方米", "平米", "米", "公里", "公斤", "千克", "台份", "款", "株", "头", "樘", "扇", "人", "方",
)  # fmt: skip
PER_UNIT = tuple(f"每{unit}" for unit in UNITS)
ENGLISH_UNITS = ("pcs", "pieces", "piece", "pc", "sets", "set", "units", "unit")
# "个" and friends followed by these are durations or counts of people, not goods.
NOT_GOODS_AFTER = ("月", "星期", "礼拜", "工作日", "季度", "小时", "人", "钟", "点", "方面", "问题",
                   "员工", "同事", "客户", "部门", "方案", "项目", "供应商", "厂家", "版本",
                   "报价", "资料", "介绍", "说明", "电话")  # fmt: skip
NOT_GOODS_AFTER_FANG = "案面式法向便"  # 方案, 方面 …: 方 is not a cubic metre there
PEOPLE_NOT_BUYING = ("有", "公司", "规模")  # "公司有200人" is a size
ARTICLE_VERBS = ("做", "搞", "弄", "建", "开发", "找", "发", "给")  # "做一个小程序": an article
PAST_WORDS = ("去年", "以前", "之前买", "上次买", "上回买", "已经买", "坏了", "已有", "现有",
              "库存", "用完")  # fmt: skip
BUDGET_WORDS = ("预算", "报价", "总价", "金额", "总额", "费用", "总共", "一共", "控制在", "合计",
                "共计", "总计", "价格", "含税价", "中标价", "采购计划", "budget")  # fmt: skip
NOT_BUDGET_WORDS = ("销售额", "营业额", "营收", "产值", "注册资金", "注册资本", "融资", "市值",
                    "工资", "薪资", "月薪", "年薪", "利润", "押金")  # fmt: skip
UNIT_PRICE_WORDS = ("单价", "均价", "人均", "每")
REFUSED_AFTER = ("接受不了", "不能接受", "太高", "太贵", "高了", "贵了", "超预算", "超了", "不行")
APPROXIMATE_AFTER = "几多来余"
MONEY_AFTER_KUAI = ("钱", "以内", "以下", "左右", "上下", "一", "每", "的预算")
RATE_WORDS = ("天", "日", "月", "周", "年", "季", "次")  # 每天80份 is a quantity, 每家一台 is not
CLAUSE_BREAKS = ",;!?。；！？\n"

CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
MAGNITUDE = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
             "万": 10**4, "亿": 10**8}  # fmt: skip
CN_NUMERAL = f"[{CN_DIGITS}{''.join(MAGNITUDE)}]+"
ARABIC = r"\d+(?:\.\d+)?(?:[十百千万亿]+(?:\d+(?:\.\d+)?)?)*"
TOKEN = rf"(?:{ARABIC}|{CN_NUMERAL})"
RANGE_SEPARATOR = r"\s*(?:-|~|到|至|—|–)\s*"
UNITS_ALTERNATIVES = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
UNIT_RE = re.compile(
    rf"\s*(?:({UNITS_ALTERNATIVES})|({'|'.join(ENGLISH_UNITS)})(?![A-Za-z]))", re.IGNORECASE
)
# "20-30", "20到30万", and with the unit written twice: "20台-30台", "5000元~8000元".
FIGURE_RE = re.compile(
    rf"({TOKEN})(?:{RANGE_SEPARATOR}({TOKEN})"
    rf"|\s*({UNITS_ALTERNATIVES}|元|块|[wWkK]){RANGE_SEPARATOR}({TOKEN})(?=\s*\3))?"
)
LARGEST = Decimal(10) ** 12  # beyond any order (and the amount column)
CENT = Decimal("0.01")
MONEY_UNIT_RE = re.compile(r"\s*(元|块钱|块|RMB|CNY|[wWkK])(?![A-Za-z])", re.IGNORECASE)
CURRENCY_BEFORE_RE = re.compile(r"(?:¥|RMB|CNY|人民币)\s*$", re.IGNORECASE)
QUANTITY_LABEL_RE = re.compile(r"(?:数量|qty|quantity)[\s:是为约大概共]*$", re.IGNORECASE)
THOUSANDS_RE = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])")
RANGE_PAIRS = {("一", "两"), ("两", "三"), ("二", "三"), ("三", "四"), ("四", "五"), ("五", "六"),
               ("六", "七"), ("七", "八"), ("八", "九"), ("三", "五")}  # fmt: skip


def normalize_text(text: str) -> str:
    """Full-width forms to ASCII ("１,５００" -> "1,500", "：" -> ":"), thousands separators
    dropped ("1,500" -> "1500"; only an ASCII comma, as "，" separates clauses)."""
    text = "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "９" else ch for ch in text or "")
    text = THOUSANDS_RE.sub(lambda match: match[0].replace(",", ""), text)
    text = unicodedata.normalize("NFKC", text)
    # "一个亿" is 一亿: the 个 would otherwise read as a count.
    return re.sub(rf"([{CN_DIGITS}十\d])个亿", r"\1亿", text).strip()


@cache
def _cn2an() -> Any:
    import cn2an

    return cn2an.cn2an


def token_value(token: str) -> Decimal | None:
    """One number as written: '1500', '1.5万', '2百万', '5万5', '一千五', '贰拾万'; else None."""
    if not token:
        return None
    plain = token.rstrip("".join(MAGNITUDE))
    magnitudes = token[len(plain) :]
    if plain and all(ch.isdigit() or ch == "." for ch in plain):
        try:
            value = Decimal(plain)
        except InvalidOperation:
            return None
        for ch in magnitudes:
            value *= MAGNITUDE[ch]
        return value
    if all(ch in CN_DIGITS for ch in token) and len(token) > 1:
        return None  # "一二三", "二零二六": a code or a year read out, not an amount
    if "亿" in token.rstrip("亿") and (tail := token.rsplit("亿", 1)[1]) and len(tail) == 1:
        head, digit = token_value(token.rsplit("亿", 1)[0] + "亿"), token_value(tail)
        if head is None or digit is None:
            return None
        return head + digit * 10**7  # "一亿二" = 1.2亿, as 5万5 = 5.5万
    try:
        parsed: Any = _cn2an()(token, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if isinstance(parsed, float) and parsed.is_integer():
        parsed = int(parsed)
    try:
        return Decimal(str(parsed))
    except InvalidOperation:
        return None


def _trailing_factor(token: str) -> int:
    factor = 1
    for ch in reversed(token):
        if ch not in MAGNITUDE:
            break
        factor *= MAGNITUDE[ch]
    return factor


def token_range(token: str) -> tuple[Decimal, Decimal] | None:
    """Colloquial ranges: '二三十' -> (20, 30), '两三百万' -> (2e6, 3e6), '三五' -> (3, 5)."""
    if len(token) < 2 or (token[0], token[1]) not in RANGE_PAIRS:
        return None
    rest = token[2:]
    if any(ch not in MAGNITUDE for ch in rest):
        return None
    low, high = token_value(token[0] + rest), token_value(token[1] + rest)
    return (low, high) if low is not None and high is not None else None


@dataclass
class Figure:
    start: int
    end: int
    low: Decimal
    high: Decimal | None  # a range's upper bound
    has_magnitude: str  # the magnitudes written (万, 千 …), "" for plain digits


def figures(text: str) -> list[Figure]:
    """Every number of the text, in order; approximate ones ('十几', '几十万') are left out."""
    found: list[Figure] = []
    for match in FIGURE_RE.finditer(text):
        first, second = match[1], match[2] or match[4]
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        if before == "几" or after in APPROXIMATE_AFTER:
            continue
        if second is None:
            if colloquial := token_range(first):
                low, high = colloquial
            elif (value := token_value(first)) is None:
                continue
            else:
                low, high = value, None
        else:
            low_value, high_value = token_value(first), token_value(second)
            if low_value is None or high_value is None:
                continue
            if _trailing_factor(first) == 1:
                low_value *= _trailing_factor(second)  # "20到30万": 20 is 20万
            if low_value >= high_value:
                continue  # "50-30万" or "2026-06": not a range to trust
            low, high = low_value, high_value
        if low <= 0 or (high or low) >= LARGEST:
            continue
        magnitudes = "".join(ch for ch in first + (second or "") if ch in MAGNITUDE)
        found.append(Figure(match.start(), match.end(), low, high, magnitudes))
    return found


def _clause_before(text: str, start: int, width: int = 16) -> str:
    head = text[max(0, start - width) : start]
    for index in range(len(head) - 1, -1, -1):
        if head[index] in CLAUSE_BREAKS:
            return head[index + 1 :]
    return head


def _clause_after(text: str, end: int, width: int = 12) -> str:
    tail = text[end : end + width]
    for index, ch in enumerate(tail):
        if ch in CLAUSE_BREAKS:
            return tail[:index]
    return tail


def _clause_of(text: str, start: int, end: int) -> str:
    return _clause_before(text, start, 40) + text[start:end] + _clause_after(text, end, 40)


def _quantity_unit(text: str, figure: Figure) -> tuple[str, int] | None:
    """The unit right after the figure and where it ends, if it counts goods here."""
    match = UNIT_RE.match(text, figure.end)
    if match is None:
        return None
    unit = match[1] or match[2]
    rest = text[match.end() :]
    if rest.startswith("/"):
        return None  # "24瓶/箱": a pack size
    if any(rest.startswith(word) for word in NOT_GOODS_AFTER):
        return None
    if unit == "方" and rest[:1] and rest[0] in NOT_GOODS_AFTER_FANG:
        return None
    if unit == "块" and (
        figure.has_magnitude or rest[:1].isdigit() or rest.startswith(MONEY_AFTER_KUAI)
    ):
        return None  # 5万块 / 100块钱 / 2块5 / 1000块以内 are money
    if unit == "人":
        before = _clause_before(text, figure.start)
        if any(word in before for word in PEOPLE_NOT_BUYING) or re.match(
            r"的?(?:公司|团队|企业|规模)", rest
        ):
            return None
    return unit, match.end()


def extract_quantity(text: str) -> tuple[Decimal | None, Decimal | None, str, int, int]:
    """(quantity, upper bound of a range, unit, start, end); (None, None, '', -1, -1) if none."""
    for figure in figures(text):
        before = text[: figure.start]
        if before.endswith(("第", "每", "分", ".", "×", "*")) or re.search(r"[A-Za-z\d]$", before):
            if not QUANTITY_LABEL_RE.search(before):
                continue
        if before.endswith(PER_UNIT):
            continue  # "每箱24瓶"
        clause = _clause_of(text, figure.start, figure.end)
        if any(word in clause for word in PAST_WORDS):
            continue
        head = _clause_before(text, figure.start)
        if "每" in head and not head[head.rfind("每") + 1 :].lstrip("个").startswith(RATE_WORDS):
            continue  # "每家要一台": per store, not the whole order
        found = _quantity_unit(text, figure)
        if found is None:
            if QUANTITY_LABEL_RE.search(before) and _ends_plainly(text, figure.end):
                return figure.low, figure.high, "", figure.start, figure.end
            continue
        unit, end = found
        if re.match(r"\d+(?:\.\d+)?\s*[万千元块wWkK]", text[end:]):
            continue  # "一个20万一个35万": a count of options, not goods
        if figure.low == 1 and figure.high is None:
            if unit in ("批", "些") or before.endswith(ARTICLE_VERBS):
                continue  # 一批 = "some"; "做一个小程序"
            if re.search(r"(?:\d|[wWkK元块万千])\s*(?:以内|左右|以下|上下)?\s*$", before):
                continue  # "3k一台", "2000-2500一台": a unit price
        return figure.low, figure.high, unit, figure.start, end
    return None, None, "", -1, -1


def _ends_plainly(text: str, end: int) -> bool:
    """A bare figure stands alone: at the end, before punctuation, a space or 左右/以内."""
    rest = text[end:]
    return (
        not rest
        or rest[0] in CLAUSE_BREAKS + " :.)"
        or rest.startswith(("左右", "以内", "以下", "上下", "之间", "元整"))
    )


def _money(text: str, figure: Figure) -> tuple[bool, Decimal] | None:
    """(after a budget word?, amount in yuan) when the figure is a total amount of money."""
    before = _clause_before(text, figure.start)
    after = _clause_after(text, figure.end)
    amount = figure.high if figure.high is not None else figure.low
    unit_match = MONEY_UNIT_RE.match(text, figure.end)
    unit = unit_match[1].lower() if unit_match else ""
    end = unit_match.end() if unit_match else figure.end
    rest = text[end:]
    if UNIT_RE.match(rest) and unit not in ("元", "块钱"):
        if not (unit in ("块", "k") and rest.lstrip()[:1] in ("一", "每")):
            return None  # "10万个口罩", "1.5万件": a quantity
    if unit in ("元", "块") and re.match(r"\d(?!\d)", rest):
        amount += Decimal(rest[0]) / 10  # "2块5" = 2.5
    flagged = any(word in before.lower() for word in BUDGET_WORDS) or rest.lstrip().startswith(
        ("的预算", "预算")
    )  # "200K的预算"
    if any(word in before for word in NOT_BUDGET_WORDS):
        return None
    if any(word in before for word in UNIT_PRICE_WORDS) or re.match(
        rf"\s*(?:以内|左右|以下|上下)?\s*(?:/|一|每)\s*(?:{'|'.join(UNITS)})(?!\s*[\d{CN_DIGITS}])",
        rest,
    ):
        return None  # "单价3500", "3k一台", "4800元/吨"; not "一个20万一个35万"
    if any(word in after for word in REFUSED_AFTER):
        return None  # what the customer will not pay
    currency = CURRENCY_BEFORE_RE.search(text[: figure.start]) is not None
    if unit == "w":
        amount *= 10000
    elif unit == "k":
        amount *= 1000
        if not flagged:
            return None  # "4K显示器"
    if unit or currency:
        return flagged, amount
    if figure.has_magnitude and figure.has_magnitude[-1] in "万亿":
        return flagged, amount
    if figure.has_magnitude and flagged:
        return True, amount  # "预算只有3千"
    if (
        flagged
        and amount >= 100
        and re.search(rf"(?:{'|'.join(BUDGET_WORDS)})[^\d]{{0,6}}$", before, re.IGNORECASE)
    ):
        if _ends_plainly(text, figure.end):
            return True, amount  # "预算150000 需要30套"
    return None


def extract_budget(text: str) -> Decimal | None:
    """The budget in yuan, or None when there is none or it is unclear."""
    candidates = [money for figure in figures(text) if (money := _money(text, figure))]
    flagged = {amount for is_budget, amount in candidates if is_budget}
    if len(flagged) == 1:
        return _cents(flagged.pop())
    if not flagged and len({amount for _flag, amount in candidates}) == 1:
        return _cents(candidates[0][1])
    return None


def _cents(amount: Decimal) -> Decimal:
    """Yuan to the fen, as the amount column keeps it ("1.23456万" -> 12345.60)."""
    return (
        amount.quantize(CENT, rounding=ROUND_HALF_UP) if amount != amount.quantize(CENT) else amount
    )
