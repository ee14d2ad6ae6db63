"""Chat capture: a pasted WeChat/e-mail message -> a draft opportunity card.

Each field is read only when the message says it plainly; anything ambiguous stays empty
(a rep fills it in) rather than being guessed wrong.

- quantity + unit, budget_amount (yuan): read by chat_numbers ("1,500件", "两百套", "1.5万件",
  "20-30台" -> 20 with quantity_max 30; "5万5", "2百万", "￥380,000", "8k", "30-50万" -> the
  upper bound; a 单价 is never the budget). "3个月" / "第2个" are not quantities.
- product: the noun words right after the quantity ("200台设备" -> 设备), else after a buying
  verb ("采购笔记本电脑"), segmented with jieba; a field label ("金额:", 数量, 单价) never is.
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

from .chat_numbers import TOKEN, extract_budget, extract_quantity, normalize_text, token_value

BUY_RE = re.compile(r"(?<!不)(?:采购|购买|订购|订|买|需要|要|询价|想要)+")
MONTHS_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10, "十一": 11, "十二": 12}  # fmt: skip
PRODUCT_STOP = {"的", "了", "和", "及", "与", "左右", "大概", "预算", "价格", "报价", "时间",
                "我们", "你们", "这边", "需要", "采购", "一下", "东西", "产品", "货", "人",
                "项目", "合同", "方案", "事情", "时候"}  # fmt: skip
# Field labels of a pasted form ("采购金额：￥380,000；数量：120 台") are never the product.
FIELD_LABELS = ("金额", "数量", "预算", "单价", "总价", "报价", "价格", "合计", "共计", "总计",
                "交货期", "工期", "货期", "付款", "税率")  # fmt: skip


@dataclass
class ChatDraft:
    quantity: Decimal | None = None
    quantity_max: Decimal | None = None  # the upper bound of a range ("20-30台": 20 and 30)
    unit: str = ""
    product: str = ""
    budget_amount: Decimal | None = None
    time_frame: date | None = None
    tags: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["quantity"] = _number(self.quantity)
        data["quantity_max"] = _number(self.quantity_max)
        data["budget_amount"] = _number(self.budget_amount)
        data["time_frame"] = self.time_frame.isoformat() if self.time_frame else ""
        return data

    def quantity_text(self) -> str:
        """'20', or '20-30' for a range; '' without a quantity."""
        if self.quantity is None:
            return ""
        low = str(_number(self.quantity))
        return f"{low}-{_number(self.quantity_max)}" if self.quantity_max is not None else low


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


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
    """The leading run of noun-like words of text ('设备,预算…' -> '设备'); '' for a label."""
    words: list[str] = []
    end = 0
    for word, flag in _posseg(text):
        if word.strip() == "":
            if words:
                break
            end += len(word)
            continue
        noun = flag.startswith("n") or flag in ("eng", "vn", "nz", "x") and word.isalnum()
        if word in PRODUCT_STOP or not noun:
            if words:
                break
            skippable = ("a", "b", "m", "q", "uj") if skip_numbers else ("a", "b")
            if (flag in skippable and word not in PRODUCT_STOP) or word in ("一批", "一些"):
                end += len(word)
                continue  # "新的", "高端" before the noun
            return ""
        words.append(word)
        end += len(word)
    product = "".join(words)
    if product.endswith(FIELD_LABELS) or text[end:].lstrip().startswith(":"):
        return ""  # "金额:", "交货期:": the label of a value, not what is bought
    return product[:100]


def extract_product(text: str, quantity_start: int, quantity_end: int) -> str:
    if quantity_end >= 0 and (product := _noun_run(text[quantity_end : quantity_end + 30])):
        return product
    match = BUY_RE.search(text)
    if match:
        stop = quantity_start if quantity_start > match.end() else match.end() + 30
        return _noun_run(text[match.end() : stop], skip_numbers=False)
    return ""


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
    if m := re.search(rf"({TOKEN})\s*(天|周|个星期|个月)[内后]", text):
        count = token_value(m[1])
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
    text = normalize_text(text)
    quantity, quantity_max, unit, start, end = extract_quantity(text)
    draft = ChatDraft(
        quantity=quantity,
        quantity_max=quantity_max,
        unit=unit,
        product=extract_product(text, start, end),
        budget_amount=extract_budget(text),
        time_frame=extract_time_frame(text, today=today),
    )
    for rule in rules or []:
        if _rule_hits(rule, draft, text) and rule.tag not in draft.tags:
            draft.tags.append(rule.tag)
    return draft
