"""The downloadable import template as an XLSX workbook: a data sheet whose header is the
standard's (kehu.intake.validators.STANDARD_HEADERS) with a drop-down for every value-list
column, a sheet of instructions and examples, and a hidden sheet holding the value lists.

The data sheet is the first and the only one whose first row names the standard's columns, so
`kehu import` and the upload page read it (the XLSX reader takes the sheet whose header names
the most known columns); the examples sit under a title on the instructions sheet.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kehu.accounts.models import User
from kehu.customers.custom_fields import custom_fields_of
from kehu.customers.models import Customer, CustomField, Industry, Source

from .validators import CUSTOM_TARGET, MAKER_CUSTOM_TARGET, STANDARD_HEADERS, maker_header

DATA_ROWS = 2000  # rows of the data sheet that carry the drop-downs
# Columns the standard requires (a missing one marks the customer 待补全, the name refuses it).
REQUIRED = {
    "name", "industry", "size", "decision_maker.name", "decision_maker.title",
    "decision_maker.mobile", "source", "first_contact_date", "status", "owner",
}  # fmt: skip
NOTES = {
    "external_id": "可选。你方系统里的客户编号；再次导入同一文件时按它更新，不重复创建。",
    "name": "必填。营业执照上的注册全称，如“深圳市腾讯计算机系统有限公司”，不要写简称。",
    "credit_code": "可选。18 位统一社会信用代码，会校验校验位。",
    "industry": "从下拉列表选择一级行业。",
    "sub_industry": "可选。所选一级行业下的二级行业（下拉列表列出全部二级行业）。",
    "size": "从下拉列表选择：小型企业（<100人）、中型企业（100-500人）、大型企业（>500人）。",
    "decision_maker.name": "关键决策人的姓名。",
    "decision_maker.title": "关键决策人的职位，如总经理、采购总监。",
    "decision_maker.mobile": "11 位手机号，或带区号的座机，如 0755-86013388；分机写“转 8”。",
    "email": "可选。单位或决策人的电子邮箱。",
    "province": "可选。省份，如广东省。",
    "city": "可选。城市，如深圳市。",
    "address": "可选。详细地址。",
    "source": "从下拉列表选择客户来源。",
    "first_contact_date": "日期，如 2026-03-05 或 2026年3月5日。",
    "status": "从下拉列表选择。成交客户需经理审批，导入时会进入审批。",
    "owner": "负责人的用户名或显示名（下拉列表列出在职用户）。",
    "budget_amount": "可选。年合作预算，元；也可写“8万”。",
}


def _value_lists() -> dict[str, list[str]]:
    """The drop-down values per field, in the words people (and the importer) use."""
    with translation.override("zh-hans"):
        sizes = {
            Customer.Size.SMALL: "小型企业(<100人)",
            Customer.Size.MEDIUM: "中型企业(100-500人)",
            Customer.Size.LARGE: "大型企业(>500人)",
        }
        statuses = [str(label) for _value, label in Customer.Status.choices]
    users = User.objects.filter(is_active=True).order_by("username")
    return {
        "industry": list(
            Industry.objects.filter(parent__isnull=True)
            .order_by("id")
            .values_list("name", flat=True)
        ),
        "sub_industry": list(
            Industry.objects.filter(parent__isnull=False)
            .order_by("parent_id", "id")
            .values_list("name", flat=True)
        ),
        "size": list(sizes.values()),
        "source": list(Source.objects.filter(is_active=True).values_list("name", flat=True)),
        "status": statuses,
        "owner": [u.display_name or u.username for u in users],
    }


def _example_rows() -> list[dict[str, Any]]:
    return [
        {
            "external_id": "ERP-0001",
            "name": "深圳市华信软件有限公司",
            "credit_code": "",
            "industry": "软件和信息技术服务业",
            "sub_industry": "软件开发",
            "size": "中型企业(100-500人)",
            "decision_maker.name": "王建国",
            "decision_maker.title": "总经理",
            "decision_maker.mobile": "13800138000",
            "email": "wang.jianguo@huaxin-soft.cn",
            "province": "广东省",
            "city": "深圳市",
            "address": "南山区科技园科苑路 15 号",
            "source": "官网注册",
            "first_contact_date": "2026-03-05",
            "status": "意向客户",
            "owner": "",
            "budget_amount": "50万",
        },
        {
            "external_id": "ERP-0002",
            "name": "苏州精工机械制造有限公司",
            "credit_code": "",
            "industry": "制造业",
            "sub_industry": "机械设备",
            "size": "大型企业(>500人)",
            "decision_maker.name": "李娜",
            "decision_maker.title": "采购总监",
            "decision_maker.mobile": "0512-65123456 转 8",
            "email": "",
            "province": "江苏省",
            "city": "苏州市",
            "address": "工业园区星湖街 88 号",
            "source": "展会拜访",
            "first_contact_date": "2026年4月12日",
            "status": "潜在客户",
            "owner": "",
            "budget_amount": "120000",
        },
    ]


def template_workbook() -> bytes:
    """The workbook's bytes."""
    headers = list(STANDARD_HEADERS)
    fields = [STANDARD_HEADERS[h] for h in headers]
    lists = _value_lists()
    # The administrator's custom fields of customers: a column each, headed by the label (the
    # import maps it back); a single choice gets its drop-down (issue 15).
    notes, required = dict(NOTES), set(REQUIRED)
    for custom in custom_fields_of(CustomField.Entity.CUSTOMER):
        target = f"{CUSTOM_TARGET}{custom.key}"
        headers.append(custom.label)
        fields.append(target)
        notes[target] = custom.help_text
        if custom.required:
            required.add(target)
        if custom.kind == CustomField.Kind.CHOICE:
            lists[target] = list(custom.choices)
        elif custom.kind == CustomField.Kind.MULTI_CHOICE:
            notes[target] = " ".join(
                filter(None, [custom.help_text, "多个值用顿号分隔：" + "、".join(custom.choices)])
            )
    # Contacts' custom fields, filled on the decision maker: 决策人·<label> (issue 15).
    for custom in custom_fields_of(CustomField.Entity.CONTACT):
        target = f"{MAKER_CUSTOM_TARGET}{custom.key}"
        headers.append(maker_header(custom))
        fields.append(target)
        notes[target] = " ".join(filter(None, ["决策人的自定义字段。", custom.help_text]))
        if custom.kind == CustomField.Kind.CHOICE:
            lists[target] = list(custom.choices)
    return template_book(
        sheet="客户",
        headers=headers,
        fields=fields,
        required=required,
        notes=notes,
        lists=lists,
        relaxed=("owner", "sub_industry"),
        guide=[
            "Kehu 客户导入模板 · 填写说明",
            "在“客户”表中每行填一个客户，不要改动第一行的列名。黄色列为标准要求的字段：缺少时客户标为“待补全”，客户名称为空的行不会导入。",
            "导入前可先“试运行”：每个有问题的行都会列出行号、字段和原因，什么都不会写入。",
        ],
        examples=[[example.get(field, "") for field in fields] for example in _example_rows()],
    )


def template_book(
    *,
    sheet: str,
    headers: list[str],
    fields: list[str],
    required: set[str],
    notes: dict[str, str],
    lists: dict[str, list[str]],
    relaxed: tuple[str, ...],
    guide: list[str],
    examples: list[list[Any]],
) -> bytes:
    """An import template's workbook: the data sheet `sheet` (its header, the required columns
    marked, a note per column, a drop-down per value list; those in `relaxed` accept other
    values too), the hidden value lists, and the instructions (`guide`: a title, then lines)
    with a row per column and the examples."""
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = sheet
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for col, (header, field) in enumerate(zip(headers, fields, strict=True), start=1):
        cell = data.cell(row=1, column=col, value=header)
        cell.font = bold
        if field in required:
            cell.fill = required_fill
        if notes.get(field):
            cell.comment = Comment(notes[field], "Kehu")
        data.column_dimensions[get_column_letter(col)].width = max(12, len(header) * 2 + 4)
    data.freeze_panes = "A2"

    values = book.create_sheet("值列表")
    values.sheet_state = "hidden"
    for col, (field, items) in enumerate(lists.items(), start=1):
        values.cell(row=1, column=col, value=field)
        for row, item in enumerate(items, start=2):
            values.cell(row=row, column=col, value=item)
        if field not in fields or not items:
            continue
        letter = get_column_letter(col)
        rule = DataValidation(
            type="list",
            formula1=f"'值列表'!${letter}$2:${letter}${len(items) + 1}",
            allow_blank=True,
            showErrorMessage=field not in relaxed,
            errorTitle="不在列表中",
            error="请从下拉列表选择。",
        )
        target = get_column_letter(fields.index(field) + 1)
        rule.add(f"{target}2:{target}{DATA_ROWS + 1}")
        data.add_data_validation(rule)

    sheet_guide = book.create_sheet("填写说明")
    sheet_guide.column_dimensions["A"].width = 18
    sheet_guide.column_dimensions["B"].width = 10
    sheet_guide.column_dimensions["C"].width = 90
    sheet_guide.append([guide[0]])
    sheet_guide["A1"].font = Font(bold=True, size=14)
    for line in guide[1:]:
        sheet_guide.append([line])
    sheet_guide.append([])
    sheet_guide.append(["列名", "必填", "说明"])
    header_row = sheet_guide.max_row
    for cell in sheet_guide[header_row]:
        cell.font = bold
    for header, field in zip(headers, fields, strict=True):
        sheet_guide.append([header, "是" if field in required else "", notes.get(field, "")])
    for row in sheet_guide.iter_rows(min_row=header_row + 1):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    sheet_guide.append([])
    sheet_guide.append([f"示例（复制到“{sheet}”表时请改成真实数据）"])
    sheet_guide.cell(row=sheet_guide.max_row, column=1).font = bold
    sheet_guide.append(headers)
    for example in examples:
        sheet_guide.append(example)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
