"""Imports: upload, mapping, dry run, batched commit (resumable), revert, purge of kept files.

A commit writes batches of KEHU_IMPORT_BATCH_SIZE rows, each in one transaction together with the
run's new position, so a crash or kill -9 leaves no half-written batch and the next run of the same
import starts at the first row not committed.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from kehu.accounts.models import Role
from kehu.accounts.policy import can_create_customer, scope_for
from kehu.audit.services import audit_record
from kehu.core.errors import DomainError, ValidationFailed
from kehu.core.numbering import next_in_sequence
from kehu.core.search_index import (
    contact_document,
    customer_document,
    search_index_bulk,
    search_index_customer,
    search_unindex,
)
from kehu.core.tasks import search_tidy
from kehu.customers.models import Contact, Customer, CustomerStatusChange
from kehu.customers.services import (
    CUSTOMER_AUDIT_FIELDS,
    PermissionDenied,
    customer_refresh_quality,
    customer_update,
)

from .models import ImportRow, ImportRun, MappingPreset
from .pipeline import Built, Context, Documents, complete, default_workers, keyed, prepared
from .readers import FileInfo, count_rows, inspect_file, read_rows
from .rows import CleanMemo, CleanRow, Dictionaries, duplicate_keys
from .validators import PRESETS, TARGETS, mapping_for_headers, preset_guess, validate_mapping
from .writes import insert_rows, reserve_ids, unsaved

MAKER_FIELDS = ("name", "title", "mobile", "landline", "email")
Outcome = ImportRow.Outcome


class ImportStateError(DomainError):
    """This import cannot do that in its current state."""

    status_code = 409
    code = "import_state"


def can_import(user: Any) -> bool:
    return user is None or can_create_customer(user)


# --- Upload and mapping


def import_upload(
    *,
    actor: Any,
    name: str,
    chunks: Iterable[bytes],
    preset: str = "",
    on_duplicate: str = ImportRun.OnDuplicate.UPDATE,
) -> ImportRun:
    """Keep the file, detect format, encoding and header, and propose a mapping."""
    if actor is not None and not can_import(actor):
        raise PermissionDenied("Your role may not import customers.")
    if on_duplicate not in ImportRun.OnDuplicate.values:
        raise ValidationFailed({"on_duplicate": ["Choose update, skip or create."]})
    folder = Path(settings.KEHU_IMPORT_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    safe_name = Path(name).name or "upload"
    path = folder / safe_name
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
    try:
        info = inspect_file(path, safe_name)
        run = ImportRun(
            original_name=safe_name[:255],
            file_path=str(path),
            file_sha256=digest.hexdigest(),
            file_format=info.file_format,
            encoding=info.encoding,
            headers=info.headers,
            header_row=info.header_row,
            sheet=info.sheet,
            on_duplicate=on_duplicate,
            created_by=actor if getattr(actor, "pk", None) else None,
            total_rows=count_rows(path, info),
        )
        _apply_preset(run, preset or ("vcard" if info.file_format == "vcf" else ""))
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    run.save()
    return run


def preset_mapping(name: str) -> tuple[str, dict[str, str]] | None:
    """(external system, mapping) of a built-in or saved preset."""
    if name in PRESETS:
        return PRESETS[name]
    saved = MappingPreset.objects.filter(name=name).first()
    if saved is None:
        return None
    return str(saved.mapping.get("__source__", "")), {
        k: v for k, v in saved.mapping.items() if k != "__source__"
    }


def _apply_preset(run: ImportRun, preset: str) -> None:
    name = preset or preset_guess(run.headers)
    found = preset_mapping(name)
    if found is None:
        raise ValidationFailed({"mapping": [f"No mapping preset named '{name}'."]})
    run.preset = name
    run.external_source, mapping = found
    run.mapping = mapping_for_headers(run.headers, mapping)


def import_set_mapping(
    *,
    actor: Any,
    run: ImportRun,
    mapping: dict[str, str] | None = None,
    preset: str = "",
    on_duplicate: str = "",
    save_as: str = "",
) -> ImportRun:
    """Choose a preset or an explicit mapping; optionally save the mapping as a named preset."""
    if run.status not in (ImportRun.Status.UPLOADED,):
        raise ImportStateError("The mapping can change only before the import is committed.")
    if preset:
        _apply_preset(run, preset)
    if mapping is not None:
        clean = {h: t for h, t in mapping.items() if t}
        errors = validate_mapping(clean, run.headers)
        if errors:
            raise ValidationFailed(errors)
        run.mapping = clean
    if on_duplicate:
        if on_duplicate not in ImportRun.OnDuplicate.values:
            raise ValidationFailed({"on_duplicate": ["Choose update, skip or create."]})
        run.on_duplicate = on_duplicate
    run.preview = {}
    run.save()
    if save_as:
        mapping_preset_save(
            actor=actor, name=save_as, mapping=run.mapping, source=run.external_source
        )
    return run


@transaction.atomic
def mapping_preset_save(
    *, actor: Any, name: str, mapping: dict[str, str], source: str = ""
) -> MappingPreset:
    clean_name = name.strip()[:80]
    if not clean_name or clean_name in PRESETS:
        raise ValidationFailed({"name": ["Give the preset a name that is not a built-in one."]})
    bad = sorted(t for t in mapping.values() if t and t not in TARGETS)
    if bad:
        raise ValidationFailed({"mapping": [f"Unknown target fields: {', '.join(bad)}."]})
    preset, _created = MappingPreset.objects.update_or_create(
        name=clean_name,
        defaults={
            "mapping": {**mapping, "__source__": source},
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_record(actor=actor, action="import.preset_saved", target=preset)
    return preset


def unknown_columns(run: ImportRun) -> list[str]:
    return [h for h in run.headers if h and h not in run.mapping]


# --- Running


def _file_info(run: ImportRun) -> FileInfo:
    return FileInfo(run.file_format, run.encoding, list(run.headers), run.header_row, run.sheet)


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while True:
        batch = list(islice(items, size))
        if not batch:
            return
        yield batch


def import_execute(
    run: ImportRun,
    *,
    actor: Any,
    dry_run: bool = False,
    on_batch: Callable[[ImportRun, list[ImportRow]], None] | None = None,
    keep_rows: int = 500,
    workers: int | None = None,
) -> ImportRun:
    """Dry-run or commit (from run.position on) the whole file; returns the run with its counts.

    A dry run writes nothing and keeps the first `keep_rows` problems in run.preview.
    `workers` processes clean and build the rows (default: default_workers(run.total_rows)).
    """
    if not run.file_path or not Path(run.file_path).exists():
        raise ImportStateError("The uploaded file is no longer kept; upload it again.")
    if not dry_run and run.status in (ImportRun.Status.FINISHED, ImportRun.Status.REVERTED):
        raise ImportStateError("This import has finished already.")
    size = max(1, settings.KEHU_IMPORT_BATCH_SIZE)
    context = Context(
        mapping=run.mapping,
        dictionaries=Dictionaries(),
        actor=actor,
        external_source=run.external_source,
        created_by=actor if getattr(actor, "pk", None) else run.created_by,
        memo=CleanMemo(),
    )
    if workers is None:
        workers = default_workers(run.total_rows)
    info = _file_info(run)
    seen: dict[str, int] = {}  # dry run: keys of rows planned so far
    counts = dict.fromkeys(("created", "updated", "skipped", "failed", "incomplete"), 0)
    problems: list[dict[str, Any]] = []
    if not dry_run:
        with transaction.atomic():
            if run.position == 0:
                audit_record(
                    actor=actor, action="import.started", target=run, note=run.original_name
                )
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, message="")
        run.status = ImportRun.Status.RUNNING
    rows = read_rows(Path(run.file_path), info, skip=0 if dry_run else run.position)
    batches = prepared(_batches(rows, size), context, workers=workers)
    with _checkpoints_spaced(not dry_run):
        for chunk_size, cleaned, built, documents in batches:
            if dry_run:
                results = _plan(
                    run, cleaned, built, actor=actor, dry_run=True, seen=seen, context=context
                )
                for result in results:
                    counts[result.outcome] += 1
                    counts["incomplete"] += result.is_incomplete
                    if (result.errors or result.note) and len(problems) < keep_rows:
                        problems.append(_problem(result))
            else:
                with transaction.atomic():
                    _commit_without_waiting()
                    results = _plan(
                        run,
                        cleaned,
                        built,
                        actor=actor,
                        dry_run=False,
                        seen=None,
                        documents=documents,
                        context=context,
                    )
                    insert_rows(ImportRow, results, with_ids=False)
                    tally = {key: 0 for key in counts}
                    for result in results:
                        tally[result.outcome] += 1
                        tally["incomplete"] += result.is_incomplete
                    run.position += chunk_size
                    for key, value in tally.items():
                        setattr(run, key, getattr(run, key) + value)
                    run.save(update_fields=["position", *counts])
                    if settings.KEHU_IMPORT_BATCH_PAUSE_MS:
                        time.sleep(settings.KEHU_IMPORT_BATCH_PAUSE_MS / 1000)
            if on_batch is not None:
                on_batch(run, results)
    if dry_run:
        run.preview = {**counts, "problems": problems, "unknown_columns": unknown_columns(run)}
        ImportRun.objects.filter(pk=run.pk).update(preview=run.preview)
        for key, value in counts.items():
            setattr(run, key, value)  # in memory only: the CLI prints them
        return run
    with transaction.atomic():
        run.status = ImportRun.Status.FINISHED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        audit_record(
            actor=actor,
            action="import.finished",
            target=run,
            changes={k: getattr(run, k) for k in counts},
        )
        if run.created + run.updated >= settings.KEHU_IMPORT_SEARCH_TIDY_ROWS:
            transaction.on_commit(search_tidy.enqueue)
    return run


def _commit_without_waiting() -> None:
    """PostgreSQL: this batch's commit does not wait for its WAL to reach the disk
    (synchronous_commit off, for this transaction only). A database crash can then lose the last
    batches committed (at most about three times wal_writer_delay), whole and together with the
    import's position, so the import resumes before them: nothing is half-written, nothing is
    skipped. A killed import loses nothing: the server still has what was committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


@contextmanager
def _checkpoints_spaced(writing: bool) -> Iterator[None]:
    """SQLite: checkpoint the WAL every KEHU_IMPORT_WAL_CHECKPOINT_PAGES pages while the import
    writes, not after nearly every batch (each checkpoint copies the index pages every batch
    touches); back to the default afterwards."""
    if not writing or connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        in_wal = cursor.fetchone()[0] == "wal"  # not an in-memory (test) database
    if not in_wal or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        default = cursor.fetchone()[0]
        cursor.execute(
            f"PRAGMA wal_autocheckpoint={int(settings.KEHU_IMPORT_WAL_CHECKPOINT_PAGES)}"
        )
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(default)}")
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")  # what is left, now
        except DatabaseError:
            pass  # a broken connection: its settings die with it; the import's error matters


def _problem(result: ImportRow) -> dict[str, Any]:
    return {
        "row": result.row_number,
        "outcome": result.outcome,
        "external_id": result.external_id,
        "errors": result.errors,
        "note": result.note,
        "customer_no": result.customer_no,
    }


def import_mark_stopped(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, message=message)


# --- One batch: plan (match, diff) and write


def _import_row(run_id: int, number: int, external_id: str) -> ImportRow:
    """ImportRow(run_id=…, row_number=…, external_id=…), built field by field (see unsaved)."""
    # id, run, row_number, outcome, external_id, customer_id, customer_no, is_incomplete,
    # errors, note, raw, before
    return unsaved(  # type: ignore[no-any-return]
        ImportRow, (None, run_id, number, "", external_id, None, "", False, {}, "", {}, None)
    )


def _status_change(
    customer_id: int, status: str, reason: str, by: int | None
) -> CustomerStatusChange:
    """CustomerStatusChange(customer_id=…, to_status=…, reason=…, changed_by_id=…)."""
    # id, customer, from_status, to_status, reason, changed_by, changed_at (stamped on insert)
    return unsaved(  # type: ignore[no-any-return]
        CustomerStatusChange, (None, customer_id, "", status, reason, by, None)
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
        .values_list("pk", "credit_code", "name_normalized", "phone")
    )
    phones: dict[int, set[str]] = {pk: {phone} for pk, _code, _name, phone in candidates}
    named = [pk for pk, _code, name, _phone in candidates if name in names]
    for start in range(0, len(named), 5000):
        for customer_id, mobile, landline in (
            Contact.objects.filter(customer_id__in=named[start : start + 5000])
            .order_by()
            .values_list("customer_id", "mobile", "landline")
        ):
            phones[customer_id] |= {mobile, landline}
    wanted = {key for row_keys in keys.values() for key in row_keys}
    key_to_pk: dict[str, int] = {}
    for pk, code, name, _phone in candidates:  # highest key first: the lowest one wins
        if code in codes and f"credit:{code}" in wanted:
            key_to_pk[f"credit:{code}"] = pk
        if name in names:
            for phone in phones[pk]:
                key = f"name:{name}|{phone}"
                if phone and key in wanted:
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
    actor: Any,
    dry_run: bool,
    seen: dict[str, int] | None,
    documents: Documents | None = None,
    context: Context | None = None,
) -> list[ImportRow]:
    keys_of = {number: duplicate_keys(c, m) for number, (c, m) in built.items()}
    by_ext, by_key = _existing(run, rows, built, keys_of)
    in_batch: dict[str, int] = dict(seen) if seen is not None else {}
    # A customer takes one row of a file: later rows matching it are duplicates of that row
    # (otherwise two rows would overwrite each other on every re-import).
    matched_ids = {c.pk for c in [*by_ext.values(), *by_key.values()]}
    touched: dict[int, int] = dict(
        ImportRow.objects.filter(run_id=run.pk, customer_id__in=matched_ids)
        .order_by()  # the model's (run, row_number) order would walk every row of the run
        .values_list("customer_id", "row_number")
    )
    results: list[ImportRow] = []
    to_create: list[tuple[ImportRow, Customer, Contact | None]] = []
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
                result.note = (
                    "Matches "
                    + " and ".join(f"{c.customer_no} ({_reason(k)})" for c, k in found.values())
                    + "; check them, then import this row on its own."
                )
                continue
            match, key = next(iter(found.values()), (None, ""))
            reason = _reason(key)
        repeated_ext = bool(ext_key) and ext_key in in_batch
        if repeated_ext or (match is None and earlier is not None and run.on_duplicate != "create"):
            result.outcome = Outcome.SKIPPED
            result.note = f"Duplicate of row {earlier} of this file."
            continue
        if match is None or (run.on_duplicate == "create" and reason != "same external id"):
            if match is not None:
                result.note = f"Created although it duplicates {match.customer_no} ({reason})."
            result.outcome = Outcome.CREATED
            result.is_incomplete = customer.quality == Customer.Quality.INCOMPLETE
            to_create.append((result, customer, maker, row.number))
            for key in [ext_key, *keys]:
                if key:
                    in_batch.setdefault(key, row.number)
            continue
        if match.pk in touched:
            result.outcome = Outcome.SKIPPED
            result.note = (
                f"Duplicate of row {touched[match.pk]} of this file ({match.customer_no})."
            )
            continue
        touched[match.pk] = row.number
        result.customer_id, result.customer_no = match.pk, match.customer_no
        if run.on_duplicate == "skip":
            result.outcome = Outcome.SKIPPED
            result.note = f"Duplicate of {match.customer_no} ({reason})."
            continue
        if context is not None:
            row = complete(row, context)  # an update needs the cleaned values
        _plan_update(run, row, result, match, actor=actor, dry_run=dry_run, reason=reason)
    if seen is not None:
        seen.update(in_batch)
    if to_create and not dry_run:
        _create(run, to_create, actor=actor, documents=documents or {})
    return results


def _reason(key: str) -> str:
    return "same credit code" if key.startswith("credit:") else "same name and phone"


def _create(
    run: ImportRun,
    items: list[tuple[ImportRow, Customer, Contact | None, int]],
    *,
    actor: Any,
    documents: Documents,
) -> None:
    """Write new customers, decision makers, status history and search documents (the ones the
    workers built, else built here)."""
    today = timezone.localdate()
    prefix = f"CX{today:%Y%m}"
    first = next_in_sequence(prefix, count=len(items))
    customers = []
    ids = reserve_ids(Customer, len(items))
    for offset, (_result, customer, _maker, _number) in enumerate(items):
        customer.customer_no = f"{prefix}{first + offset:04d}"
        customer.pk = ids[offset]
        customers.append(customer)
    insert_rows(Customer, customers, with_ids=True)
    makers = []
    for result, customer, maker, _number in items:
        result.customer_id, result.customer_no = customer.pk, customer.customer_no
        if maker is not None:
            maker.customer = customer
            makers.append(maker)
    for maker, pk in zip(makers, reserve_ids(Contact, len(makers)), strict=True):
        maker.pk = pk
    insert_rows(Contact, makers, with_ids=True)
    changed_by = actor if getattr(actor, "pk", None) else None
    reason = f"Imported (#{run.pk})"
    changed_by_id = changed_by.pk if changed_by is not None else None
    insert_rows(
        CustomerStatusChange,
        [_status_change(c.pk, c.status, reason, changed_by_id) for c in customers],
        with_ids=False,
    )
    if documents:
        pending = [keyed(documents[number], c, m) for _r, c, m, number in items]
        search_index_bulk([d[0] for d in pending] + [d[1] for d in pending if len(d) > 1])
        return
    built = [customer_document(c) for c in customers]
    built += [contact_document(m, customer=m.customer) for m in makers]
    search_index_bulk(built)


def _maker_of(customer: Customer) -> Contact | None:
    makers = [
        c
        for c in customer.contacts.all()
        if not c.has_left and c.decision_role == Contact.DecisionRole.DECISION_MAKER
    ]
    makers.sort(key=lambda c: (not c.is_primary, c.pk))
    return makers[0] if makers else None


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _changes(row: CleanRow, match: Customer) -> dict[str, Any]:
    """The given (non-blank) values that differ from the stored customer."""
    given = set(row.payload)
    if "budget_amount" in given:
        given.add("budget_band")
    if "name" in given:
        given.add("name_normalized")
    changes: dict[str, Any] = {}
    for key, value in row.values.items():
        if key in ("decision_maker", "status_reason", "external_source") or key not in given:
            continue
        if key == "owner":
            value = value.pk if value else None
            current = match.owner_id
        elif key in ("industry", "sub_industry", "source"):
            value = value.pk if value else None
            current = getattr(match, f"{key}_id")
        else:
            current = getattr(match, key)
        if value != current:
            changes[key] = value
    if row.maker:
        maker = _maker_of(match)
        for key, value in row.maker.items():
            if key in MAKER_FIELDS and value and (maker is None or getattr(maker, key) != value):
                changes[f"decision_maker.{key}"] = value
    return changes


def _plan_update(
    run: ImportRun,
    row: CleanRow,
    result: ImportRow,
    match: Customer,
    *,
    actor: Any,
    dry_run: bool,
    reason: str,
) -> None:
    changes = _changes(row, match)
    if not changes:
        result.outcome = Outcome.SKIPPED
        result.note = f"Unchanged ({reason})."
        return
    if (
        actor is not None
        and not scope_for(actor, Customer.objects.filter(pk=match.pk), for_write=True).exists()
    ):
        result.outcome = Outcome.SKIPPED
        result.note = f"Duplicate of {match.customer_no}, which you may not change."
        return
    result.outcome = Outcome.UPDATED
    result.note = f"Updated {', '.join(sorted(changes))} ({reason})."
    if dry_run:
        result.is_incomplete = match.quality == Customer.Quality.INCOMPLETE
        return
    maker = _maker_of(match)
    result.before = {
        "customer": {f: _json(getattr(match, f)) for f in CUSTOMER_AUDIT_FIELDS},
        "maker": {"id": maker.pk, **{f: getattr(maker, f) for f in MAKER_FIELDS}}
        if maker
        else None,
    }
    data = dict(row.payload)
    data.pop("external_id", None)
    if row.values.get("status") and row.values["status"] != match.status:
        data["status_reason"] = f"Import #{run.pk}"
    try:
        updated = customer_update(actor=actor, customer=match, data=data, source="import")
    except ValidationFailed as exc:
        result.outcome, result.errors, result.raw = Outcome.FAILED, exc.errors, row.raw
        result.before = None
        return
    if maker is None:
        new_maker = _maker_of(updated)
        result.before["maker_created"] = new_maker.pk if new_maker else None
    result.is_incomplete = updated.quality == Customer.Quality.INCOMPLETE


# --- Revert


@transaction.atomic
def import_revert(*, actor: Any, run: ImportRun) -> dict[str, int]:
    """Undo a finished import: remove what it created, restore what it updated. Customers changed
    since the import finished are kept and counted."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportRun.Status.FINISHED:
        raise ImportStateError("Only a finished import can be reverted.")
    if (
        actor is not None
        and getattr(actor, "role", None) != Role.ADMIN
        and run.created_by_id != actor.pk
    ):
        raise PermissionDenied("Only whoever ran the import, or an administrator, may revert it.")
    finished = run.finished_at or timezone.now()
    removed = restored = kept = 0
    created_ids = list(
        run.rows.filter(outcome=Outcome.CREATED, customer_id__isnull=False).values_list(
            "customer_id", flat=True
        )
    )
    for start in range(0, len(created_ids), 1000):
        chunk = created_ids[start : start + 1000]
        removable = list(
            Customer.objects.filter(pk__in=chunk, updated_at__lte=finished).values_list(
                "pk", flat=True
            )
        )
        kept += len(chunk) - len(removable)
        contact_ids = list(
            Contact.objects.filter(customer_id__in=removable).values_list("pk", flat=True)
        )
        search_unindex("contact", contact_ids)
        search_unindex("customer", removable)
        Customer.objects.filter(pk__in=removable).delete()
        removed += len(removable)
    for row in run.rows.filter(outcome=Outcome.UPDATED).exclude(before=None).iterator():
        customer = Customer.objects.filter(pk=row.customer_id).first()
        if customer is None:
            continue
        if customer.updated_at > finished:
            kept += 1
            continue
        before = row.before or {}
        fields = before.get("customer", {})
        Customer.objects.filter(pk=customer.pk).update(**fields)
        maker = before.get("maker")
        if maker:
            Contact.objects.filter(pk=maker["id"]).update(**{f: maker[f] for f in MAKER_FIELDS})
        if before.get("maker_created"):
            Contact.objects.filter(pk=before["maker_created"]).delete()
        customer = Customer.objects.get(pk=customer.pk)
        customer_refresh_quality(customer)
        search_index_customer(customer)
        audit_record(
            actor=actor,
            action="customer.updated",
            target=customer,
            changes={k: ["(import)", v] for k, v in fields.items()},
            note=f"Import #{run.pk} reverted",
        )
        restored += 1
    run.status = ImportRun.Status.REVERTED
    run.reverted_at = timezone.now()
    run.save(update_fields=["status", "reverted_at"])
    result = {"removed": removed, "restored": restored, "kept": kept}
    audit_record(actor=actor, action="import.reverted", target=run, changes=result)
    return result


# --- Retention


def import_purge_files(*, now: Any = None) -> int:
    """Delete uploaded files older than KEHU_IMPORT_RETENTION_DAYS; the runs and reports stay."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.KEHU_IMPORT_RETENTION_DAYS)
    purged = 0
    for run in ImportRun.objects.filter(created_at__lt=cutoff, file_purged_at=None).exclude(
        status=ImportRun.Status.RUNNING
    ):
        if run.file_path:
            shutil.rmtree(Path(run.file_path).parent, ignore_errors=True)
        run.file_path = ""
        run.file_purged_at = timezone.now()
        run.save(update_fields=["file_path", "file_purged_at"])
        purged += 1
    if purged:
        with transaction.atomic():
            audit_record(actor=None, action="import.files_purged", changes={"files": purged})
    return purged
