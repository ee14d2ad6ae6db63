"""An import cleaned by worker processes writes exactly what the same import in one process does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kehu.core.models import SearchDocument
from kehu.customers.models import Contact, Customer
from kehu.customers.services.bulk import status_change_row
from kehu.intake.models import ImportRun
from kehu.intake.services import import_execute, import_revert, import_upload
from kehu.intake.services.plan import _import_row
from kehu.search.selectors import search_for

from .helpers import HEADERS, standard_row, write_csv
from .test_fast_clean import _edge_rows, _generated

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"cx\d+", re.IGNORECASE)
# The version counts edits (optimistic locking): the second import edits rows the first one's
# revert edited already, so it is higher there without any difference in what was written.
SKIP_FIELDS = {
    "id", "customer_no", "created_at", "updated_at", "incomplete_since", "team_id", "version"
}  # fmt: skip


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_BATCH_SIZE = 250  # several batches in flight at once


def _run(path: Path, actor: Any, workers: int) -> ImportRun:
    run = import_upload(
        actor=actor, name=path.name, chunks=[path.read_bytes()], preset="standard", inspect=True
    )
    return import_execute(run, actor=actor, workers=workers)


def _found(user: Any, names: list[str]) -> list[Any]:
    """What the search finds for each name and for two characters of it (bigram and trigram
    indexes): titles and counts per kind."""
    found = []
    for name in names:
        for query in (name, name[2:4]):
            results = search_for(user, query)
            found.append(
                [(g.kind, g.count, sorted(h.title for h in g.hits)) for g in results.groups]
            )
    return found


def _snapshot(run: ImportRun) -> dict[str, Any]:
    """What the run wrote, without keys, numbers and times (which differ from run to run)."""
    rows = {
        r.row_number: (r.outcome, r.external_id, r.errors, NUMBER.sub("CX", r.note), r.raw)
        for r in run.rows.all()
    }
    ids = list(run.rows.exclude(customer_id=None).values_list("customer_id", flat=True))
    fields = [f.attname for f in Customer._meta.concrete_fields if f.attname not in SKIP_FIELDS]
    customers = sorted(
        tuple(str(getattr(c, f)) for f in fields) for c in Customer.objects.filter(pk__in=ids)
    )
    contact_fields = [
        f.attname
        for f in Contact._meta.concrete_fields
        if f.attname not in SKIP_FIELDS | {"customer_id"}
    ]
    contacts = sorted(
        (c.customer.external_id, *(str(getattr(c, f)) for f in contact_fields))
        for c in Contact.objects.filter(customer_id__in=ids).select_related("customer")
        if f"{c.customer.external_id}"  # every generated row has one
    )
    documents = sorted(
        (d.kind, d.title, NUMBER.sub("CX", d.subtitle), NUMBER.sub("CX", d.text), d.grams, d.owner)
        for d in SearchDocument.objects.filter(customer_id__in=ids)
    )
    counts = (run.created, run.updated, run.skipped, run.failed, run.incomplete)
    return {"rows": rows, "customers": customers, "contacts": contacts, "docs": documents,
            "counts": counts}  # fmt: skip


def test_workers_write_what_one_process_writes(tmp_path, manager):
    generated = _generated(tmp_path / "gen", 900)
    headers = [h for h in HEADERS if h != "负责人"]  # the generator's reps are not users here
    first = write_csv(tmp_path / "first.csv", generated[:200], headers=headers)
    _run(first, manager, workers=0)  # existing customers: the big file updates or skips them
    changed = [
        {**row, "客户地址": f"{row['客户地址']}（新址）"} if i % 3 == 0 else row
        for i, row in enumerate(generated)
    ]
    path = write_csv(tmp_path / "all.csv", changed + _edge_rows(), headers=headers)

    with_workers = _run(path, manager, workers=2)
    assert with_workers.updated > 50 and with_workers.created > 500 and with_workers.failed > 5
    expected = _snapshot(with_workers)
    names = [row["客户名称"] for row in generated[200:900:35]]
    expected["found"] = _found(manager, names)
    assert sum(group[1] for found in expected["found"] for group in found) > len(names)
    import_revert(actor=manager, run=with_workers)

    in_process = _run(path, manager, workers=0)
    got = {**_snapshot(in_process), "found": _found(manager, names)}
    for key, value in expected.items():
        assert got[key] == value, key


def test_the_models_workers_send_have_no_init_signals():
    """pipeline._instance builds instances without __init__: nothing may listen to it."""
    from django.db.models.signals import post_init, pre_init

    from kehu.customers.models import CustomerStatusChange
    from kehu.intake.models import ImportRow
    from kehu.intake.writes import field_values, unsaved

    for model in (Customer, Contact, SearchDocument, ImportRow, CustomerStatusChange):
        assert not pre_init.has_listeners(model) and not post_init.has_listeners(model)
        built = model()
        assert field_values(unsaved(model, field_values(built))) == field_values(built)
    row = ImportRow(run_id=7, row_number=3, external_id="E1")
    assert field_values(row) == field_values(_import_row(7, 3, "E1"))
    change = CustomerStatusChange(customer_id=5, to_status="lead", reason="r", changed_by_id=2)
    assert field_values(change) == field_values(status_change_row(5, "lead", "r", 2))


@pytest.mark.parametrize(("threshold", "queued"), [(5, 1), (10_000, 0)])
def test_a_large_import_queues_a_search_tidy(
    tmp_path, manager, settings, django_capture_on_commit_callbacks, threshold, queued
):
    """Documents written row by row scatter the index: a big import queues search_tidy."""
    from django_tasks_db.models import DBTaskResult

    settings.KEHU_IMPORT_SEARCH_TIDY_ROWS = threshold
    headers = [h for h in HEADERS if h != "负责人"]
    path = write_csv(tmp_path / "few.csv", [standard_row(n) for n in range(1, 9)], headers=headers)
    with django_capture_on_commit_callbacks(execute=True):
        run = _run(path, manager, workers=0)
    assert run.created == 8
    tidy = DBTaskResult.objects.filter(task_path="kehu.core.tasks.search_tidy")
    assert tidy.count() == queued


def test_search_tidy_task_runs_on_sqlite(db, customer_factory, rep):
    """The queued task tidies the index (SQLite: FTS5 optimize) and refreshes the statistics, and
    loses nothing (PostgreSQL's VACUUM cannot run in a transaction: left to the worker there)."""
    from django.db import connection

    from kehu.core.db import has_statistics
    from kehu.core.tasks import search_tidy

    if connection.vendor != "sqlite":
        pytest.skip("VACUUM cannot run inside the test's transaction")
    customer = customer_factory(name="整理测试科技有限公司")
    documents = sorted(SearchDocument.objects.values_list("kind", "object_id", "text"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DELETE FROM sqlite_stat1")
    assert not has_statistics() and not has_statistics("core_searchdocument")
    search_tidy.call()
    assert has_statistics() and has_statistics("core_searchdocument")
    assert sorted(SearchDocument.objects.values_list("kind", "object_id", "text")) == documents
    hits = [h.title for g in search_for(rep, "整理测试").groups for h in g.hits]
    assert hits == [customer.name]
