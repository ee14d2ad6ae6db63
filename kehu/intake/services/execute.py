"""Running an import: dry run or commit, batch by batch (resumable).

A commit writes batches of KEHU_IMPORT_BATCH_SIZE rows, each in one transaction together with the
run's new position, so a crash or kill -9 leaves no half-written batch and the next run of the same
import starts at the first row not committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.db import StatisticsAsTheyGrow, db_analyze
from kehu.core.models import Counter, SearchDocument
from kehu.core.tasks import search_tidy
from kehu.customers.consent_gate import consent_basis_record_bulk
from kehu.customers.models import Contact, Customer, CustomerStatusChange

from ..models import ImportRow, ImportRun
from ..pipeline import Context, default_workers, prepared
from ..readers import FileInfo, read_rows
from ..rows import CleanMemo, Dictionaries
from ..writes import insert_rows
from .bulk import (
    bulk_begin,
    bulk_indexes_restore,
    bulk_wanted,
    catch_up_job,
    import_index_catch_up,
)
from .common import ImportStateError, Outcome, import_check_read
from .interactions import interaction_rows
from .plan import _plan
from .upload import unknown_columns

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
    actor: User | None,
    dry_run: bool = False,
    on_batch: Callable[[ImportRun, list[ImportRow]], None] | None = None,
    keep_rows: int = 500,
    workers: int | None = None,
    bulk: bool | None = None,
    on_index: Callable[[int, int], None] | None = None,
) -> ImportRun:
    """Dry-run or commit (from run.position on) the whole file; returns the run with its counts.

    A dry run writes nothing and keeps the first `keep_rows` problems in run.preview.
    `workers` processes clean and build the rows, and build the search documents of a bulk
    load (default: default_workers(run.total_rows)).
    `bulk`: the bulk path (services/bulk.py; default: for files of ≥ KEHU_IMPORT_BULK_ROWS
    rows); its search index catches up once the run has finished, reporting (done, total)
    customers to `on_index`.
    """
    import_check_read(run)
    if not run.file_path or not Path(run.file_path).exists():
        raise ImportStateError(_("The uploaded file is no longer kept; upload it again."))
    if not dry_run and run.status in (ImportRun.Status.FINISHED, ImportRun.Status.REVERTED):
        raise ImportStateError(_("This import has finished already."))
    bulk = not dry_run and run.kind == ImportRun.Kind.CUSTOMERS and bulk_wanted(run, bulk)
    size = max(1, settings.KEHU_IMPORT_BULK_BATCH_SIZE if bulk else settings.KEHU_IMPORT_BATCH_SIZE)
    context = Context(
        mapping=run.mapping,
        dictionaries=Dictionaries(),
        actor=actor,
        external_source=run.external_source,
        created_by=actor if actor is not None else run.created_by,
        memo=CleanMemo(),
        documents=not bulk,
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
                    actor=actor,
                    action=AuditAction.IMPORT_STARTED,
                    target=run,
                    note=run.original_name,
                    changes=_consent_changes(run),
                )
            if bulk:
                bulk_begin(run)
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, message="")
        run.status = ImportRun.Status.RUNNING
    rows = read_rows(Path(run.file_path), info, skip=0 if dry_run else run.position)
    if run.kind == ImportRun.Kind.INTERACTIONS:  # checked and logged row by row
        logged: dict[tuple[Any, ...], int] = {}
        batches: Iterator[tuple[int, Any, Any, Any]] = (
            (len(chunk), chunk, None, None) for chunk in _batches(rows, size)
        )

        def plan(cleaned: Any, built: Any, documents: Any, *, dry: bool) -> list[ImportRow]:
            return interaction_rows(run, cleaned, actor=actor, dry_run=dry, seen=logged)
    else:
        batches = prepared(_batches(rows, size), context, workers=workers)

        def plan(cleaned: Any, built: Any, documents: Any, *, dry: bool) -> list[ImportRow]:
            return _plan(
                run,
                cleaned,
                built,
                actor=actor,
                dry_run=dry,
                seen=seen if dry else None,
                documents=None if dry else documents,
                context=context,
                bulk=bulk,
            )

    statistics = StatisticsAsTheyGrow(Customer, Contact, CustomerStatusChange, ImportRow)
    with _checkpoints_spaced(not dry_run):
        for chunk_size, cleaned, built, documents in batches:
            if dry_run:
                results = plan(cleaned, built, documents, dry=True)
                for result in results:
                    counts[result.outcome] += 1
                    counts["incomplete"] += result.is_incomplete
                    if (result.errors or result.note or result.warnings) and len(
                        problems
                    ) < keep_rows:
                        problems.append(_problem(result))
            else:
                with transaction.atomic():
                    _commit_without_waiting()
                    # One writer per import: if another process wrote this batch (a resumed job
                    # whose first worker was alive after all), this one stops, writing nothing.
                    if not ImportRun.objects.filter(pk=run.pk, position=run.position).update(
                        position=run.position
                    ):
                        raise ImportStateError(_("Another process is running this import."))
                    results = plan(cleaned, built, documents, dry=False)
                    insert_rows(ImportRow, results, with_ids=False)
                    _consents_record(run, results, actor=actor)
                    tally = {key: 0 for key in counts}
                    for result in results:
                        tally[result.outcome] += 1
                        tally["incomplete"] += result.is_incomplete
                    run.position += chunk_size
                    for key, value in tally.items():
                        setattr(run, key, getattr(run, key) + value)
                    run.save(update_fields=["position", *counts])
                    statistics.written(run.position)
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
    if bulk:
        bulk_indexes_restore(run)  # before the run is finished: its pages read them
    with transaction.atomic():
        run.status = ImportRun.Status.FINISHED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        changes: dict[str, Any] = {k: getattr(run, k) for k in counts}
        if bulk:  # this entry stands for the customers the load created (services/bulk.py)
            changes["bulk"] = True
        audit_record(actor=actor, action=AuditAction.IMPORT_FINISHED, target=run, changes=changes)
        if not bulk and run.created + run.updated >= settings.KEHU_IMPORT_SEARCH_TIDY_ROWS:
            transaction.on_commit(search_tidy.enqueue)
    if bulk and run.created:
        import_index_catch_up(run, job=catch_up_job(run), on_progress=on_index, workers=workers)
    if run.created + run.updated >= settings.KEHU_IMPORT_SEARCH_TIDY_ROWS:
        # A large import reshapes the tables it wrote: fresh planner statistics for those only
        # (every table of the database took 3.8 s on PostgreSQL whatever the import's size).
        db_analyze(Customer, Contact, CustomerStatusChange, SearchDocument, ImportRow, Counter)
    return run


def _consent_changes(run: ImportRun) -> dict[str, Any]:
    """The basis the importer recorded for the people the file brings in (the start's entry)."""
    if run.kind != ImportRun.Kind.CUSTOMERS:
        return {}
    return {
        "consent_lawful_basis": run.consent_lawful_basis,
        "consent_purposes": list(run.consent_purposes),
        "consent_wording_version": run.consent_wording_version,
    }


def _consents_record(run: ImportRun, results: list[ImportRow], *, actor: User | None) -> None:
    """The importer's basis for each person the batch brought in: every contact of each
    customer the batch created (the customer itself when it came without one), in the
    batch's transaction. Updated customers keep what they had: the file did not bring them."""
    choice = run.consent_choice
    if run.kind != ImportRun.Kind.CUSTOMERS or not choice.records_anything:
        return
    created = [r.customer_id for r in results if r.outcome == Outcome.CREATED and r.customer_id]
    if not created:
        return
    people: list[tuple[int, int | None]] = list(
        Contact.objects.filter(customer_id__in=created)
        .order_by("customer_id", "id")
        .values_list("customer_id", "id")
    )
    with_contact = {customer_id for customer_id, _contact in people}
    people += [(customer_id, None) for customer_id in created if customer_id not in with_contact]
    consent_basis_record_bulk(
        actor=actor if actor is not None else run.created_by,
        people=people,
        choice=choice,
        channel="import",
        import_run=run,
    )


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
        "warnings": result.warnings,
        "customer_no": result.customer_no,
    }


def import_mark_stopped(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, message=message)
    run.refresh_from_db(fields=["bulk_indexes"])
    try:
        bulk_indexes_restore(run)  # a stopped bulk load leaves the book with all its indexes
    except DatabaseError:
        pass  # a broken connection: the indexes come back when the import is resumed
