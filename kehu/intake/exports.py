"""Export of a filtered customer list to CSV or XLSX: scoped, masked, formula-safe, streamed, audited.

Rows come from customers.selectors (the caller's visibility, the list's filters), read in keyset
chunks so memory stays flat. Phones and e-mails are shown whole to the customer's owner, the
owner's manager and administrators; everyone else gets them masked. A text cell that a spreadsheet
would run as a formula (= + - @ tab CR) starts with an apostrophe.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kehu.accounts.models import User
from kehu.accounts.policy import can_see_pii, sees_amount_bands
from kehu.audit.actions import AuditAction
from kehu.audit.models import ReadEntry
from kehu.audit.services import audit_record, read_record
from kehu.core.errors import ValidationFailed
from kehu.core.validators import amount_band, format_phone, mask_phone
from kehu.customers.consent_gate import consent_gate
from kehu.customers.custom_fields import custom_fields_by_entity
from kehu.customers.masking import custom_value_shown
from kehu.customers.models import Contact, Customer, CustomField
from kehu.customers.pull_volume import pull_rows
from kehu.customers.selectors import customer_filter, customer_queryset_for

from .validators import maker_header, mask_email, neutralize_cell

_SURROGATE = re.compile("[\ud800-\udfff]")

CHUNK = 2000
FORMATS = ("csv", "xlsx")
COLUMNS = [
    "客户编号",
    "外部编号",
    "客户名称",
    "统一社会信用代码",
    "所属行业",
    "二级行业",
    "客户规模",
    "关键决策人姓名",
    "决策人职位",
    "决策人联系方式",
    "邮箱",
    "电话",
    "省份",
    "城市",
    "区县",
    "行政区划代码",
    "客户地址",
    "客户来源",
    "首次接触时间",
    "客户状态",
    "负责人",
    "年合作预算",
    "资料完整度",
    "数据质量",
]


def may_see_contact_details(user: Any, customer: Customer) -> bool:
    """The owner, the owner's manager (same team) and administrators see whole numbers."""
    return can_see_pii(user, customer)


def customer_export_queryset(user: Any, params: dict[str, Any]) -> QuerySet[Customer]:
    return customer_export_gated(user, params)[0]


def customer_export_gated(user: Any, params: dict[str, Any]) -> tuple[QuerySet[Customer], int]:
    """(the customers the export writes, how many of the list's were left out for want of a
    live consent): `purpose=marketing` (or another purpose, kehu.privacy) keeps only customers
    with a live consent for it (issue 19)."""
    skip = ("format", "cursor", "limit", "purpose")
    filters = {k: v for k, v in params.items() if k not in skip}
    queryset = customer_filter(customer_queryset_for(user), {**filters, "_user": user})
    purpose = str(params.get("purpose") or "").strip()
    if not purpose:
        return queryset, 0
    return consent_gate(queryset, purpose)


def _rows(
    user: Any,
    queryset: QuerySet[Customer],
    custom: list[CustomField],
    maker_custom: list[CustomField],
) -> Iterator[list[Any]]:
    last = 0
    base = queryset.order_by("pk").select_related("industry", "sub_industry", "source", "owner")
    while True:
        chunk = list(base.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        makers: dict[int, Contact] = {}
        for contact in Contact.objects.filter(
            customer_id__in=[c.pk for c in chunk],
            has_left=False,
            decision_role=Contact.DecisionRole.DECISION_MAKER,
        ).order_by("-is_primary", "-pk"):
            makers[contact.customer_id] = contact
        for customer in chunk:
            values = customer.custom_fields or {}
            maker = makers.get(customer.pk)
            maker_values = (maker.custom_fields or {}) if maker is not None else {}
            yield [
                *_line(user, customer, maker),
                *(
                    _custom_cell(custom_value_shown(user, customer, f, values.get(f.key)))
                    for f in custom
                ),
                *(
                    _custom_cell(custom_value_shown(user, customer, f, maker_values.get(f.key)))
                    for f in maker_custom
                ),
            ]
        last = chunk[-1].pk


def _custom_cell(value: Any) -> Any:
    """A custom field's value as a cell an import reads back (choices joined with 、)."""
    if value is None:
        return ""
    return "、".join(map(str, value)) if isinstance(value, list) else value


def _line(user: Any, c: Customer, maker: Contact | None) -> list[Any]:
    full = may_see_contact_details(user, c)

    def phone(value: str) -> str:
        return format_phone(value) if full else mask_phone(value)

    def email(value: str) -> str:
        return value if full else mask_email(value)

    maker_phone = (maker.mobile or maker.landline) if maker else ""
    return [
        c.customer_no,
        c.external_id,
        c.name,
        c.credit_code,
        c.industry.name if c.industry else "",
        c.sub_industry.name if c.sub_industry else "",
        c.get_size_display() if c.size else "",
        maker.name if maker else "",
        maker.title if maker else "",
        phone(maker_phone) if maker_phone else "",
        email(c.email or (maker.email if maker else "")),
        phone(c.phone) if c.phone else "",
        c.province,
        c.city,
        c.district,
        c.region_code,
        c.address,
        c.source.name if c.source else "",
        c.first_contact_date.isoformat() if c.first_contact_date else "",
        c.get_status_display(),
        c.owner.label if c.owner else "",
        amount_band(c.budget_amount) if sees_amount_bands(user) else c.budget_amount,
        c.completeness,
        c.get_quality_display(),
    ]


def customer_export(
    *, actor: User, params: dict[str, Any], file_format: str
) -> tuple[int, Iterator[list[Any]], int]:
    """(row count, lines with the header first, customers left out for want of consent);
    records the export in the audit log (the change log's chain, kept for good, and the read
    log) and counts its rows in the day's volume."""
    if file_format not in FORMATS:
        raise ValidationFailed({"format": [_("Choose csv or xlsx.")]})
    queryset, left_out = customer_export_gated(actor, params)
    count = queryset.count()
    filters = {k: str(v) for k, v in params.items() if k != "format"}
    changes: dict[str, Any] = {"format": file_format, "rows": count, "filters": filters}
    if "purpose" in params:
        changes["left_out_no_consent"] = left_out
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.CUSTOMERS_EXPORTED, changes=changes)
        read_record(
            actor=actor,
            kind=ReadEntry.Kind.EXPORT,
            query=json.dumps({"format": file_format, **filters}, ensure_ascii=False),
            rows=count,
        )
        pull_rows(actor=actor, rows=count, refuse=False)  # export_guard has decided already

    # A column per active custom field of customers, headed by its label, and one per field of
    # contacts for the decision maker's value, headed 决策人·<label> (an import maps them back).
    fields = custom_fields_by_entity()
    custom, maker_custom = fields[CustomField.Entity.CUSTOMER], fields[CustomField.Entity.CONTACT]

    def lines() -> Iterator[list[Any]]:
        yield [*COLUMNS, *(f.label for f in custom), *(maker_header(f) for f in maker_custom)]
        for line in _rows(actor, queryset, custom, maker_custom):
            yield [neutralize_cell(str(v)) if isinstance(v, str) else v for v in line]

    return count, lines(), left_out


def _xlsx_value(value: Any) -> Any:
    """A value XLSX can hold: text without the control characters the format forbids (a BEL
    stored before they were stripped at input made every export holding it fail); a lone
    surrogate, which no file can hold, becomes U+FFFD."""
    if value is None:
        return ""
    if isinstance(value, str) and not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        value = _SURROGATE.sub("\ufffd", value)
    return value


def xlsx_file(lines: Iterator[list[Any]]) -> IO[bytes]:
    """The lines in a write-only workbook (rows are flushed as written), in a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    for line in lines:
        sheet.append([_xlsx_value(v) for v in line])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle
