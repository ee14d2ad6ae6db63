"""Import targets, the built-in mapping presets, and the cell rules of exports."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kehu.core.text import clean_text
from kehu.customers.custom_fields import custom_fields_by_entity
from kehu.customers.models import CustomField

# Target fields a column may map to: customer payload keys (customer_clean), the inline decision
# maker, and first/last name halves that are joined into the decision maker's name.
TARGETS: dict[str, Any] = {
    "external_id": _("External id"),
    "name": _("Customer name"),
    "kind": _("Kind"),
    "credit_code": _("Unified social credit code"),
    "industry": _("Industry"),
    "sub_industry": _("Sub-industry"),
    "size": _("Size"),
    "ownership": _("Ownership"),
    "decision_maker.name": _("Decision maker's name"),
    "decision_maker.first_name": _("Decision maker's first name"),
    "decision_maker.last_name": _("Decision maker's last name"),
    "decision_maker.title": _("Decision maker's title"),
    "decision_maker.mobile": _("Decision maker's phone"),
    "decision_maker.email": _("Decision maker's e-mail"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "province": _("Province"),
    "city": _("City"),
    "district": _("District"),
    "region_code": _("Region code (GB/T 2260)"),
    "address": _("Address"),
    "source": _("Source"),
    "first_contact_date": _("First contact date"),
    "status": _("Status"),
    "owner": _("Owner"),
    "budget_amount": _("Annual budget"),
    "budget_amount_wan": _("Annual budget in 10,000 yuan (万元)"),
    "budget_band": _("Budget band"),
    "notes": _("Notes"),
}

CUSTOM_TARGET = "custom_fields."
MAKER_CUSTOM_TARGET = "decision_maker.custom_fields."

# What an import makes: customers (with their decision makers) or interactions (互动记录).
KIND_CUSTOMERS, KIND_INTERACTIONS = "customers", "interactions"
IMPORT_KINDS = (KIND_CUSTOMERS, KIND_INTERACTIONS)

# Targets of an interaction import: the customer it belongs to (by its number, registered name,
# credit code or your system's id: the first given that names one), the contact by name, and
# the interaction's fields as POST /api/v1/customers/{no}/interactions takes them.
INTERACTION_TARGETS: dict[str, Any] = {
    "customer_no": _("Customer number"),
    "customer_name": _("Customer's registered name"),
    "credit_code": _("Unified social credit code"),
    "external_id": _("External id"),
    "contact": _("Contact's name"),
    "occurred_at": _("Time"),
    "method": _("Method"),
    "topic": _("Topic"),
    "summary": _("Summary"),
    "feedback": _("Customer feedback"),
    "next_action": _("Next action"),
    "next_action_due": _("Next action due"),
    "next_action_owner": _("Next action by"),
    "performed_by": _("Performed by"),
}
# The interaction template's columns (the shared generator's interactions.csv uses the same
# words: 外部编号, 互动时间, 互动方式, 互动主题, 沟通内容摘要, 客户反馈, 下一步行动, 跟进人).
INTERACTION_HEADERS: dict[str, str] = {
    "客户编号": "customer_no",
    "客户名称": "customer_name",
    "统一社会信用代码": "credit_code",
    "外部编号": "external_id",
    "联系人": "contact",
    "互动时间": "occurred_at",
    "互动方式": "method",
    "互动主题": "topic",
    "沟通内容摘要": "summary",
    "客户反馈": "feedback",
    "下一步行动": "next_action",
    "下一步截止日期": "next_action_due",
    "下一步负责人": "next_action_owner",
    "跟进人": "performed_by",
}
INTERACTION_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("customer_no", "customer number", "客户号"), "customer_no"),
    **dict.fromkeys(("客户全称", "公司名称", "公司", "企业名称", "customer"), "customer_name"),
    **dict.fromkeys(("信用代码", "社会信用代码"), "credit_code"),
    **dict.fromkeys(("联系人姓名", "对接人", "contact"), "contact"),
    **dict.fromkeys(("时间", "跟进时间", "沟通时间", "拜访时间", "日期", "time"), "occurred_at"),
    **dict.fromkeys(("方式", "跟进方式", "沟通方式", "联系方式", "method"), "method"),
    **dict.fromkeys(("主题", "跟进主题", "topic"), "topic"),
    **dict.fromkeys(("沟通内容", "内容", "摘要", "跟进内容", "summary"), "summary"),
    **dict.fromkeys(("反馈", "客户意向", "feedback"), "feedback"),
    **dict.fromkeys(("下一步", "下一步计划", "后续行动", "next action"), "next_action"),
    **dict.fromkeys(("截止日期", "下次跟进日期", "计划日期", "due"), "next_action_due"),
    **dict.fromkeys(("执行人", "销售", "业务员", "performer", "username"), "performed_by"),
}  # fmt: skip


def import_targets(kind: str = KIND_CUSTOMERS) -> dict[str, Any]:
    """The targets of an import of this kind: for customers TARGETS, the active custom fields of
    customers (`custom_fields.<key>`: the label) and of contacts, filled on the decision maker
    (`decision_maker.custom_fields.<key>`); for interactions INTERACTION_TARGETS."""
    if kind == KIND_INTERACTIONS:
        return dict(INTERACTION_TARGETS)
    fields = custom_fields_by_entity()
    custom = {f"{CUSTOM_TARGET}{f.key}": f.label for f in fields[CustomField.Entity.CUSTOMER]}
    maker = {
        f"{MAKER_CUSTOM_TARGET}{f.key}": format_lazy("{} · {}", _("Decision maker"), f.label)
        for f in fields[CustomField.Entity.CONTACT]
    }
    return {**TARGETS, **custom, **maker}


def maker_header(field: CustomField) -> str:
    """The column of a contact's custom field for the decision maker (exports, the template)."""
    return f"决策人·{field.label}"


def custom_header_targets() -> dict[str, str]:
    """{header: target} that maps a column named like a custom field (its label or its key); a
    contact's field is filled on the decision maker (a customer's field of the same name wins)."""
    headers: dict[str, str] = {}
    fields = custom_fields_by_entity()
    for field in fields[CustomField.Entity.CONTACT]:
        target = f"{MAKER_CUSTOM_TARGET}{field.key}"
        headers[field.key] = headers[field.label] = headers[maker_header(field)] = target
    for field in fields[CustomField.Entity.CUSTOMER]:
        headers[field.key] = headers[field.label] = f"{CUSTOM_TARGET}{field.key}"
    return headers


# The standard template: exactly the columns of ../shared/data/gen_cn_customers.py, in its order.
STANDARD_HEADERS: dict[str, str] = {
    "外部编号": "external_id",
    "客户名称": "name",
    "统一社会信用代码": "credit_code",
    "所属行业": "industry",
    "二级行业": "sub_industry",
    "客户规模": "size",
    "企业性质": "ownership",
    "关键决策人姓名": "decision_maker.name",
    "决策人职位": "decision_maker.title",
    "决策人联系方式": "decision_maker.mobile",
    "邮箱": "email",
    "省份": "province",
    "城市": "city",
    "客户地址": "address",
    "客户来源": "source",
    "首次接触时间": "first_contact_date",
    "客户状态": "status",
    "负责人": "owner",
    "年合作预算": "budget_amount",
}

# Headers that people's own sheets use for the standard's fields: the standard preset knows them
# too. Units are not dropped: "年合作预算(万元)" is the amount in 万元 (budget_amount_wan, read as
# "<cell>万"), and a unit it does not know leaves the column unmapped and reported.
STANDARD_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("客户编号", "编号", "客户id"), "external_id"),
    **dict.fromkeys(("客户类型", "客户类别"), "kind"),
    **dict.fromkeys(
        ("客户名", "客户全称", "公司名称", "公司", "公司全称", "企业名称", "单位名称", "单位"), "name"
    ),
    **dict.fromkeys(("社会信用代码", "信用代码", "统一信用代码"), "credit_code"),
    **dict.fromkeys(("行业", "行业分类", "一级行业"), "industry"),
    **dict.fromkeys(("细分行业", "子行业"), "sub_industry"),
    **dict.fromkeys(("规模", "公司规模", "企业规模", "人员规模", "员工人数", "员工规模"), "size"),
    **dict.fromkeys(
        ("联系人", "联系人姓名", "决策人", "决策人姓名", "关键联系人", "姓名"), "decision_maker.name"
    ),
    **dict.fromkeys(("职位", "职务", "联系人职位", "头衔"), "decision_maker.title"),
    **dict.fromkeys(
        (
            "手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "联系人电话",
            "联系人手机",
        ),
        "decision_maker.mobile",
    ),
    **dict.fromkeys(("电子邮箱", "电子邮件", "邮件", "email", "e-mail", "联系人邮箱"), "email"),
    **dict.fromkeys(("省", "所在省份", "省/直辖市"), "province"),
    **dict.fromkeys(("市", "所在城市"), "city"),
    **dict.fromkeys(("区", "区县", "区/县", "所在区县"), "district"),
    **dict.fromkeys(("行政区划代码", "区划代码", "地区代码", "region_code"), "region_code"),
    **dict.fromkeys(("地址", "公司地址", "详细地址", "联系地址", "办公地址"), "address"),
    **dict.fromkeys(("来源", "线索来源", "获客渠道", "渠道"), "source"),
    **dict.fromkeys(
        ("首次联系时间", "首次接触日期", "首次联系日期", "接触时间"), "first_contact_date"
    ),
    **dict.fromkeys(("状态", "跟进状态", "客户阶段"), "status"),
    **dict.fromkeys(
        ("销售", "销售负责人", "跟进人", "归属人", "业务员", "客户经理", "所属销售"), "owner"
    ),
    **dict.fromkeys(("预算", "年预算", "合作预算", "预算金额"), "budget_amount"),
    **dict.fromkeys(
        ("年合作预算(万元)", "年预算(万元)", "预算(万元)", "合作预算(万元)", "预算金额(万元)"),
        "budget_amount_wan",
    ),
    **dict.fromkeys(("备注", "说明"), "notes"),
}  # fmt: skip

_PEOPLE = {
    "First Name": "decision_maker.first_name",
    "Last Name": "decision_maker.last_name",
    "Title": "decision_maker.title",
    "Job Title": "decision_maker.title",
    "Email": "decision_maker.email",
    "Mobile": "decision_maker.mobile",
    "Mobile Phone": "decision_maker.mobile",
}

# Built-in presets: name -> (external system recorded with the external ids, mapping).
PRESETS: dict[str, tuple[str, dict[str, str]]] = {
    "standard": ("", {**STANDARD_HEADERS, **STANDARD_SYNONYMS}),
    "salesforce": (
        "salesforce",
        {
            **_PEOPLE,
            "Account ID": "external_id",
            "Id": "external_id",
            "Account Name": "name",
            "Industry": "industry",
            "Phone": "phone",
            "Billing Street": "address",
            "Billing City": "city",
            "Billing State/Province": "province",
            "Account Owner": "owner",
            "Account Source": "source",
            "Lead Source": "source",
            "Description": "notes",
        },
    ),
    "hubspot": (
        "hubspot",
        {
            **_PEOPLE,
            "Record ID": "external_id",
            "Company name": "name",
            "Company Name": "name",
            "Industry": "industry",
            "Phone Number": "phone",
            "Mobile Phone Number": "decision_maker.mobile",
            "Street Address": "address",
            "City": "city",
            "State/Region": "province",
            "Company owner": "owner",
            "Create Date": "first_contact_date",
            "Description": "notes",
        },
    ),
    "zoho": (
        "zoho",
        {
            **_PEOPLE,
            "Record Id": "external_id",
            "Account Name": "name",
            "Industry": "industry",
            "Phone": "phone",
            "Billing Street": "address",
            "Billing City": "city",
            "Billing State": "province",
            "Account Owner": "owner",
            "Lead Source": "source",
            "Description": "notes",
        },
    ),
    "linkedin": (
        "linkedin",
        {
            "First Name": "decision_maker.first_name",
            "Last Name": "decision_maker.last_name",
            "Email Address": "decision_maker.email",
            "Company": "name",
            "Position": "decision_maker.title",
            "Headline": "decision_maker.title",
            "Connected On": "first_contact_date",
            "URL": "external_id",
        },
    ),
    # vCard: the reader turns each card into these standard-template cells.
    "vcard": ("vcard", {**STANDARD_HEADERS, "客户类型": "kind", "备注": "notes"}),
    # Interactions (an import of kind "interactions"): the interaction template's columns.
    "interactions": ("", {**INTERACTION_HEADERS, **INTERACTION_SYNONYMS}),
}
# The preset an import of each kind starts from when none is chosen ("" for customers: the
# built-in preset that recognises most of the file's headers, preset_guess).
KIND_PRESETS = {KIND_CUSTOMERS: "", KIND_INTERACTIONS: "interactions"}


# A template's "required" marks around a header: "*客户名称", "客户名称（必填）", "【选填】备注".
_HEADER_MARKS = re.compile(r"^[*※]+|[*※]+$|[(\[【]\s*(?:必填|选填|可选|非必填)\s*[)\]】]")


def header_key(header: str) -> str:
    """A header as compared with a preset's: full-width folded, marks, case and spacing ignored."""
    text = _HEADER_MARKS.sub("", clean_text(header)).strip()
    return re.sub(r"[\s_]+", " ", text).strip().lower()


def mapping_for_headers(headers: list[str], preset: dict[str, str]) -> dict[str, str]:
    """{header in the file: target} for the headers the preset knows (case/space-insensitive)."""
    known = {header_key(k): v for k, v in preset.items()}
    mapping: dict[str, str] = {}
    for header in headers:
        target = known.get(header_key(header))
        if target and target not in mapping.values():
            mapping[header] = target
    return mapping


def preset_guess(headers: list[str]) -> str:
    """The built-in preset that recognises most of these headers ('standard' on a tie)."""
    best, best_score = "standard", 0
    for name, (_source, preset) in PRESETS.items():
        if name in ("vcard", "interactions"):
            continue
        score = len(mapping_for_headers(headers, preset))
        if score > best_score:
            best, best_score = name, score
    return best


def validate_mapping(
    mapping: dict[str, str], headers: list[str], kind: str = KIND_CUSTOMERS
) -> dict[str, list[str]]:
    """Errors of a mapping: unknown targets, a target used twice, headers not in the file, and
    no column naming the customer."""
    errors: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    targets = import_targets(kind)
    for header, target in mapping.items():
        if not target:
            continue
        if header not in headers:
            errors.setdefault(header, []).append(
                str(_("No column '%(column)s' in the file.") % {"column": header})
            )
        if target not in targets:
            errors.setdefault(header, []).append(
                str(_("Unknown target field '%(field)s'.") % {"field": target})
            )
        elif target in seen:
            errors.setdefault(header, []).append(
                str(
                    _("'%(field)s' is already filled from column '%(column)s'.")
                    % {"field": targets[target], "column": seen[target]}
                )
            )
        seen.setdefault(target, header)
    if kind == KIND_INTERACTIONS:
        if not set(seen) & set(INTERACTION_CUSTOMER_KEYS):
            errors.setdefault("customer_no", []).append(
                str(_("Map a column to the customer number, registered name or credit code."))
            )
        return errors
    if "name" not in seen:
        errors.setdefault("name", []).append(str(_("Map a column to the customer name.")))
    return errors


# The columns that name an interaction's customer, in the order they are tried.
INTERACTION_CUSTOMER_KEYS = ("customer_no", "credit_code", "external_id", "customer_name")


_ENGLISH_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%m/%d/%Y", "%b %d, %Y", "%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=4096)  # a file's dates repeat; pure
def english_date(text: str) -> str:
    """'15 Mar 2024' (LinkedIn), '03/15/2024' (US exports) -> '2024-03-15'; else unchanged."""
    for pattern in _ENGLISH_DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


# --- Exports


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def mask_email(email: str) -> str:
    """wang.jianguo@example.com -> w***@example.com."""
    if not email or "@" not in email:
        return email
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
