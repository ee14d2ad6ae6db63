"""Fast bench seeder: the generator's CSV files into an empty, migrated database, in bulk.

The sandbox loader (kehu.sandbox.loader) builds a model instance per row and inserts through the
ORM; at 100,000 customers and 1,000,000 interactions that takes minutes per database. This seeder
keeps the loader's field rules for customers and contacts (it calls the loader's own row function
and the shared validators), parses the large, machine-written files (interactions, events) with a
memo per distinct value, and writes plain tuples: executemany on SQLite, COPY on PostgreSQL.

Primary keys are assigned here, so rows link up without reading anything back; the sequences are
reset afterwards. Customer numbers follow the real rule (CX + month of the first contact + 4-digit
sequence), with the per-month counters set to match, so later inserts continue correctly.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from kehu.accounts.models import User
from kehu.core.models import Counter
from kehu.core.text import clean_text
from kehu.core.validators import (
    normalize_email,
    parse_amount,
    parse_choice,
    parse_date,
    parse_phone,
)
from kehu.customers.models import Contact, Customer, CustomerStatusChange, Industry, Source
from kehu.customers.services import customer_refresh_quality
from kehu.customers.validators import (
    CONTACT_TYPE_ALIASES,
    DECISION_ROLE_ALIASES,
    GENDER_ALIASES,
    name_pinyin,
)
from kehu.interactions.models import BehaviourEvent, Interaction
from kehu.interactions.validators import EVENT_KIND_ALIASES, FEEDBACK_ALIASES, METHOD_ALIASES
from kehu.opportunities.models import Opportunity, Order, OrderLine
from kehu.opportunities.services import ORDER_STATUS_ALIASES
from kehu.sandbox.loader import LoadReport, _customer_from_row, _Rules

CHUNK = 20_000


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


class Table:
    """Column order, defaults and per-backend value adapters of one model's table."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        sqlite = connection.vendor == "sqlite"
        adapters: list[tuple[int, Callable[[Any], Any]]] = []
        for index, f in enumerate(self.fields):
            if isinstance(f, models.JSONField):
                adapters.append((index, _json))
            elif not sqlite:
                continue
            elif isinstance(f, models.DateTimeField):
                adapters.append((index, _sqlite_datetime))
            elif isinstance(f, models.DateField):
                adapters.append((index, _sqlite_date))
            elif isinstance(f, models.DecimalField):
                adapters.append((index, _sqlite_decimal))
        self.adapters = adapters

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        defaults = self.defaults
        row = [values[a] if a in values else defaults[a] for a in self.attnames]
        for index, adapt in self.adapters:
            if row[index] is not None:
                row[index] = adapt(row[index])
        return tuple(row)

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the rows (dicts of attname -> value); returns how many."""
        table = self.model._meta.db_table
        count = 0
        batch: list[tuple[Any, ...]] = []
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for values in rows:
                        copy.write_row(self.row(values))
                        count += 1
            return count
        raw = connection.connection
        quoted = ", ".join(f'"{c}"' for c in self.columns)
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(self.columns))})'
        for values in rows:
            batch.append(self.row(values))
            if len(batch) >= CHUNK:
                raw.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            raw.executemany(sql, batch)
            count += len(batch)
        return count


def _json(value: Any) -> str:
    return json.dumps(value)


def _sqlite_datetime(value: datetime) -> str:
    # What Django's SQLite backend stores: naive UTC, str() format.
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _sqlite_date(value: date) -> str:
    return value.isoformat()


def _sqlite_decimal(value: Decimal) -> str:
    return str(value)


class Memo:
    """A field rule applied once per distinct raw value (the big files repeat a few values)."""

    def __init__(self, rule: _Rules, name: str, parse: Callable[[str], Any], default: Any = ""):
        self.rule, self.name, self.parse, self.default = rule, name, parse, default
        self.cache: dict[str | None, Any] = {}

    def __call__(self, raw: str | None) -> Any:
        try:
            return self.cache[raw]
        except KeyError:
            value = self.cache[raw] = self.rule(self.name, self.parse, raw, self.default)
            return value


def seed(
    folder: Path,
    *,
    customers_wanted: int,
    created_by: User,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Load the first `customers_wanted` usable customers of `folder` and everything linked."""
    started = time.monotonic()
    report = LoadReport()
    rule = _Rules(report)
    now = timezone.now()
    local = ZoneInfo(settings.TIME_ZONE)
    rng = random.Random(2026)
    industries = {
        (i.parent.name if i.parent else None, i.name): i
        for i in Industry.objects.select_related("parent")
    }
    sources = {s.name: s for s in Source.objects.all()}
    users = {u.display_name: u for u in User.objects.filter(is_active=True) if u.display_name}
    user_ids = {name: u.pk for name, u in users.items()}

    # Customers (the loader's own row rules) and their decision makers.
    pending: list[tuple[Customer, Contact | None]] = []
    for row in _rows(folder / "customers.csv"):
        customer, maker = _customer_from_row(row, rule, industries, sources, users)
        if customer is None:
            report.skipped_rows += 1
            continue
        pending.append((customer, maker))
        if len(pending) >= customers_wanted:
            break
    # Numbered in order of first contact, as if entered then: CX + month + 4-digit sequence.
    today = timezone.localdate()
    pending.sort(key=lambda pair: pair[0].first_contact_date or today)
    months: Tally[str] = Tally()
    by_external: dict[str, Customer] = {}
    contacts_of: dict[int, list[Contact]] = {}
    next_contact_id = 1
    for index, (customer, maker) in enumerate(pending, start=1):
        day = customer.first_contact_date or today
        prefix = f"CX{day:%Y%m}"
        months[prefix] += 1
        customer.pk = index
        customer.customer_no = f"{prefix}{months[prefix]:04d}"
        customer.created_by = created_by
        created = datetime.combine(day, datetime.min.time(), local) + timedelta(
            hours=9, minutes=rng.randrange(600)
        )
        customer.created_at = customer.updated_at = min(created, now)
        by_external[customer.external_id] = customer
        contacts_of[index] = []
        if maker is not None:
            if len(maker.mobile) > Contact._meta.get_field("mobile").max_length:
                maker.mobile = ""  # '+86138…;ext=8282' does not fit Contact.mobile: left out
                report.dropped_values["mobile_too_long"] += 1
            maker.pk, maker.customer_id = next_contact_id, index
            next_contact_id += 1
            contacts_of[index].append(maker)
    log(f"  customers parsed: {len(pending):,} ({time.monotonic() - started:.1f}s)")

    # Further contacts (shared rules, as the loader applies them).
    gender = Memo(rule, "gender", lambda t: parse_choice(t, GENDER_ALIASES))
    contact_type = Memo(
        rule,
        "contact_type",
        lambda t: parse_choice(t, CONTACT_TYPE_ALIASES),
        Contact.ContactType.CUSTOMER,
    )
    decision_role = Memo(rule, "decision_role", lambda t: parse_choice(t, DECISION_ROLE_ALIASES))
    for row in _rows(folder / "contacts.csv"):
        customer = by_external.get(row.get("外部编号", ""))
        name = clean_text(row.get("姓名"))
        if customer is None or not name:
            continue
        contact = Contact(
            pk=next_contact_id,
            customer_id=customer.pk,
            name=name[:100],
            name_pinyin=name_pinyin(name),
            gender=gender(row.get("性别")),
            title=clean_text(row.get("职位"))[:100],
            department=clean_text(row.get("部门"))[:100],
            email=rule("email", normalize_email, row.get("邮箱")),
            wechat=clean_text(row.get("微信"))[:64],
            contact_type=contact_type(row.get("联系人类型")),
            decision_role=decision_role(row.get("决策链角色")),
        )
        number = rule("mobile", parse_phone, row.get("手机"), None)
        if number:
            column = "mobile" if number[1] == "mobile" else "landline"
            if len(number[0]) <= Contact._meta.get_field(column).max_length:
                setattr(contact, column, number[0])
            else:  # '+86138…;ext=8282' does not fit Contact.mobile (20): left out, counted
                report.dropped_values["mobile_too_long"] += 1
        next_contact_id += 1
        contacts_of[customer.pk].append(contact)
    log(f"  contacts parsed: {next_contact_id - 1:,} ({time.monotonic() - started:.1f}s)")

    # Completeness and 待补全 marks from the record and its contacts (no queries: cache filled).
    for customer, _maker in pending:
        customer._prefetched_objects_cache = {"contacts": contacts_of[customer.pk]}
        customer_refresh_quality(customer, save=False)
        del customer._prefetched_objects_cache

    tables = {
        model: Table(model)
        for model in (
            Customer,
            Contact,
            CustomerStatusChange,
            Interaction,
            BehaviourEvent,
            Order,
            OrderLine,
            Opportunity,
            Counter,
        )
    }
    counts: dict[str, int] = {}
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        if pg:
            # Rows are consistent by construction: skip the per-row FK triggers while loading.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL synchronous_commit = off")

        # Interactions first (they set last_interaction_at on the customers).
        method = Memo(rule, "method", lambda t: parse_choice(t, METHOD_ALIASES))
        feedback = Memo(rule, "feedback", lambda t: parse_choice(t, FEEDBACK_ALIASES))
        moments: dict[str, datetime | None] = {}
        late_after = timedelta(hours=settings.KEHU_LATE_ENTRY_HOURS)

        def moment(raw: str | None) -> datetime | None:
            if raw in moments:
                return moments[raw]
            try:
                value: datetime | None = datetime.fromisoformat(clean_text(raw))
                if value is not None and value.tzinfo is None:
                    value = value.replace(tzinfo=local)
            except ValueError:
                value = None
            moments[raw] = value
            return value

        sequences: Tally[int] = Tally()
        latest: dict[int, datetime] = {}

        def interaction_rows() -> Iterator[dict[str, Any]]:
            pk = 0
            for row in _rows(folder / "interactions.csv"):
                customer = by_external.get(row.get("外部编号", ""))
                if customer is None:
                    continue
                occurred = moment(row.get("互动时间"))
                kind = method(row.get("互动方式"))
                if occurred is None or not kind or occurred > now:
                    report.skipped_rows += 1
                    continue
                pk += 1
                sequences[customer.pk] += 1
                seq = sequences[customer.pk]
                recorded = min(occurred + timedelta(hours=2 if seq % 7 else 30), now)
                if customer.pk not in latest or occurred > latest[customer.pk]:
                    latest[customer.pk] = occurred
                yield {
                    "id": pk,
                    "interaction_no": f"HD{customer.customer_no}{seq:04d}",
                    "customer_id": customer.pk,
                    "occurred_at": occurred,
                    "method": kind,
                    "topic": row.get("互动主题", "")[:200],
                    "summary": row.get("沟通内容摘要", ""),
                    "feedback": feedback(row.get("客户反馈")),
                    "next_action": row.get("下一步行动", "")[:300],
                    "performed_by_id": user_ids.get(row.get("跟进人", "")) or customer.owner_id,
                    "is_late_entry": recorded - occurred > late_after,
                    "created_by_id": created_by.pk,
                    "created_at": recorded,
                }

        counts["interactions"] = tables[Interaction].write(interaction_rows())
        log(f"  interactions: {counts['interactions']:,} ({time.monotonic() - started:.1f}s)")

        def customer_rows() -> Iterator[dict[str, Any]]:
            for customer, _maker in pending:
                customer.last_interaction_at = latest.get(customer.pk)
                values = {a: getattr(customer, a) for a in tables[Customer].attnames}
                yield values

        counts["customers"] = tables[Customer].write(customer_rows())
        counts["contacts"] = tables[Contact].write(
            _contact_values(contact, tables[Contact])
            for contacts in contacts_of.values()
            for contact in contacts
        )
        counts["status_changes"] = tables[CustomerStatusChange].write(
            {
                "id": customer.pk,
                "customer_id": customer.pk,
                "from_status": "",
                "to_status": customer.status,
                "reason": "Bench data",
                "changed_by_id": created_by.pk,
                "changed_at": customer.created_at,
            }
            for customer, _maker in pending
        )
        log(f"  customers, contacts: ({time.monotonic() - started:.1f}s)")

        # Opportunities for the interested customers (the generator writes none).
        stages = [s.value for s in Opportunity.Stage if s not in ("won", "lost")]
        counts["opportunities"] = tables[Opportunity].write(
            {
                "id": index,
                "customer_id": customer.pk,
                "title": f"{customer.name[:40]} 年度采购",
                "expected_amount": customer.budget_amount,
                "stage": stages[index % len(stages)],
                "expected_close_date": today + timedelta(days=30 + index % 120),
                "owner_id": customer.owner_id,
                "source": Opportunity.Origin.MANUAL,
                "created_at": customer.created_at,
                "updated_at": customer.created_at,
            }
            for index, customer in enumerate(
                (c for c, _m in pending if c.status == Customer.Status.INTENT), start=1
            )
        )

        # Orders, one line each.
        order_status = Memo(
            rule,
            "order_status",
            lambda t: parse_choice(t, ORDER_STATUS_ALIASES),
            Order.Status.SIGNED,
        )
        orders: list[dict[str, Any]] = []
        seen: set[str] = set()
        for row in _rows(folder / "orders.csv"):
            customer = by_external.get(row.get("外部编号", ""))
            number = clean_text(row.get("订单编号"))[:32]
            amount = rule("amount", parse_amount, row.get("金额"), None)
            signed = rule("signed_on", parse_date, row.get("签订日期"), None)
            if customer is None or not number or number in seen or amount is None or not signed:
                continue
            seen.add(number)
            stamp = min(datetime.combine(signed, datetime.min.time(), local), now)
            orders.append(
                {
                    "id": len(orders) + 1,
                    "order_no": number,
                    "customer_id": customer.pk,
                    "signed_on": signed,
                    "amount": amount,
                    "status": order_status(row.get("状态")),
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        counts["orders"] = tables[Order].write(orders)
        tables[OrderLine].write(
            {
                "id": o["id"],
                "order_id": o["id"],
                "product": "年度服务合同",
                "quantity": Decimal(1),
                "unit_price": o["amount"],
                "amount": o["amount"],
            }
            for o in orders
        )

        # Behaviour events.
        event_kind = Memo(rule, "event_kind", lambda t: parse_choice(t, EVENT_KIND_ALIASES))

        def event_rows() -> Iterator[dict[str, Any]]:
            pk = 0
            for row in _rows(folder / "events.csv"):
                customer = by_external.get(row.get("外部编号", ""))
                kind = event_kind(row.get("类型"))
                occurred = moment(row.get("发生时间"))
                if customer is None or not kind or occurred is None:
                    continue
                pk += 1
                yield {
                    "id": pk,
                    "customer_id": customer.pk,
                    "kind": kind,
                    "occurred_at": occurred,
                    "properties": {"page_or_topic": row.get("页面或主题", "")},
                    "received_at": min(occurred, now),
                }

        counts["events"] = tables[BehaviourEvent].write(event_rows())

        # Numbering counters: CX per month, HD per customer.
        counters = [{"key": key, "last": last} for key, last in months.items()]
        counters += [
            {"key": f"HD{c.customer_no}", "last": sequences[c.pk]}
            for c, _m in pending
            if sequences[c.pk]
        ]
        for index, values in enumerate(counters, start=1):
            values["id"] = index
        tables[Counter].write(counters)

        models_written = [t.model for t in tables.values()]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models_written):
                cursor.execute(sql)
    log(f"  committed ({time.monotonic() - started:.1f}s)")
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does shortly after a bulk load
    counts["skipped_rows"] = report.skipped_rows
    counts["dropped_values"] = sum(report.dropped_values.values())
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def _contact_values(contact: Contact, table: Table) -> dict[str, Any]:
    values = {a: getattr(contact, a) for a in table.attnames}
    values["created_at"] = values["updated_at"] = timezone.now()
    return values
