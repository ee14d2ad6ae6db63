"""One batch: match each row to existing customers, plan what it does, and write it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.policy import scope_for
from kehu.audit.display import field_label
from kehu.contacts.selectors import decision_maker_target
from kehu.core.crypto import blind
from kehu.core.errors import ChangeHeld, DomainError, ValidationFailed
from kehu.core.normalize.address import address_compact, city_from_text, city_key
from kehu.core.numbering import monthly_key, monthly_spread
from kehu.core.search_index import (
    contact_document,
    customer_document,
)
from kehu.customers.models import Contact, Customer
from kehu.customers.services import (
    CUSTOMER_AUDIT_FIELDS,
    customer_update,
    customers_bulk_create,
)

from ..models import ImportRow, ImportRun
from ..pipeline import Built, Context, Documents, complete, keyed
from ..row_parts import keep_aside
from ..rows import CleanRow, aside_warnings
from ..writes import unsaved
from .changes import SWITCH, contact_before, json_value, maker_of, row_changes, switch_note
from .common import Outcome
from .companions import Companion, add_companions
from .guards import guard_creates, queue_duplicates
from .maker_custom import PREFIX, maker_custom_apply, maker_custom_labels

# --- One batch: plan (match, diff) and write


def _import_row(run_id: int, number: int, external_id: str) -> ImportRow:
    """ImportRow(run_id=…, row_number=…, external_id=…), built field by field (see unsaved)."""
    # id, run, row_number, outcome, external_id, customer_id, customer_no, is_incomplete,
    # errors, note, raw, before, warnings
    return unsaved(  # type: ignore[no-any-return]
        ImportRow, (None, run_id, number, "", external_id, None, "", False, {}, "", {}, None, {})
    )


def _existing(
    run: ImportRun, rows: list[CleanRow], built: Built, keys: dict[int, list[str]]
) -> tuple[dict, dict]:
    """Customers matching by external id, and by certain-duplicate key (`keys`: each built row's
    duplicate_keys), with their contacts: a handful of queries per batch."""
    ext_ids = {r.external_id for r in rows if r.is_valid and r.external_id}
    by_ext = {
        c.external_id: c
        for c in Customer.objects.filter(
            external_source=run.external_source, external_id__in=ext_ids
        )
        .exclude(external_id="")  # the words of the unique index's condition: it is used
        .prefetch_related("contacts")
    }
    codes, names = set(), set()
    for customer, _maker in built.values():
        if customer.credit_code:
            codes.add(customer.credit_code)
        names.add(customer.name_normalized)
    by_key: dict[str, Customer] = {}
    if not (codes or names):
        return by_ext, by_key
    # The keys of the candidates first, as plain values (names are shared by many customers);
    # then whole customers, with their contacts, for the keys that match only.
    candidates = list(
        Customer.objects.filter(Q(credit_code__in=codes) | Q(name_normalized__in=names))
        .order_by("-pk")
        .values_list(
            "pk", "credit_code", "name_normalized", "phone", "email_bidx", "city", "address"
        )
    )
    phones: dict[int, set[str]] = {pk: {phone} for pk, _code, _name, phone, *_rest in candidates}
    emails: dict[int, set[str]] = {
        pk: {email} for pk, _code, _name, _p, email, *_rest in candidates
    }
    named = [pk for pk, _code, name, *_rest in candidates if name in names]
    for start in range(0, len(named), 5000):
        for customer_id, mobile, landline, email in (
            Contact.objects.filter(customer_id__in=named[start : start + 5000])
            .order_by()
            .values_list("customer_id", "mobile", "landline", "email_bidx")
        ):
            phones[customer_id] |= {mobile, landline}
            emails[customer_id].add(email)
    wanted = {key for row_keys in keys.values() for key in row_keys}
    key_to_pk: dict[str, int] = {}
    for pk, code, name, _phone, _email, city, address in candidates:  # the lowest pk wins
        if code in codes and f"credit:{code}" in wanted:
            key_to_pk[f"credit:{code}"] = pk
        if name in names:
            held = [f"name:{name}|{p}" for p in phones[pk] if p]
            held += [f"mail:{name}|{e}" for e in emails[pk] if e]
            held += _address_key(name, city, address)
            for key in held:
                if key in wanted:
                    key_to_pk[key] = pk
    found = Customer.objects.filter(pk__in=set(key_to_pk.values())).prefetch_related("contacts")
    by_pk = {c.pk: c for c in found}
    by_key = {key: by_pk[pk] for key, pk in key_to_pk.items()}
    return by_ext, by_key


def _plan(
    run: ImportRun,
    rows: list[CleanRow],
    built: Built,
    *,
    actor: User | None,
    dry_run: bool,
    seen: dict[str, int] | None,
    documents: Documents | None = None,
    context: Context | None = None,
    bulk: bool = False,
) -> list[ImportRow]:
    keys_of = {number: duplicate_keys(c, m) for number, (c, m) in built.items()}
    by_ext, by_key = _existing(run, rows, built, keys_of)
    in_batch: dict[str, int] = dict(seen) if seen is not None else {}
    # A customer takes one row of a file: later rows matching it are duplicates of that row
    # (otherwise two rows would overwrite each other on every re-import).
    matched_ids = {c.pk for c in [*by_ext.values(), *by_key.values()]}
    named = _namer(actor, matched_ids)
    touched: dict[int, int] = {}
    created_here: set[int] = set()  # customers an earlier batch of this run created
    for customer_id, number, outcome in (
        ImportRow.objects.filter(run_id=run.pk, customer_id__in=matched_ids)
        .order_by()  # the model's (run, row_number) order would walk every row of the run
        .values_list("customer_id", "row_number", "outcome")
    ):
        if customer_id is not None:
            touched[customer_id] = number
            if outcome == Outcome.CREATED:
                created_here.add(customer_id)
    companions: list[Companion] = []  # rows whose person may join the customer (companions.py)
    results: list[ImportRow] = []
    to_create: list[tuple[ImportRow, Customer, Contact | None, int]] = []
    for row in rows:
        result = _import_row(run.pk, row.number, row.external_id)
        results.append(result)
        if not row.is_valid:
            result.outcome, result.errors, result.raw = Outcome.FAILED, row.errors, row.raw
            continue
        customer, maker = built[row.number]
        keys = keys_of[row.number]
        ext_key = f"ext:{row.external_id}" if row.external_id else ""
        earlier = next((in_batch[k] for k in [ext_key, *keys] if k and k in in_batch), None)
        match = by_ext.get(row.external_id) if row.external_id else None
        reason = "same external id"
        if match is None:
            found = {by_key[k].pk: (by_key[k], k) for k in keys if k in by_key}
            if len(found) > 1 and run.on_duplicate != "create":
                # Its credit code names one customer, its name and phone another: writing it
                # to either would guess (and a re-import could guess otherwise than the first).
                result.outcome = Outcome.SKIPPED
                result.note = _(
                    "Matches %(customers)s; check them, then import this row on its own."
                ) % {
                    "customers": ", ".join(
                        f"{named(c)} ({_reason_label(_reason(k))})" for c, k in found.values()
                    )
                }
                continue
            match, key = next(iter(found.values()), (None, ""))
            reason = _reason(key)
        repeated_ext = bool(ext_key) and ext_key in in_batch
        if repeated_ext or (match is None and earlier is not None and run.on_duplicate != "create"):
            result.outcome = Outcome.SKIPPED
            result.note = _("Duplicate of row %(row)s of this file.") % {"row": earlier}
            if not repeated_ext and earlier is not None:
                companions.append(Companion(result, row, earlier))
            continue
        if match is None or (run.on_duplicate == "create" and reason != "same external id"):
            if match is not None:
                result.note = _("Created although it duplicates %(customer)s (%(reason)s).") % {
                    "customer": named(match),
                    "reason": _reason_label(reason),
                }
            result.outcome = Outcome.CREATED
            result.warnings = _aside_warnings(run, row, customer, maker)
            if result.warnings:
                _mark_incomplete(customer)
            result.is_incomplete = customer.quality == Customer.Quality.INCOMPLETE
            to_create.append((result, customer, maker, row.number))
            for key in [ext_key, *keys]:
                if key:
                    in_batch.setdefault(key, row.number)
            continue
        if match.pk in touched:
            result.outcome = Outcome.SKIPPED
            result.note = _("Duplicate of row %(row)s of this file (%(customer)s).") % {
                "row": touched[match.pk],
                "customer": named(match),
            }
            if match.pk in created_here:
                companions.append(Companion(result, row, touched[match.pk], match))
            continue
        touched[match.pk] = row.number
        # The report names only customers the importer may see (issue 14.17).
        result.customer_id, result.customer_no = match.pk, named(match, blank=True)
        if run.on_duplicate == "skip":
            result.outcome = Outcome.SKIPPED
            result.note = _("Duplicate of %(customer)s (%(reason)s).") % {
                "customer": named(match),
                "reason": _reason_label(reason),
            }
            continue
        if context is not None:
            row = complete(row, context)  # an update needs the cleaned values
        _plan_update(run, row, result, match, actor=actor, dry_run=dry_run, reason=reason)
        if result.outcome != Outcome.FAILED:
            result.warnings = row.warnings
    if seen is not None:
        seen.update(in_batch)
    queued: dict[int, list[Customer]] = {}
    if to_create:  # the customer guards, for rows created in bulk (updates meet them inside)
        to_create, queued = guard_creates(
            run,
            to_create,
            {row.number: row for row in rows},
            actor=actor,
            dry_run=dry_run,
            context=context,
            namer=_namer,
        )
    if to_create and not dry_run:
        raw = {row.number: row.raw for row in rows}
        _create(run, to_create, actor=actor, documents=documents or {}, raw=raw, bulk=bulk)
        queue_duplicates(actor, to_create, queued)
    if companions:
        made = {n: (c, m) for r, c, m, n in to_create if r.outcome == Outcome.CREATED}
        add_companions(companions, made, actor=actor, dry_run=dry_run, context=context)
    return results


ASIDE_REASON = "phone_unusable"  # in missing_fields: why the customer is 待补全


def _aside_warnings(
    run: ImportRun, row: CleanRow, customer: Customer, maker: Contact | None
) -> dict[str, Any]:
    """The row's warnings about phones kept aside; a row a worker built comes without them, and
    they are found again here (rows.aside_warnings), the phones kept on its records."""
    if not row.partial:
        return row.warnings
    warnings, aside = aside_warnings(row.raw, run.mapping, customer, maker)
    for target, value, partial in aside:
        keep_aside(
            maker if target.startswith("decision_maker.") and maker else customer, value, partial
        )
    return warnings


def _mark_incomplete(customer: Customer) -> None:
    """待补全 with the reason: a phone kept aside is no way to reach the customer."""
    if customer.quality in (Customer.Quality.COMPLETE, Customer.Quality.INCOMPLETE):
        customer.quality = Customer.Quality.INCOMPLETE
    if ASIDE_REASON not in customer.missing_fields:
        customer.missing_fields = [*customer.missing_fields, ASIDE_REASON]
    if customer.incomplete_since is None:
        customer.incomplete_since = timezone.now()


def _reason(key: str) -> str:
    if key.startswith("mail:"):
        return "same name and e-mail"
    if key.startswith("addr:"):
        return "same name and address"
    return "same credit code" if key.startswith("credit:") else "same name and phone"


def _reason_label(reason: str) -> str:
    labels = {
        "same credit code": _("same credit code"),
        "same name and phone": _("same name and phone"),
        "same name and e-mail": _("same name and e-mail"),
        "same name and address": _("same name and address"),
        "same external id": _("same external id"),
    }
    return labels.get(reason, reason)


def _namer(actor: User | None, ids: set[int]) -> Callable[..., str]:
    """A matched customer as the importer may name it: its number if they may see it, else
    "a customer you cannot see" (blank=True: ""). One query a batch; the system sees all."""
    if actor is None or not ids:
        visible = ids
    else:
        visible = set(
            scope_for(actor, Customer.objects.filter(pk__in=ids)).values_list("pk", flat=True)
        )

    def named(customer: Customer, *, blank: bool = False) -> str:
        if customer.pk in visible:
            return customer.customer_no
        return "" if blank else _("a customer you cannot see")

    return named


def _create(
    run: ImportRun,
    items: list[tuple[ImportRow, Customer, Contact | None, int]],
    *,
    actor: User | None,
    documents: Documents,
    raw: dict[int, dict[str, str]],
    bulk: bool = False,
) -> None:
    """Write new customers, decision makers, status history and search documents (the ones the
    workers built, else built here).

    A customer is numbered in the month it was first contacted (its history: CX202303…), or in
    this month when that date is missing or later; a month has 9,999 numbers, and a month that
    has none left lends its rows the nearest month's (kehu/core/numbering.py monthly_spread)."""
    numbered = _numbers(items, raw)
    items = [item for item in items if item[0].outcome == Outcome.CREATED]
    if not items:
        return
    for _result, customer, _maker, number in items:
        customer.customer_no = numbered[number]

    def built_documents() -> list[Any]:
        if not documents:
            return [
                *(customer_document(c) for _r, c, _m, _n in items),
                *(contact_document(m, customer=c) for _r, c, m, _n in items if m is not None),
            ]
        pending = [keyed(documents[number], c, m) for _r, c, m, number in items]
        return [d[0] for d in pending] + [d[1] for d in pending if len(d) > 1]

    customers_bulk_create(
        actor=actor,
        items=[(customer, maker) for _r, customer, maker, _n in items],
        reason=f"Imported (#{run.pk})",
        documents=built_documents,
        in_step=not bulk,  # the bulk path: documents after the load, one audit entry for it
    )
    for result, customer, _maker, _number in items:
        result.customer_id, result.customer_no = customer.pk, customer.customer_no


def _numbers(
    items: list[tuple[ImportRow, Customer, Contact | None, int]], raw: dict[int, dict[str, str]]
) -> dict[int, str]:
    """{row number: customer number} of the rows to create, month by month (monthly_spread: a
    full month lends the nearest one's numbers); a row left without one (every month from 1900
    on is full) is marked failed here."""
    today = timezone.localdate()
    by_month: dict[str, list[int]] = {}
    for _result, customer, _maker, number in items:
        first_contact = customer.first_contact_date
        month = first_contact if first_contact is not None and first_contact <= today else today
        by_month.setdefault(monthly_key("CX", month), []).append(number)
    spread = monthly_spread("CX", {key: len(rows) for key, rows in by_month.items()}, today=today)
    numbered: dict[int, str] = {}
    for key, rows in by_month.items():
        numbered.update(zip(rows, spread[key], strict=False))
    message = _(
        "No customer number is left: every month has its %(limit)s (CX + year and month + 4 digits)."
    )
    for result, _customer, _maker, number in items:
        if number not in numbered:
            result.outcome, result.is_incomplete, result.raw = Outcome.FAILED, False, raw[number]
            result.errors = {"customer_no": [message % {"limit": "9,999"}]}
    return numbered


def _plan_update(
    run: ImportRun,
    row: CleanRow,
    result: ImportRow,
    match: Customer,
    *,
    actor: User | None,
    dry_run: bool,
    reason: str,
) -> None:
    changes = row_changes(row, match)
    if not changes:
        result.outcome = Outcome.SKIPPED
        result.note = _("Unchanged (%(reason)s).") % {"reason": _reason_label(reason)}
        return
    if (
        actor is not None
        and not scope_for(actor, Customer.objects.filter(pk=match.pk), for_write=True).exists()
    ):
        result.outcome = Outcome.SKIPPED
        result.note = _("Duplicate of %(customer)s, which you may not change.") % {
            "customer": result.customer_no or _("a customer you cannot see")
        }
        return
    result.outcome = Outcome.UPDATED
    labels = [
        field_label(Customer, n)
        for n in sorted(changes)
        if not n.startswith(PREFIX) and n != SWITCH
    ]
    fields = [*labels, *maker_custom_labels(changes)]
    notes = [switch_note(changes[SWITCH])] if SWITCH in changes else []
    if fields or not notes:  # only another contact made the decision maker: that note alone
        notes.insert(
            0,
            _("Updated %(fields)s (%(reason)s).")
            % {"fields": "、".join(fields), "reason": _reason_label(reason)},
        )
    result.note = " ".join(notes)
    if dry_run:
        result.is_incomplete = match.quality == Customer.Quality.INCOMPLETE
        return
    maker = maker_of(match)
    target = decision_maker_target(list(match.contacts.all()), row.maker)[0] if row.maker else maker
    result.before = {
        "customer": {
            **{f: json_value(getattr(match, f)) for f in CUSTOMER_AUDIT_FIELDS},
            "custom_fields": dict(match.custom_fields or {}),  # a revert puts them back too
        },
        "maker": contact_before(maker),
    }
    if target is not None and target is not maker:  # another contact becomes the decision maker
        result.before["maker_target"] = contact_before(target)
    data = dict(row.payload)
    data.pop("external_id", None)
    if row.values.get("status") and row.values["status"] != match.status:
        data["status_reason"] = f"Import #{run.pk}"
    try:
        updated = customer_update(
            actor=actor, customer=match, data=data, source="import", duplicate_context="import"
        )
    except ValidationFailed as exc:
        result.outcome, result.errors, result.raw = Outcome.FAILED, exc.errors, row.raw
        result.before = None
        return
    except ChangeHeld as held:  # the change meets the review rules: it waits, nothing applied
        result.outcome, result.before = Outcome.SKIPPED, None
        result.note = str(held.message)
        return
    except DomainError as exc:  # a probable duplicate of another customer, a finance field
        result.outcome, result.errors, result.raw = Outcome.FAILED, {"row": [exc.message]}, row.raw
        result.before = None
        return
    if target is None:  # a new contact: the row's decision maker, if it was written
        new_maker = maker_of(updated)
        created = new_maker is not None and (maker is None or new_maker.pk != maker.pk)
        result.before["maker_created"] = new_maker.pk if created and new_maker else None
    try:  # the decision maker's custom fields (checked with the row already)
        result.before["maker_custom"] = maker_custom_apply(
            actor=actor, maker=maker_of(updated), changes=changes
        )
    except DomainError as exc:  # held for review, or refused: the customer's update stands
        result.note = f"{result.note} {exc.message}"
    result.is_incomplete = updated.quality == Customer.Quality.INCOMPLETE


def duplicate_keys(customer: Customer, maker: Contact | None) -> list[str]:
    """Keys of a certain duplicate: the same credit code, or the same normalised name and a
    phone, an e-mail (its blind index) or an address: a row with no usable phone is matched
    again on its e-mail or its address, so that importing it twice does not create it twice."""
    keys = [f"credit:{customer.credit_code}"] if customer.credit_code else []
    phones = {customer.phone}
    emails = {customer.email}
    if maker is not None:
        phones |= {maker.mobile, maker.landline}
        emails.add(maker.email)
    name = customer.name_normalized
    keys += [f"name:{name}|{p}" for p in sorted(phones) if p]
    tokens = {blind("email", e) for e in emails if e}
    keys += [f"mail:{name}|{token}" for token in sorted(tokens) if token]
    keys += _address_key(name, customer.city, customer.address)
    return keys


def _address_key(name: str, city: str, address: str) -> list[str]:
    """The name with the city and the street address, region words and punctuation aside
    (address_compact): 广东省深圳市南山区科技路716号 and 深圳 南山 科技路716號 are one address; 人民路1号
    in 苏州 and in 无锡 are two (the normalised name has no city either). A region alone (深圳市)
    is no key: many customers of one name may be in one city."""
    compact = address_compact(address) if address else ""
    if len(compact) < 4:
        return []
    return [f"addr:{name}|{city_key(city) if city else city_from_text(address)}|{compact}"]
