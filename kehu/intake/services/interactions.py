"""An import of interactions (互动记录, ImportRun.kind "interactions"), one batch at a time.

Each row names its customer (by number, credit code, your system's id or registered name: the
first of those columns filled in decides), optionally a contact of that customer by name, and
the interaction's fields. The row is checked by the interactions' own rules (interaction_clean:
the field standard's topic, summary, feedback and next action required, as on the pages and in
the API) and logged through interaction_log, as the importer. A row whose customer the importer
may not see fails saying so, never naming the customer; one they may see but not log on fails
as the API refuses it. A row logged before (same customer, time, method and topic) is skipped,
so importing a file twice logs nothing twice. Errors are keyed by the file's column (or, for a
field no column fills, by the template's header of that field).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.assignees import assert_assignable
from kehu.accounts.models import User
from kehu.accounts.policy import interaction_scope, scope_for
from kehu.core.company import company_settings
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text
from kehu.customers.models import Contact, Customer
from kehu.customers.validators import normalize_company_name
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_clean, interaction_delete, interaction_log

from ..models import ImportRow, ImportRun
from ..validators import INTERACTION_CUSTOMER_KEYS, INTERACTION_HEADERS
from .common import Outcome

# The interaction's own fields, as interaction_clean reads them.
FIELDS = (
    "occurred_at", "method", "topic", "summary", "feedback", "next_action", "next_action_due",
    "performed_by", "next_action_owner",
)  # fmt: skip
STANDARD = ("topic", "summary", "feedback", "next_action")  # always checked, mapped or not
USERS = ("performed_by", "next_action_owner")  # a blank cell: the importer performed it
TEMPLATE_HEADER = {target: header for header, target in INTERACTION_HEADERS.items()}
Chunk = list[tuple[int, dict[str, str]]]


def _cells(raw: dict[str, str], mapping: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """{target: cell text} of a row, and {target: the column it came from}."""
    values: dict[str, str] = {}
    columns: dict[str, str] = {}
    for header, target in mapping.items():
        if target and header in raw:
            values[target] = clean_text(raw[header])
            columns[target] = header
    return values, columns


def _column(key: str, columns: dict[str, str]) -> str:
    target = "contact" if key == "contact_id" else key
    return columns.get(target) or TEMPLATE_HEADER.get(target, target)


class _Customers:
    """The customers a batch's rows name, read in a few queries, and what the importer may do
    with them: see them (scope_for), log on them (interaction_scope)."""

    def __init__(self, actor: User | None, wanted: list[tuple[str, str]]) -> None:
        given: dict[str, set[str]] = {key: set() for key in INTERACTION_CUSTOMER_KEYS}
        for key, value in wanted:
            given[key].add(self.key_of(key, value))
        query = Q(customer_no__in=given["customer_no"]) | Q(credit_code__in=given["credit_code"])
        query |= Q(name_normalized__in=given["customer_name"])
        query |= Q(external_id__in=given["external_id"] - {""})
        found = list(Customer.objects.filter(query).order_by("pk")) if wanted else []
        self.by: dict[tuple[str, str], list[Customer]] = {}
        for customer in found:
            for key, value in (
                ("customer_no", customer.customer_no),
                ("credit_code", customer.credit_code),
                ("customer_name", customer.name_normalized),
                ("external_id", customer.external_id),
            ):
                if value and value in given[key]:
                    self.by.setdefault((key, value), []).append(customer)
        ids = [c.pk for c in found]
        everyone = actor is None
        self.visible = set(ids) if everyone else set(_ids(scope_for(actor, _of(ids))))
        self.writable = set(ids) if everyone else set(_ids(interaction_scope(actor, _of(ids))))
        self.contacts: dict[tuple[int, str], Contact] = {}
        for contact in Contact.objects.filter(customer_id__in=self.visible).order_by(
            "has_left", "-is_primary", "pk"
        ):
            self.contacts.setdefault((contact.customer_id, contact.name), contact)

    @staticmethod
    def key_of(key: str, value: str) -> str:
        if key == "customer_name":
            return normalize_company_name(value)
        return value.upper() if key in ("customer_no", "credit_code") else value

    def find(self, key: str, value: str) -> tuple[Customer | None, str]:
        """(the customer, "") or (None, why not) for the row's customer column."""
        matches = self.by.get((key, self.key_of(key, value)), [])
        seen = [c for c in matches if c.pk in self.visible]
        if not matches:
            return None, _("No customer matches '%(value)s'.") % {"value": value}
        if not seen:
            return None, _(
                "'%(value)s' is a customer you cannot see; no interaction is logged on it."
            ) % {"value": value}
        if len(seen) > 1:
            return None, _(
                "%(count)s customers you can see match '%(value)s'; give the customer number."
            ) % {"count": len(seen), "value": value}
        if seen[0].pk not in self.writable:
            return None, _("You may not log interactions on this customer.")
        return seen[0], ""


def _of(ids: list[int]) -> Any:
    return Customer.objects.filter(pk__in=ids)


def _ids(queryset: Any) -> Any:
    return queryset.values_list("pk", flat=True)


def _customer_cell(cells: dict[str, str]) -> tuple[str, str]:
    """(target, value) of the first customer column filled in, or ("", "")."""
    return next(((k, cells[k]) for k in INTERACTION_CUSTOMER_KEYS if cells.get(k)), ("", ""))


def interaction_rows(
    run: ImportRun,
    chunk: Chunk,
    *,
    actor: User | None,
    dry_run: bool,
    seen: dict[tuple[Any, ...], int],
) -> list[ImportRow]:
    """Check (and unless `dry_run`, log) each row of the batch; one ImportRow per row."""
    parsed = [(number, raw, *_cells(raw, run.mapping)) for number, raw in chunk]
    wanted = [_customer_cell(cells) for _n, _r, cells, _c in parsed]
    customers = _Customers(actor, [w for w in wanted if w[0]])
    results: list[ImportRow] = []
    with timezone.override(_zone_of(actor)):  # the file's times are the importer's local times
        for number, raw, cells, columns in parsed:
            result = ImportRow(run_id=run.pk, row_number=number, outcome=Outcome.FAILED)
            results.append(result)
            _one(result, raw, cells, columns, customers, actor=actor, dry_run=dry_run, seen=seen)
            if result.outcome == Outcome.FAILED:
                result.raw = raw
    return results


def _zone_of(actor: User | None) -> ZoneInfo | None:
    """The importer's time zone (as their pages use it), else the company's; None: Django's."""
    zone = getattr(actor, "time_zone", "") or company_settings().time_zone
    try:
        return ZoneInfo(zone) if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _one(
    result: ImportRow,
    raw: dict[str, str],
    cells: dict[str, str],
    columns: dict[str, str],
    customers: _Customers,
    *,
    actor: User | None,
    dry_run: bool,
    seen: dict[tuple[Any, ...], int],
) -> None:
    errors: dict[str, list[str]] = {}
    key, value = _customer_cell(cells)
    customer = None
    if not key:
        errors[_column("customer_no", columns)] = [
            _("Give the customer number, registered name or credit code.")
        ]
    else:
        customer, why = customers.find(key, value)
        if customer is None:
            errors[_column(key, columns)] = [why]
    data: dict[str, Any] = {name: cells.get(name, "") for name in STANDARD}
    for name in FIELDS:
        if cells.get(name) or (name in cells and name not in USERS):
            data[name] = cells[name]
    if customer is not None:
        result.customer_id, result.customer_no = customer.pk, customer.customer_no
        contact_name = cells.get("contact", "")
        if contact_name:
            contact = customers.contacts.get((customer.pk, contact_name))
            if contact is None:
                errors[_column("contact", columns)] = [
                    _("No contact named '%(name)s' at this customer.") % {"name": contact_name}
                ]
            else:
                data["contact_id"] = contact.pk
    values: dict[str, Any] = {}
    try:
        values = interaction_clean(data, customer=customer or Customer(), creating=True)
        if customer is not None:
            assert_assignable(
                customer,
                performed_by=values.get("performed_by"),
                next_action_owner=values.get("next_action_owner"),
            )
    except ValidationFailed as exc:
        for name, messages in exc.errors.items():
            errors.setdefault(_column(name, columns), []).extend(messages)
    if errors or customer is None:
        result.errors = errors
        return
    if cells.get("occurred_at"):  # logged before (this file, or an earlier import): skipped
        same = (customer.pk, values["occurred_at"].isoformat(), values["method"], values["topic"])
        earlier = Interaction.objects.filter(
            customer=customer,
            occurred_at=values["occurred_at"],
            method=values["method"],
            topic=values["topic"],
        ).first()
        if earlier is not None or same in seen:
            result.outcome = Outcome.SKIPPED
            result.note = (
                _("Already logged as %(number)s.") % {"number": earlier.interaction_no}
                if earlier is not None
                else _("Duplicate of row %(row)s of this file.") % {"row": seen[same]}
            )
            return
        seen[same] = result.row_number
    if dry_run:
        result.outcome = Outcome.CREATED
        return
    try:
        interaction = interaction_log(actor=actor, customer=customer, data=data)
    except ValidationFailed as exc:
        result.errors = {_column(k, columns): list(v) for k, v in exc.errors.items()}
        return
    result.outcome = Outcome.CREATED
    result.note = _("Logged as %(number)s.") % {"number": interaction.interaction_no}
    result.before = {"interaction_id": interaction.pk}  # what a revert removes


def interactions_revert(*, actor: User | None, run: ImportRun) -> dict[str, int]:
    """Remove the interactions an import logged (those still there)."""
    removed = kept = 0
    rows = run.rows.filter(outcome=Outcome.CREATED).exclude(before=None)
    for row in rows.iterator():
        interaction_id = int((row.before or {}).get("interaction_id") or 0)
        found = Interaction.objects.filter(pk=interaction_id).first()
        if found is None:
            kept += 1
            continue
        interaction_delete(actor=actor, interaction=found)  # type: ignore[arg-type]
        removed += 1
    return {"removed": removed, "restored": 0, "kept": kept}
