"""The quarterly data audit: silent customers, duplicates, format errors and missing facts.

Every row is a customer the viewer may see (scope_for), with the issue and what is wrong.
Format errors are stored values that today's validators refuse (rules tighten over time, and
old imports predate them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts.policy import scope_for
from kehu.audit.display import field_label
from kehu.core.errors import ValidationFailed
from kehu.core.validators import normalize_credit_code, normalize_email, normalize_phone
from kehu.customers.models import Contact, Customer
from kehu.customers.validators import FIELD_LABELS
from kehu.interactions.models import Interaction

from .metrics import duplicate_keys, open_pairs

SECTIONS = ("silent", "duplicate", "format", "missing")
SECTION_LABELS: dict[str, Any] = {
    "silent": gettext_lazy("silent customer"),
    "duplicate": gettext_lazy("possible duplicate"),
    "format": gettext_lazy("format error"),
    "missing": gettext_lazy("missing facts"),
}
# The field as people read it (the rows carry the field's name for scripts).
FIELD_NAMES: dict[str, Any] = {
    "pair": gettext_lazy("duplicate pair"),
    "missing_fields": gettext_lazy("missing fields"),
}
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        if self.number == 4:
            return date(self.year + 1, 1, 1)
        return date(self.year, 3 * self.number + 1, 1)

    @classmethod
    def parse(cls, text: str | None, *, today: date | None = None) -> Quarter:
        """'2026Q3' / '2026-Q3'; empty means the current quarter."""
        if not text:
            today = today or timezone.localdate()
            return cls(today.year, (today.month - 1) // 3 + 1)
        match = _QUARTER.match(text.strip())
        if not match:
            raise ValidationFailed({"quarter": [_("Give a quarter such as 2026Q3.")]})
        return cls(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class AuditRow:
    section: str
    customer_no: str
    name: str
    owner: str
    team: str
    field: str
    detail: str

    @property
    def section_label(self) -> str:
        return str(SECTION_LABELS[self.section])

    @property
    def field_label(self) -> str:
        """The field as people read it: 'contact.mobile' -> 联系人·手机."""
        if self.field in FIELD_NAMES:
            return str(FIELD_NAMES[self.field])
        prefix, dot, rest = self.field.partition(".")
        if dot and prefix == "contact":
            return f"{_('contact')}·{field_label(Contact, rest)}"
        return field_label(Customer, self.field)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _base(user: Any) -> QuerySet[Customer]:
    return scope_for(user, Customer.objects.all()).select_related("owner", "team").order_by("pk")


def _row(section: str, customer: Customer, field: str, detail: str) -> AuditRow:
    return AuditRow(
        section=section,
        customer_no=customer.customer_no,
        name=customer.name,
        owner=customer.owner.label if customer.owner_id and customer.owner else "",
        team=customer.team.name if customer.team_id and customer.team else "",
        field=field,
        detail=detail,
    )


def silent_rows(user: Any, quarter: Quarter) -> Iterator[AuditRow]:
    """Customers that existed in the quarter and had no interaction during it."""
    start, end = (
        _aware(quarter.start),
        _aware(min(quarter.end, timezone.localdate() + timedelta(1))),
    )
    talked = Interaction.objects.filter(
        customer=OuterRef("pk"), occurred_at__gte=start, occurred_at__lt=end
    )
    customers = _base(user).filter(created_at__lt=end).filter(~Exists(talked))
    for customer in customers.iterator(chunk_size=1000):
        last = customer.last_interaction_at
        detail = (
            _("last interaction %(date)s") % {"date": f"{timezone.localtime(last):%Y-%m-%d}"}
            if last
            else _("no interaction")
        )
        yield _row("silent", customer, "last_interaction_at", detail)


def duplicate_rows(user: Any) -> Iterator[AuditRow]:
    """Customers in an open candidate pair (or, before dedupe stored any, sharing a key)."""
    pairs = open_pairs()
    if pairs is not None:
        yield from _pair_rows(user, pairs)
        return
    # The phone is encrypted: customers sharing one share its blind index (kehu.core.crypto).
    for field, column in (
        ("credit_code", "credit_code"),
        ("phone", "phone_bidx"),
        ("name_normalized", "name_normalized"),
    ):
        keys = duplicate_keys(column)
        customers = list(_base(user).filter(**{f"{column}__in": keys}))
        if not customers:
            continue
        values = {getattr(c, column) for c in customers}
        visible = set(
            scope_for(user, Customer.objects.all())
            .filter(**{f"{column}__in": values})
            .values_list("pk", flat=True)
        )
        others: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for value, pk, number in (
            Customer.objects.filter(**{f"{column}__in": values})
            .order_by("pk")
            .values_list(column, "pk", "customer_no")
        ):
            others[value].append((pk, number))
        for customer in customers:
            same = [(pk, n) for pk, n in others[getattr(customer, column)] if pk != customer.pk]
            shown = [n for pk, n in same if pk in visible]
            hidden = len(same) - len(shown)
            detail = _("same %(field)s as %(customers)s") % {
                "field": field_label(Customer, field),
                "customers": ", ".join(shown[:5]) or "-",
            }
            if hidden:  # their numbers stay out of scope
                detail += _(" (+%(count)s outside your view)") % {"count": hidden}
            yield _row("duplicate", customer, field, detail)


def _pair_rows(user: Any, pairs: QuerySet[Any]) -> Iterator[AuditRow]:
    visible = scope_for(user, Customer.objects.all())
    pairs = pairs.filter(Q(customer_a__in=visible) | Q(customer_b__in=visible))
    partners: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, b, score in pairs.values_list("customer_a_id", "customer_b_id", "score"):
        partners[a].append((b, score))
        partners[b].append((a, score))
    shown = dict(visible.filter(pk__in=list(partners)).values_list("pk", "customer_no"))
    for customer in _base(user).filter(pk__in=list(shown)):
        others = sorted(partners[customer.pk], key=lambda item: -item[1])
        names = [f"{shown[pk]} ({score:.2f})" for pk, score in others if pk in shown]
        hidden = len(others) - len(names)
        detail = _("candidate pair with %(customers)s") % {"customers": ", ".join(names[:5]) or "-"}
        if hidden:
            detail += _(" (+%(count)s outside your view)") % {"count": hidden}
        yield _row("duplicate", customer, "pair", detail)


def _bad(rule: Callable[[str], str], value: str) -> str | None:
    """The validator's message if `value` (a stored value) fails today's rule."""
    try:
        rule(value.split(";ext=", 1)[0] if rule is normalize_phone else value)
    except ValidationError as exc:
        return "; ".join(exc.messages)
    return None


CUSTOMER_CHECKS = (
    ("phone", normalize_phone),
    ("email", normalize_email),
    ("credit_code", normalize_credit_code),
)
CONTACT_CHECKS = (
    ("mobile", normalize_phone),
    ("landline", normalize_phone),
    ("email", normalize_email),
)


def format_rows(user: Any) -> Iterator[AuditRow]:
    """Stored phones, e-mails and credit codes (customer and contacts) today's rules refuse."""
    for customer in _base(user).iterator(chunk_size=1000):
        for name, rule in CUSTOMER_CHECKS:
            value = getattr(customer, name)
            problem = _bad(rule, value) if value else None
            if problem:
                yield _row("format", customer, name, f"{value!s}: {problem}")
    contacts = (
        scope_for(user, Contact.objects.all())
        .select_related("customer__owner", "customer__team")
        .order_by("customer_id", "pk")
    )
    for contact in contacts.iterator(chunk_size=1000):
        for name, rule in CONTACT_CHECKS:
            value = getattr(contact, name)
            problem = _bad(rule, value) if value else None
            if problem:
                yield _row(
                    "format",
                    contact.customer,
                    f"contact.{name}",
                    f"{contact.name} {value}: {problem}",
                )


def missing_rows(user: Any) -> Iterator[AuditRow]:
    customers = _base(user).exclude(missing_fields=[])
    for customer in customers.iterator(chunk_size=1000):
        labels = [str(FIELD_LABELS.get(name, name)) for name in customer.missing_fields]
        yield _row("missing", customer, "missing_fields", ", ".join(labels))


def audit_report_rows(
    user: Any, quarter: Quarter, *, section: str | None = None
) -> Iterator[AuditRow]:
    """Every issue, section by section (or only `section`)."""
    makers: dict[str, Callable[[], Iterator[AuditRow]]] = {
        "silent": lambda: silent_rows(user, quarter),
        "duplicate": lambda: duplicate_rows(user),
        "format": lambda: format_rows(user),
        "missing": lambda: missing_rows(user),
    }
    for name in SECTIONS:
        if section is None or section == name:
            yield from makers[name]()


def audit_report_summary(user: Any, quarter: Quarter, *, sample: int = 100) -> dict[str, Any]:
    """Counts per section and the first `sample` rows of each, for the page and the API."""
    sections = []
    for name in SECTIONS:
        count = 0
        rows: list[AuditRow] = []
        customers: set[str] = set()
        for row in audit_report_rows(user, quarter, section=name):
            count += 1
            customers.add(row.customer_no)
            if len(rows) < sample:
                rows.append(row)
        sections.append(
            {
                "section": name,
                "label": str(SECTION_LABELS[name]),
                "issues": count,
                "customers": len(customers),
                "rows": rows,
            }
        )
    return {
        "quarter": quarter.label,
        "start": quarter.start,
        "end": quarter.end - timedelta(days=1),
        "customers": scope_for(user, Customer.objects.all()).count(),
        "sections": sections,
    }


AUDIT_HEADER = ("section", "customer_no", "name", "owner", "team", "field", "detail")
_AUDIT_HEADER_LABELS = (
    gettext_lazy("issue"),
    gettext_lazy("customer number"),
    gettext_lazy("name"),
    gettext_lazy("owner"),
    gettext_lazy("team"),
    gettext_lazy("field"),
    gettext_lazy("detail"),
)


def audit_header() -> tuple[str, ...]:
    """The export's header in the reader's language, in AUDIT_HEADER's order."""
    return tuple(str(label) for label in _AUDIT_HEADER_LABELS)


def audit_report_table(user: Any, quarter: Quarter) -> Iterator[tuple[str, ...]]:
    """The export's rows, in AUDIT_HEADER's order."""
    for row in audit_report_rows(user, quarter):
        yield (
            row.section_label,
            row.customer_no,
            row.name,
            row.owner,
            row.team,
            row.field_label,
            row.detail,
        )
