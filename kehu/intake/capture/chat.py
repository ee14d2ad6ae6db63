"""Chat capture: a pasted WeChat/e-mail message -> a draft opportunity card.

Each field is read only when the message says it plainly; anything ambiguous stays empty
(a rep fills it in) rather than being guessed wrong.

- quantity + unit: "200台", "两百套", "1.5万件"; "3个月" / "第2个" are not quantities.
- product: the noun words right after the quantity ("200台设备" -> 设备), else after a buying
  verb ("采购笔记本电脑"), segmented with jieba.
- budget_amount (yuan): "50万", "5千元", "8k", "1.2亿", "三十万"; a range ("30-50万",
  "20到30万") takes the upper bound, "50万以内/不超过50万/左右" the stated value. With several
  amounts only the one after 预算/报价/总价/金额 counts; a 单价 (unit price) is never the budget.
- time_frame (ISO date, the latest day the phrase means): 下个月 -> last day of next month,
  月底 -> last day of this month, 下周 -> Sunday of next week, Q3/三季度 -> 30 Sept, 年底 -> 31 Dec,
  三月份/3月 -> last day of March (next year once March is past), "5月20日/号" -> that day,
  明天/后天, "N天/周内", ISO dates. Relative to `today`.
- tags: ChatTagRule rows (data; seeded: quantity ≥ 100 -> 批量采购).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

UNITS = (
    "台套", "台", "套", "件", "个", "箱", "部", "辆", "吨", "批", "组", "只", "支", "张", "把",
    "块", "根", "片", "份", "瓶", "袋", "包", "桶", "盒", "架", "卷", "条", "本", "副", "双", "颗",
    "平方米", "平米", "米", "公斤", "千克", "台份", "款", "株", "头", "樘", "扇",
)  # fmt: skip
# "个" and friends followed by these are durations or counts of people, not goods.
NOT_GOODS_AFTER = ("月", "星期", "礼拜", "工作日", "季度", "小时", "人", "钟", "点", "方面", "问题",
                   "员工", "同事", "客户", "部门", "方案", "项目", "供应商", "厂家", "版本")  # fmt: skip
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}  # fmt: skip
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100000000}
NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+)"
UNIT_RE = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
QUANTITY_RE = re.compile(rf"(?<![第\d.])({NUM})\s*(万)?\s*({UNIT_RE})")
MONEY_UNIT = r"(亿元|亿|万元|万块|万|w|W|千元|千块|千|k|K|元|块钱|块|RMB|rmb)"
MONEY_RE = re.compile(
    rf"({NUM})\s*(?:(?:-|~|～|—|到|至)\s*({NUM}))?\s*{MONEY_UNIT}(?!\s*(?:{UNIT_RE}))"
)
BUDGET_WORDS = ("预算", "报价", "总价", "金额", "总额", "费用", "总共", "一共", "控制在")
UNIT_PRICE_WORDS = ("单价", "每台", "每套", "每件", "每个", "一台", "一套", "一件")
BUY_RE = re.compile(r"(?:采购|购买|订购|订|买|需要|要|询价|想要)+")
MONTHS_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10, "十一": 11, "十二": 12}  # fmt: skip
PRODUCT_STOP = {"的", "了", "和", "及", "与", "左右", "大概", "预算", "价格", "报价", "时间",
                "我们", "你们", "这边", "需要", "采购", "一下", "东西", "产品", "货", "人",
                "项目", "合同", "方案", "事情", "时候"}  # fmt: skip


@dataclass
class ChatDraft:
    quantity: Decimal | None = None
    unit: str = ""
    product: str = ""
    budget_amount: Decimal | None = None
    time_frame: date | None = None
    tags: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["quantity"] = _number(self.quantity)
        data["budget_amount"] = _number(self.budget_amount)
        data["time_frame"] = self.time_frame.isoformat() if self.time_frame else ""
        return data


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def cn_number(text: str) -> Decimal | None:
    """'200' -> 200, '两百' -> 200, '一千五' -> 1500, '三十' -> 30, '1.5' -> 1.5."""
    text = text.strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        pass
    total, section, digit = 0, 0, None
    last_unit = 1
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in ("万", "亿"):
            section = (section + (digit or 0)) * CN_UNITS[ch]
            total += section
            section, digit, last_unit = 0, None, CN_UNITS[ch]
        elif ch in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[ch]
            last_unit = CN_UNITS[ch]
            digit = None
        else:
            return None
    if digit is not None:
        # 一千五 = 1500: a trailing digit counts in the next unit down.
        section += digit * (last_unit // 10 if last_unit >= 100 and len(text) > 1 else 1)
    value = total + section
    return Decimal(value) if value else None


def _is_goods_context(text: str, end: int) -> bool:
    return not any(text.startswith(word, end) for word in NOT_GOODS_AFTER)


def extract_quantity(text: str) -> tuple[Decimal | None, str, int, int]:
    """(quantity, unit, start, end) of the first goods quantity; (None, '', -1, -1) if none."""
    for match in QUANTITY_RE.finditer(text):
        number, wan, unit = match.groups()
        if unit in ("个", "条", "本", "份", "头") and not _is_goods_context(text, match.end()):
            continue
        if not _is_goods_context(text, match.end()):
            continue
        if unit == "块" and (wan or text.startswith("钱", match.end())):
            continue  # 5万块 / 100块钱 is money
        if number == "一" and unit in ("批", "些"):
            continue  # 一批 = "some", not a count
        if text[match.end() : match.end() + 1].isdigit():
            continue  # "一个20万一个35万": a count of options, not goods
        value = cn_number(number)
        if value is None:
            continue
        if wan:
            value *= 10000
        return value, unit, match.start(), match.end()
    return None, "", -1, -1


_jieba_ready = False


def _posseg(text: str) -> list[tuple[str, str]]:
    global _jieba_ready
    import jieba
    import jieba.posseg as pseg

    if not _jieba_ready:
        jieba.setLogLevel(60)
        _jieba_ready = True
    return [(p.word, p.flag) for p in pseg.lcut(text)]


def _noun_run(text: str, *, skip_numbers: bool = True) -> str:
    """The leading run of noun-like words of text ('设备,预算…' -> '设备')."""
    words: list[str] = []
    for word, flag in _posseg(text):
        if word.strip() == "":
            if words:
                break
            continue
        noun = flag.startswith("n") or flag in ("eng", "vn", "nz", "x") and word.isalnum()
        if word in PRODUCT_STOP or not noun:
            if words:
                break
            skippable = ("a", "b", "m", "q", "uj") if skip_numbers else ("a", "b")
            if (flag in skippable and word not in PRODUCT_STOP) or word in ("一批", "一些"):
                continue  # "新的", "高端" before the noun
            return ""
        words.append(word)
    return "".join(words)[:100]


def extract_product(text: str, quantity_start: int, quantity_end: int) -> str:
    if quantity_end >= 0 and (product := _noun_run(text[quantity_end : quantity_end + 30])):
        return product
    match = BUY_RE.search(text)
    if match:
        stop = quantity_start if quantity_start > match.end() else match.end() + 30
        return _noun_run(text[match.end() : stop], skip_numbers=False)
    return ""


def _money(number: str, unit: str) -> Decimal | None:
    value = cn_number(number)
    if value is None:
        return None
    unit = unit.lower()
    if unit.startswith("亿"):
        return value * 100000000
    if unit.startswith("万") or unit == "w":
        return value * 10000
    if unit.startswith("千") or unit == "k":
        return value * 1000
    return value


def extract_budget(text: str) -> Decimal | None:
    candidates: list[tuple[bool, Decimal]] = []
    for match in MONEY_RE.finditer(text):
        low, high, unit = match.groups()
        # A bare 千 only counts as money with 元/块 or a budget word ("5千" could be a count).
        before = text[max(0, match.start() - 8) : match.start()]
        if any(word in before for word in UNIT_PRICE_WORDS):
            continue
        amount = _money(high or low, unit)
        if amount is None:
            continue
        if high and (low_amount := _money(low, unit)) is not None and low_amount > amount:
            continue  # "50-30万" reads wrong; leave it to the rep
        flagged = any(word in before for word in BUDGET_WORDS)
        if unit in ("千", "k", "K") and not flagged:
            continue
        candidates.append((flagged, amount))
    flagged = [amount for is_budget, amount in candidates if is_budget]
    if len(flagged) == 1:
        return flagged[0]
    if not flagged and len(candidates) == 1:
        return candidates[0][1]
    return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + months
    return index // 12, index % 12 + 1


def _month_number(raw: str) -> int | None:
    if raw.isdigit():
        value = int(raw)
    else:
        value = MONTHS_CN.get(raw, 0)
    return value if 1 <= value <= 12 else None


def extract_time_frame(text: str, *, today: date) -> date | None:
    if m := re.search(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?", text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if m := re.search(r"(\d{1,2}|十[一二]?|[一二三四五六七八九])月(\d{1,2})[日号]", text):
        month = _month_number(m[1])
        if month:
            year = today.year if (month, int(m[2])) >= (today.month, today.day) else today.year + 1
            try:
                return date(year, month, int(m[2]))
            except ValueError:
                return None
    if "下下个月" in text or "下下月" in text:
        return _month_end(*_add_months(today, 2))
    if "下个月" in text or "下月" in text:
        if "下个月初" in text or "下月初" in text:
            return date(*_add_months(today, 1), 10)
        return _month_end(*_add_months(today, 1))
    if any(w in text for w in ("月底", "本月", "这个月", "月末")):
        return _month_end(today.year, today.month)
    if "月中" in text:
        return date(today.year, today.month, 15)
    if "下周" in text or "下星期" in text or "下礼拜" in text:
        return today + timedelta(days=13 - today.weekday())
    if any(w in text for w in ("本周", "这周", "这个星期", "周末")):
        return today + timedelta(days=6 - today.weekday())
    if m := re.search(r"[Qq]([1-4])|第?([一二三四1-4])季度", text):
        raw = m[1] or m[2]
        quarter = int(raw) if raw.isdigit() else "一二三四".index(raw) + 1
        year = today.year if quarter >= (today.month - 1) // 3 + 1 else today.year + 1
        return _month_end(year, quarter * 3)
    if "明年" in text:
        if "上半年" in text:
            return date(today.year + 1, 6, 30)
        if "年底" in text or "下半年" in text:
            return date(today.year + 1, 12, 31)
        return None
    if "年底" in text or "年末" in text or "今年内" in text or "下半年" in text:
        return date(today.year, 12, 31)
    if "上半年" in text and today.month <= 6:
        return date(today.year, 6, 30)
    if m := re.search(r"(\d{1,2}|十[一二]?|[一二三四五六七八九])月份?(?:底|末)?", text):
        month = _month_number(m[1])
        # "3个月" never gets here (个); "3月" must not be a quantity of 月.
        if month:
            year = today.year if month >= today.month else today.year + 1
            return _month_end(year, month)
    if "后天" in text:
        return today + timedelta(days=2)
    if "明天" in text:
        return today + timedelta(days=1)
    if m := re.search(rf"({NUM})\s*(天|周|个星期|个月)[内后]", text):
        count = cn_number(m[1])
        if count is not None and count == count.to_integral_value():
            n = int(count)
            if m[2] == "天":
                return today + timedelta(days=n)
            if m[2] in ("周", "个星期"):
                return today + timedelta(weeks=n)
            year, month = _add_months(today, n)
            return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return None


def _rule_hits(rule: Any, draft: ChatDraft, text: str) -> bool:
    value = {
        "quantity": draft.quantity,
        "budget_amount": draft.budget_amount,
        "text": text,
        "product": draft.product,
    }.get(rule.field)
    if value in (None, ""):
        return False
    if rule.op == "contains":
        return str(rule.value) in str(value)
    try:
        limit = Decimal(str(rule.value))
    except InvalidOperation:
        return False
    if not isinstance(value, Decimal):
        return False
    return value >= limit if rule.op == "gte" else value <= limit


def parse_chat(text: str, *, today: date, rules: list[Any] | None = None) -> ChatDraft:
    """The draft card for a message; `rules` are ChatTagRule rows (active ones)."""
    text = (text or "").replace("，", ",").replace("。", ".").replace("：", ":").strip()
    quantity, unit, start, end = extract_quantity(text)
    draft = ChatDraft(
        quantity=quantity,
        unit=unit,
        product=extract_product(text, start, end),
        budget_amount=extract_budget(text),
        time_frame=extract_time_frame(text, today=today),
    )
    for rule in rules or []:
        if _rule_hits(rule, draft, text) and rule.tag not in draft.tags:
            draft.tags.append(rule.tag)
    return draft
