"""The import's bulk path (issue 21): a large file (≥ KEHU_IMPORT_BULK_ROWS rows, or
`kehu import --bulk`) is validated and duplicate-checked as always, row by row against the book
and the file, but its customers are written without their search documents and without one
audit entry each; the search index catches up after the load, set-based, in key order.

- A first load (the book holds fewer customers than the file has rows) also sets aside the
  secondary indexes of the tables it fills (customers, contacts, status history) but those the
  load reads itself (names, credit codes, blind indexes of phones and e-mails, contacts by
  customer), and builds them again, each in one sorted pass, when the load ends. Their DDL is
  kept on the run (bulk_indexes): a load stopped part-way puts them back when it is resumed
  (`kehu import --resume ID`), before anything else.
- Audit: the load's "import.started" and "import.finished" entries (with the counts and
  "bulk": true) stand for its customers; each customer's row of the report (ImportRow) names
  it. Updates of existing customers still go through customer_update, audited one by one.
- The catch-up is a job ("search.catch_up", kehu.core.jobs): done / total is what the search
  page shows ("index catching up, n%"). It runs in the importing process right after the load;
  if that process dies, the reaper queues the task (tasks.import_index) and a worker finishes
  it. It is idempotent: customers that have their document already are skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kehu.core.db import (
    StatisticsAsTheyGrow,
    indexes_drop,
    indexes_restore,
    secondary_indexes,
)
from kehu.core.jobs import JobInterrupted, job_finish, job_here, job_progress, job_requeue
from kehu.core.models import Job, SearchDocument
from kehu.core.search_index import CATCH_UP_JOB
from kehu.customers.models import Customer

from ..catch_up import catch_up_documents
from ..models import ImportRun
from .common import Outcome

# The tables a load fills, and the first columns of the indexes it reads while it loads.
LOAD_TABLES = ("customers_customer", "customers_contact", "customers_customerstatuschange")
LOAD_KEEP = frozenset(
    {
        "name_normalized", "credit_code", "phone_bidx", "email_bidx",  # duplicate checks
        "mobile_bidx", "landline_bidx", "customer_id",  # contacts of the candidates
    }
)  # fmt: skip
CATCH_UP_BATCH = 2000


def bulk_wanted(run: ImportRun, requested: bool | None) -> bool:
    """The bulk path: asked for (`--bulk`), chosen before, or a file of ≥ KEHU_IMPORT_BULK_ROWS."""
    if requested is not None:
        return requested or run.bulk
    return run.bulk or run.total_rows >= settings.KEHU_IMPORT_BULK_ROWS


def bulk_begin(run: ImportRun) -> None:
    """At the start of a bulk load (inside its first transaction): mark the run, and set the
    secondary indexes aside when the book is smaller than the file."""
    run.bulk = True
    fields = ["bulk"]
    if not run.bulk_indexes and Customer.objects.count() < run.total_rows:
        run.bulk_indexes = secondary_indexes(LOAD_TABLES, keep=LOAD_KEEP)
        indexes_drop(run.bulk_indexes)
        fields.append("bulk_indexes")
    run.save(update_fields=fields)


def bulk_indexes_restore(run: ImportRun) -> None:
    """Build the indexes set aside for the load again (a finished load, or a resumed one)."""
    if not run.bulk_indexes:
        return
    with transaction.atomic():
        indexes_restore(run.bulk_indexes)
        run.bulk_indexes = []
        run.save(update_fields=["bulk_indexes"])


def catch_up_pending(run: ImportRun) -> bool:
    """Whether some customer this bulk load created has no search document yet."""
    if not run.bulk or run.status != ImportRun.Status.FINISHED or not run.created:
        return False
    ids = run.rows.filter(outcome=Outcome.CREATED, customer_id__isnull=False)
    indexed = SearchDocument.objects.filter(
        kind=SearchDocument.Kind.CUSTOMER, object_id__in=ids.values("customer_id")
    )
    return indexed.count() < ids.count()


def catch_up_job(run: ImportRun) -> Job:
    """The job of this run's catch-up, claimed by this process (the reaper queues
    tasks.import_index if the process dies)."""
    return job_here(
        kind=CATCH_UP_JOB,
        title=f"Search index of import #{run.pk}: {run.original_name}",
        started_by_id=run.created_by_id,
        task="kehu.intake.tasks.import_index",
        total=run.created,
        run_id=run.pk,
    )


def import_index_catch_up(
    run: ImportRun,
    *,
    job: Job,
    on_progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write the search documents of the customers this bulk load created (and their decision
    makers), CATCH_UP_BATCH customers per transaction, in key order, reporting done / total on
    `job`; then tidy the index. Returns how many documents it wrote."""
    ids = [
        pk
        for pk in run.rows.filter(outcome=Outcome.CREATED, customer_id__isnull=False)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        if pk is not None
    ]
    total = len(ids)
    # A first load's documents: the index's own secondary indexes, too, are built after.
    aside: list[str] = []
    if SearchDocument.objects.count() < total:
        aside = secondary_indexes([SearchDocument._meta.db_table])
        with transaction.atomic():
            indexes_drop(aside)

    statistics = StatisticsAsTheyGrow(SearchDocument)  # the "indexed already?" check's plan

    def progress(done: int) -> None:
        statistics.written(done)
        job_progress(job.pk, done=done)
        if on_progress is not None:
            on_progress(done, total)

    try:  # the documents built by the import's worker processes (catch_up.py) for a large load
        written = catch_up_documents(ids, batch=CATCH_UP_BATCH, on_batch=progress, workers=workers)
    except JobInterrupted:  # the worker is shutting down: the next one continues
        job_requeue(
            job.pk,
            stop=Job.Stop.SHUTDOWN,
            note=_("The worker was stopped; the search index catches up when a worker runs."),
        )
        raise
    finally:
        if aside:
            with transaction.atomic():
                indexes_restore(aside)
    if connection.vendor == "sqlite":  # merge the FTS5 segments the batches added
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('optimize')")
    job_finish(job.pk, result={"documents": written, "customers": total})
    return written


def import_index_resume(
    run: ImportRun, *, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """A bulk load stopped after its rows were written: put its indexes back and finish its
    search documents (`kehu import --resume ID` on a finished bulk run). Returns documents."""
    bulk_indexes_restore(run)
    if not catch_up_pending(run):
        return 0
    return import_index_catch_up(run, job=catch_up_job(run), on_progress=on_progress)
