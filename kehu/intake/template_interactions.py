"""The interaction import's template (issue 15): a data sheet headed with the interaction
template's columns (kehu.intake.validators.INTERACTION_HEADERS) with drop-downs for the method,
the customer's feedback and the people, a sheet of instructions with an example row, and a
hidden sheet holding the value lists. Like the customer template, the data sheet is the first
and the one whose header names the known columns, so the importer reads it."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from kehu.accounts.models import User

from .files import csv_stream, template_lines
from .template_xlsx import template_book, template_workbook
from .validators import INTERACTION_HEADERS

# The field standard's required fields, and the customer (one of its columns must name it).
REQUIRED = {"topic", "summary", "feedback", "next_action"}
NOTES = {
    "customer_no": "客户编号（CX 开头），如 CX2026030001。客户编号、统一社会信用代码、外部编号、客户名称填一个即可；都填时按此顺序取第一个。",
    "customer_name": "营业执照上的注册全称；同名客户有多个时请改填客户编号。",
    "credit_code": "18 位统一社会信用代码。",
    "external_id": "你方系统里的客户编号（导入客户时的外部编号）。",
    "contact": "可选。该客户的联系人姓名，须已在系统中。",
    "occurred_at": "互动发生的时间，如 2026-03-05 14:30；空着则为导入时间。不能晚于现在。同一客户、时间、方式和主题的记录再次导入时会跳过。",
    "method": "从下拉列表选择：电话、拜访、邮件、会议、线上直播、微信。",
    "topic": "必填（字段标准）。这次互动谈的是什么。",
    "summary": "必填（字段标准）。沟通内容摘要。",
    "feedback": "必填（字段标准）。从下拉列表选择客户反馈。",
    "next_action": "必填（字段标准）。下一步做什么。",
    "next_action_due": "可选。下一步的截止日期，如 2026-03-12。",
    "next_action_owner": "可选。下一步负责人的用户名或显示名，须在该客户的团队中。",
    "performed_by": "可选。跟进人的用户名或显示名，须在该客户的团队中；空着则为导入人。",
}
EXAMPLE = {
    "customer_no": "CX2026030001",
    "contact": "王建国",
    "occurred_at": "2026-03-05 14:30",
    "method": "拜访",
    "topic": "年度采购计划沟通",
    "summary": "客户计划下季度扩容，需要报价和案例。",
    "feedback": "有兴趣",
    "next_action": "发送报价单和两个同行业案例",
    "next_action_due": "2026-03-12",
    "performed_by": "zhang",
}


def _value_lists() -> dict[str, list[str]]:
    """The drop-downs, in words the importer reads (METHOD_ALIASES, FEEDBACK_ALIASES)."""
    users = [u.username for u in User.objects.filter(is_active=True).order_by("username")]
    return {
        "method": ["电话", "拜访", "邮件", "会议", "线上直播", "微信"],
        "feedback": ["有兴趣", "需进一步了解", "暂不考虑", "明确拒绝", "提出异议"],
        "performed_by": users,
        "next_action_owner": users,
    }


def interaction_template_lines() -> Iterator[list[str]]:
    """The CSV template: the header row."""
    yield list(INTERACTION_HEADERS)


def interaction_template_workbook() -> bytes:
    headers = list(INTERACTION_HEADERS)
    fields = [INTERACTION_HEADERS[h] for h in headers]
    return template_book(
        sheet="互动记录",
        headers=headers,
        fields=fields,
        required=REQUIRED,
        notes=NOTES,
        lists=_value_lists(),
        relaxed=("performed_by", "next_action_owner"),
        guide=[
            "Kehu 互动记录导入模板 · 填写说明",
            "在“互动记录”表中每行填一次互动，不要改动第一行的列名。黄色列为字段标准的必填项：缺少时该行不会导入，并在报告中列出行号、字段和原因。",
            "导入前可先“试运行”：每个有问题的行都会列出来，什么都不会写入。只能导入你能看到并可跟进的客户的互动。",
        ],
        examples=[[EXAMPLE.get(field, "") for field in fields]],
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_response(kind: str, file_format: str) -> HttpResponseBase:
    """The template of an import kind (customers: the standard's; interactions) as a download:
    `xlsx` or `csv` (the header row). The pages and GET /api/v1/import-template share it."""
    name = f"kehu-{kind}-template.{file_format}"
    if file_format == "csv":
        lines = interaction_template_lines() if kind == "interactions" else template_lines()
        response: HttpResponseBase = StreamingHttpResponse(
            csv_stream(lines), content_type="text/csv; charset=utf-8"
        )
    else:
        body = interaction_template_workbook() if kind == "interactions" else template_workbook()
        response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
