"""Load the generator's CSV files (../shared/data/gen_cn_customers.py) into the database.

Every value goes through the same field rules as forms, the API and imports; a value that breaks
a rule is left out (and counted), and a row left without any way of contact is skipped. Rows are
written through each app's bulk services (customers with their history), so the 2,000-customer
sandbox loads in seconds.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import zlib
from collections import Counter as Tally
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.normalize.pinyin import name_sort_key
from kehu.core.numbering import next_in_sequence
from kehu.core.regions import region_resolve
from kehu.core.text import clean_text
from kehu.core.validators import (
    normalize_credit_code,
    normalize_email,
    parse_amount,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_phone,
)
from kehu.customers.models import Contact, Customer, Industry, Source
from kehu.customers.services import contacts_bulk_create, customers_bulk_create
from kehu.customers.services.quality import customers_refresh_quality
from kehu.customers.validators import (
    CONTACT_TYPE_ALIASES,
    DECISION_ROLE_ALIASES,
    GENDER_ALIASES,
    SIZE_ALIASES,
    STATUS_ALIASES,
    budget_band_for,
    name_pinyin,
    normalize_company_name,
)
from kehu.interactions.models import BehaviourEvent, Interaction
from kehu.interactions.services import events_bulk_add, interactions_bulk_add
from kehu.interactions.validators import (
    EVENT_KIND_ALIASES,
    FEEDBACK_ALIASES,
    METHOD_ALIASES,
    interaction_standard_missing,
)
from kehu.opportunities.models import Order, OrderLine
from kehu.opportunities.services import ORDER_STATUS_ALIASES, orders_bulk_add
from kehu.sandbox.desk import desk_seed
from kehu.sandbox.pipeline import load_pipeline
from kehu.sandbox.workflow import workflow_sandbox

BATCH = 2000


@dataclass
class LoadReport:
    customers: int = 0
    contacts: int = 0
    interactions: int = 0
    orders: int = 0
    events: int = 0
    skipped_rows: int = 0
    dropped_values: Tally[str] = field(default_factory=Tally)


def generate(out: Path, *, customers: int, seed: int, **extra: Any) -> Path:
    """Run the shared generator into `out`; raises FileNotFoundError if it is not there."""
    generator = Path(settings.KEHU_GENERATOR)
    if not generator.exists():
        raise FileNotFoundError(
            f"The data generator is not at {generator}; set KEHU_GENERATOR to its path."
        )
    args = [sys.executable, str(generator), "--customers", str(customers), "--seed", str(seed)]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    subprocess.run([*args, "--out", str(out)], check=True, capture_output=True)
    return out


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


class _Rules:
    """Applies a field rule; a broken value is dropped and tallied instead of failing the load."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report

    def __call__(self, name: str, rule: Any, raw: str | None, default: Any = "") -> Any:
        text = clean_text(raw)
        if not text:
            return default
        try:
            return rule(text)
        except ValidationError:
            self.report.dropped_values[name] += 1
            return default


def load(folder: Path, *, created_by: User | None = None, today: Any = None) -> LoadReport:
    report = LoadReport()
    rule = _Rules(report)
    today = today or timezone.localdate()
    industries = {
        (i.parent.name if i.parent else None, i.name): i
        for i in Industry.objects.select_related("parent")
    }
    sources = {s.name: s for s in Source.objects.all()}
    users = {u.display_name: u for u in User.objects.filter(is_active=True) if u.display_name}
    by_external: dict[str, Customer] = {}

    with transaction.atomic():
        # Customers and their decision makers.
        pending: list[tuple[Customer, Contact | None]] = []
        for row in _rows(folder / "customers.csv"):
            customer, maker = _customer_from_row(row, rule, industries, sources, users)
            if customer is None:
                report.skipped_rows += 1
                continue
            customer.created_by = created_by
            pending.append((customer, maker))
        first = next_in_sequence(f"CX{today:%Y%m}", count=len(pending)) if pending else 0
        prefix = f"CX{today:%Y%m}"
        for offset, (customer, _maker) in enumerate(pending):
            customer.customer_no = f"{prefix}{first + offset:04d}"
        # Through the customers' bulk write path: rows, decision makers, status history,
        # search entries and one "customer.created" entry each (the 360 page shows it).
        customers_bulk_create(
            actor=created_by, items=pending, reason=_("Sandbox data"), source="cli"
        )
        makers = []
        for customer, maker in pending:
            by_external[customer.external_id] = customer
            if maker is not None:
                makers.append(maker)
        report.customers = len(pending)

        # Further contacts.
        contacts = []
        for row in _rows(folder / "contacts.csv"):
            customer = by_external.get(row.get("外部编号", ""))
            name = clean_text(row.get("姓名"))
            if customer is None or not name:
                report.skipped_rows += 1
                continue
            contact = Contact(
                customer=customer,
                name=name[:100],
                name_pinyin=name_pinyin(name),
                gender=rule("gender", lambda t: parse_choice(t, GENDER_ALIASES), row.get("性别")),
                title=clean_text(row.get("职位"))[:100],
                department=clean_text(row.get("部门"))[:100],
                email=rule("email", normalize_email, row.get("邮箱")),
                wechat=clean_text(row.get("微信"))[:64],
                contact_type=rule(
                    "contact_type",
                    lambda t: parse_choice(t, CONTACT_TYPE_ALIASES),
                    row.get("联系人类型"),
                    Contact.ContactType.CUSTOMER,
                ),
                decision_role=rule(
                    "decision_role",
                    lambda t: parse_choice(t, DECISION_ROLE_ALIASES),
                    row.get("决策链角色"),
                ),
            )
            number = rule("mobile", parse_phone, row.get("手机"), None)
            if number:
                setattr(contact, "mobile" if number[1] == "mobile" else "landline", number[0])
            contacts.append(contact)
        contacts_bulk_create(contacts)
        report.contacts = len(contacts) + sum(1 for _c, m in pending if m is not None)

        # Interactions, numbered HD + customer number + sequence.
        sequences: Tally[int] = Tally()
        interactions = []
        now = timezone.now()
        for row in _rows(folder / "interactions.csv"):
            customer = by_external.get(row.get("外部编号", ""))
            occurred = rule("occurred_at", parse_datetime, row.get("互动时间"), None)
            method = rule("method", lambda t: parse_choice(t, METHOD_ALIASES), row.get("互动方式"))
            if customer is None or occurred is None or not method or occurred > now:
                report.skipped_rows += 1
                continue
            standard = {
                "topic": clean_text(row.get("互动主题"))[:200],
                "summary": clean_text(row.get("沟通内容摘要")),
                "feedback": rule(
                    "feedback", lambda t: parse_choice(t, FEEDBACK_ALIASES), row.get("客户反馈")
                ),
                "next_action": clean_text(row.get("下一步行动"))[:300],
            }
            # The field standard, as on every other path: a record without its topic, summary,
            # feedback or next action is not loaded (counted, like any rule-breaking row).
            missing = interaction_standard_missing(standard)
            if missing:
                report.skipped_rows += 1
                for name in missing:
                    report.dropped_values[f"interaction.{name}"] += 1
                continue
            sequences[customer.pk] += 1
            recorded = occurred + timedelta(hours=2 if sequences[customer.pk] % 7 else 30)
            interactions.append(
                Interaction(
                    customer=customer,
                    interaction_no=f"HD{customer.customer_no}{sequences[customer.pk]:04d}",
                    occurred_at=occurred,
                    method=method,
                    **standard,
                    performed_by=users.get(clean_text(row.get("跟进人"))) or customer.owner,
                    is_late_entry=recorded - occurred
                    > timedelta(hours=settings.KEHU_LATE_ENTRY_HOURS),
                    created_by=created_by,
                )
            )
        interactions_bulk_add(interactions=interactions)
        report.interactions = len(interactions)

        # Orders (one line each: the generator gives totals only).
        orders, lines = [], []
        seen_numbers: set[str] = set()
        for row in _rows(folder / "orders.csv"):
            customer = by_external.get(row.get("外部编号", ""))
            number = clean_text(row.get("订单编号"))
            amount = rule("amount", parse_amount, row.get("金额"), None)
            signed = rule("signed_on", parse_date, row.get("签订日期"), None)
            if (
                customer is None
                or not number
                or number in seen_numbers
                or amount is None
                or signed is None
            ):
                report.skipped_rows += 1
                continue
            seen_numbers.add(number)
            order = Order(
                customer=customer,
                order_no=number[:32],
                signed_on=signed,
                amount=amount,
                status=rule(
                    "order_status",
                    lambda t: parse_choice(t, ORDER_STATUS_ALIASES),
                    row.get("状态"),
                    Order.Status.SIGNED,
                ),
            )
            orders.append(order)
            lines.append(
                OrderLine(
                    order=order,
                    product="年度服务合同",
                    quantity=Decimal(1),
                    unit_price=amount,
                    amount=amount,
                )
            )
        orders_bulk_add(orders=orders, lines=lines)
        report.orders = len(orders)
        load_pipeline(customers=by_external.values(), actor=created_by, today=today)  # issue 16

        # Behaviour events.
        events = []
        for row in _rows(folder / "events.csv"):
            customer = by_external.get(row.get("外部编号", ""))
            kind = rule(
                "event_kind", lambda t: parse_choice(t, EVENT_KIND_ALIASES), row.get("类型")
            )
            occurred = rule("event_time", parse_datetime, row.get("发生时间"), None)
            if customer is None or not kind or occurred is None:
                report.skipped_rows += 1
                continue
            events.append(
                BehaviourEvent(
                    customer=customer,
                    kind=kind,
                    occurred_at=occurred,
                    properties={"page_or_topic": clean_text(row.get("页面或主题"))},
                )
            )
        events_bulk_add(events=events)
        report.events = len(events)

        # Completeness and 待补全 marks, from the stored record and all its contacts. A record
        # found incomplete has been so for up to INCOMPLETE_SPREAD_DAYS already (a steady
        # spread by its number), so the business-day deadlines fall due on some of them, as
        # on a real database, rather than on all of them together days after the load.
        now = timezone.now()
        customers_refresh_quality(
            list(
                Customer.objects.filter(
                    pk__in=[c.pk for c in by_external.values()]
                ).prefetch_related("contacts")
            ),
            since=lambda customer: incomplete_since_of(customer, now),
        )
        desk_seed(now=now)  # tasks, reminders and calendar entries (kehu.sandbox.desk)
        workflow_sandbox()  # kehu/sandbox/workflow.py
    return report


INCOMPLETE_SPREAD_DAYS = 8


def incomplete_since_of(customer: Customer, now: datetime) -> datetime:
    """When a sandbox record became 待补全: 0 to INCOMPLETE_SPREAD_DAYS - 1 days before the load,
    during office hours, the same for the same customer number in every load."""
    seed = zlib.crc32(customer.customer_no[-4:].encode())
    return now - timedelta(days=seed % INCOMPLETE_SPREAD_DAYS, minutes=seed % 480)


def _customer_from_row(
    row: dict[str, str],
    rule: _Rules,
    industries: dict[tuple[str | None, str], Industry],
    sources: dict[str, Source],
    users: dict[str, User],
) -> tuple[Customer | None, Contact | None]:
    name = clean_text(row.get("客户名称"))[:200]
    if not name:
        return None, None
    top_name, sub_name = clean_text(row.get("所属行业")), clean_text(row.get("二级行业"))
    industry = industries.get((None, top_name))
    sub_industry = industries.get((top_name, sub_name)) if industry else None
    owner = users.get(clean_text(row.get("负责人")))
    amount = rule("budget_amount", parse_amount, row.get("年合作预算"), None)
    # The customers' own rule: canonical names and their code where they resolve, else the text.
    region = region_resolve(clean_text(row.get("省份")), clean_text(row.get("城市")))
    email = rule("email", normalize_email, row.get("邮箱"))
    customer = Customer(
        kind=Customer.Kind.COMPANY,
        name=name,
        name_normalized=normalize_company_name(name),
        name_sort=name_sort_key(name),
        credit_code=rule("credit_code", normalize_credit_code, row.get("统一社会信用代码")),
        industry=industry,
        sub_industry=sub_industry,
        size=rule("size", lambda t: parse_choice(t, SIZE_ALIASES), row.get("客户规模")),
        province=region.province[:50],
        city=region.city[:50],
        region_code=region.code,
        address=clean_text(row.get("客户地址"))[:300],
        email=email,
        source=sources.get(clean_text(row.get("客户来源"))),
        first_contact_date=rule("first_contact_date", parse_date, row.get("首次接触时间"), None),
        status=rule(
            "status",
            lambda t: parse_choice(t, STATUS_ALIASES),
            row.get("客户状态"),
            Customer.Status.LEAD,
        ),
        owner=owner,
        team=owner.team if owner else None,
        budget_amount=amount,
        budget_band=budget_band_for(amount) if amount is not None else "",
        external_source="sandbox",
        external_id=clean_text(row.get("外部编号"))[:64],
    )
    maker = None
    maker_name = clean_text(row.get("关键决策人姓名"))
    number = rule("decision_maker_phone", parse_phone, row.get("决策人联系方式"), None)
    if maker_name:
        maker = Contact(
            name=maker_name[:100],
            name_pinyin=name_pinyin(maker_name),
            title=clean_text(row.get("决策人职位"))[:100],
            email=email,
            decision_role=Contact.DecisionRole.DECISION_MAKER,
            is_primary=True,
        )
        if number:
            setattr(maker, "mobile" if number[1] == "mobile" else "landline", number[0])
    elif number:
        customer.phone = number[0]
    reachable = (
        customer.address
        or customer.email
        or customer.phone
        or (maker is not None and (maker.mobile or maker.landline))
    )
    if not reachable:
        return None, None
    return customer, maker
