"""Chat capture: each field right or left empty, never wrong (frozen clock: 2026-05-14, Thu)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kehu.intake.capture.chat import parse_chat
from kehu.intake.capture.models import ChatTagRule

TODAY = date(2026, 5, 14)
E = ""  # left empty
# text, quantity, unit, product, budget (yuan), time frame
CASES: list[tuple[str, Any, str, str, Any, str]] = [
    ("我们需要采购200台设备,预算大概50万,下个月定", 200, "台", "设备", 500000, "2026-06-30"),
    ("要50套ERP软件，预算30-50万，Q3上线", 50, "套", "ERP软件", 500000, "2026-09-30"),
    ("想订两百件工作服,总价5千元左右,月底前交货", 200, "件", "工作服", 5000, "2026-05-31"),
    ("采购1.5万件T恤，单价20元，三月份交货", 15000, "件", "T恤", None, "2027-03-31"),
    ("需要买笔记本电脑30台,预算20到30万", 30, "台", "笔记本电脑", 300000, E),
    ("这个项目预算8k，下周给答复", None, E, E, 8000, "2026-05-24"),
    ("第三方评估需要两个人", None, E, E, None, E),
    ("预算一百二十万,年底前完成", None, E, E, 1200000, "2026-12-31"),
    ("采购100箱矿泉水,5月20日前送到", 100, "箱", "矿泉水", None, "2026-05-20"),
    ("要10辆叉车,报价300万,2026-09-30前签合同", 10, "辆", "叉车", 3000000, "2026-09-30"),
    ("我们3个月后再说", None, E, E, None, "2026-08-14"),
    ("老板说下半年再考虑", None, E, E, None, "2026-12-31"),
    ("麻烦报个价,500个螺丝", 500, "个", "螺丝", None, E),
    ("预算不超过80万元,本周内确定供应商", None, E, E, 800000, "2026-05-17"),
    ("需要20套办公桌椅,明天能送吗", 20, "套", "办公桌椅", None, "2026-05-15"),
    ("你好,我们想采购一批服务器,预算在100万左右", None, E, "服务器", 1000000, E),
    ("我们打算6月份采购300台空调", 300, "台", "空调", None, "2026-06-30"),
    ("30吨钢材,价格好说,年底要", 30, "吨", "钢材", None, "2026-12-31"),
    ("合同金额1.2亿,明年上半年执行", None, E, E, 120000000, "2027-06-30"),
    ("要两台打印机,预算1万,后天到货", 2, "台", "打印机", 10000, "2026-05-16"),
    ("我们公司有500个员工,想了解一下考勤系统", None, E, E, None, E),
    ("采购5000件包装盒,月中交货", 5000, "件", "包装盒", None, "2026-05-15"),
    ("报价单收到了,单价3000元每台,先要15台", 15, "台", E, None, E),
    ("预算50-80w,第四季度采购", None, E, E, 800000, "2026-12-31"),
    ("下下个月要120套课桌", 120, "套", "课桌", None, "2026-07-31"),
    ("两周内需要3台发电机,急!", 3, "台", "发电机", None, "2026-05-28"),
    ("今天聊得不错,回头再联系", None, E, E, None, E),
    ("预算3万块钱,要一台投影仪", 1, "台", "投影仪", 30000, E),
    ("八月份要采购200箱饮料,总共大概6万元", 200, "箱", "饮料", 60000, "2026-08-31"),
    ("能不能便宜点,我们要40台电脑,5月30号前签", 40, "台", "电脑", None, "2026-05-30"),
    ("明年年底前上线,预算二百万", None, E, E, 2000000, "2027-12-31"),
    ("上次说的100套软件许可,Q1再谈", 100, "套", "软件许可", None, "2027-03-31"),
    ("他们有两个方案,一个20万一个35万", None, E, E, None, E),
]


@pytest.mark.parametrize("text,quantity,unit,product,budget,when", CASES)
def test_chat_fields_right_or_empty(
    text: str, quantity: Any, unit: str, product: str, budget: Any, when: str
) -> None:
    card = parse_chat(text, today=TODAY).as_json()
    assert (card["quantity"], card["unit"]) == (quantity, unit)
    assert card["product"] == product
    assert card["budget_amount"] == budget
    assert card["time_frame"] == when


def test_the_messages_check_every_field_both_ways() -> None:
    """At least thirty distinct messages; each field is found in some and must stay empty in
    others, so a parser that leaves everything empty, or fills everything in, fails the cases."""
    assert len({case[0] for case in CASES}) == len(CASES) >= 30
    fields = ("quantity", "unit", "product", "budget", "time frame")
    for index, field in enumerate(fields, start=1):
        found = sum(case[index] not in (None, E) for case in CASES)
        assert 5 <= found <= len(CASES) - 5, (field, found)
    assert sum(any(v not in (None, E) for v in case[1:]) for case in CASES) >= len(CASES) - 5


@pytest.mark.django_db
def test_seeded_rule_tags_bulk_purchase_and_rules_are_data() -> None:
    rules = list(ChatTagRule.objects.filter(is_active=True))
    assert "批量采购" in parse_chat("采购200台设备", today=TODAY, rules=rules).tags
    assert "批量采购" not in parse_chat("采购20台设备", today=TODAY, rules=rules).tags
    ChatTagRule.objects.create(tag="软件", field="product", op="contains", value="软件")
    rules = list(ChatTagRule.objects.filter(is_active=True))
    assert parse_chat("要5套ERP软件", today=TODAY, rules=rules).tags == ["软件"]
