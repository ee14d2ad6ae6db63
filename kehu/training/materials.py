"""Files a drill hands its trainee, made when downloaded (nothing binary is committed): the messy
spreadsheet of the import drill and the business card of the capture drill.

A scenario names its files under "materials": [{"file": "…", "maker": "…", "title": {…}}]; the
maker is registered here and gets the trainee (the spreadsheet's 负责人 is the trainee, so a
sales rep may import it too). The scenario page links each file
(/training/scenarios/<id>/materials/<file>)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook

from kehu.accounts.models import User
from kehu.intake.validators import STANDARD_HEADERS


@dataclass(frozen=True)
class Material:
    content_type: str
    make: Callable[[User], bytes]


MATERIALS: dict[str, Material] = {}


def material(name: str, content_type: str) -> Callable[[Callable[[User], bytes]], None]:
    def register(fn: Callable[[User], bytes]) -> None:
        MATERIALS[name] = Material(content_type, fn)

    return register


# --- The import drill: five customers from a trade fair, typed by hand -----------------------

# (name, industry as typed, source as typed, decision maker, mobile as typed); the right values
# of the rows that fail or are kept 待补全 are in IMPORT_FIXES.
IMPORT_ROWS = (
    ("宁波甬江培训机电有限公司", "制造业", "展会", "陈立明", "139 5740 0001"),
    ("温州瓯海培训鞋业有限公司", "制造业", "展会拜访", "林海燕", "139-5778-0002"),
    ("绍兴柯桥培训纺织有限公司", "纺织印染业", "展会拜访", "孙卫东", "13957500003"),
    ("嘉兴南湖培训电子有限公司", "信息技术", "微信群", "沈佳怡", "13957300004"),
    ("台州黄岩培训模具有限公司", "制造业", "展会拜访", "郑国平", "1385766OO05"),
)
IMPORT_NAMES = tuple(row[0] for row in IMPORT_ROWS)
IMPORT_CITIES = ("宁波市", "温州市", "绍兴市", "嘉兴市", "")
# What the trainee must correct (each row fails): an industry and a source the dictionaries do
# not know, and a mobile typed with letters O for zeros (the row's only way to reach them).
IMPORT_FIXES = {
    "绍兴柯桥培训纺织有限公司": {"industry": "制造业"},
    "嘉兴南湖培训电子有限公司": {"source": "展会拜访"},
    "台州黄岩培训模具有限公司": {"mobile": "13857660005"},
}
IMPORT_FILE = "trade-fair-customers.xlsx"


@material("messy_customers", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def messy_customers(trainee: User) -> bytes:
    """The trade fair's list in the standard's columns, as a colleague typed it."""
    headers = list(STANDARD_HEADERS)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "展会名单"
    sheet.append(headers)
    owner = trainee.display_name or trainee.get_username()
    for number, (name, industry, source, person, mobile) in enumerate(IMPORT_ROWS, start=1):
        row = {
            "外部编号": f"FAIR-{number:03d}",
            "客户名称": f" {name}",
            "所属行业": industry,
            "客户规模": "中型企业(100-500人)",
            "企业性质": "民营企业",
            "关键决策人姓名": person,
            "决策人职位": "采购经理",
            "决策人联系方式": mobile,
            "省份": "浙江省",
            "城市": IMPORT_CITIES[number - 1],
            "客户地址": f"浙江省{city}经济开发区培训路{number}号"
            if (city := IMPORT_CITIES[number - 1])
            else "",
            "客户来源": source,
            "首次接触时间": "2026年3月5日",
            "客户状态": "潜在客户",
            "负责人": owner,
        }
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- The capture drill: one business card -----------------------------------------------------

CARD = {
    "name": "韩志远",
    "title": "采购总监",
    "company": "无锡培训名片精密机械有限公司",
    "mobile": "13771234567",
    "phone": "0510-85201234",
    "email": "hanzhiyuan@wxmp.com.cn",
    "address": "江苏省无锡市新吴区长江路88号",
    "website": "",
}
CARD_FILE = "business-card.png"


@material("business_card", "image/png")
def business_card(trainee: User) -> bytes:
    """The card as a photo would show it (drawn with fonts-wqy-microhei)."""
    from kehu.intake.capture.cardimage import render_card

    buffer = io.BytesIO()
    render_card(CARD, "labelled").save(buffer, format="PNG")
    return buffer.getvalue()
