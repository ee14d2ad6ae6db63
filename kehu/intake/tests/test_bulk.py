"""The bulk path (issue 21): what a bulk load writes, reports, finds and reverts is what the
normal path does; only the search documents come after the load, and one audit entry stands for
the load's customers."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kehu.audit.models import AuditEntry
from kehu.core.db import secondary_indexes
from kehu.core.models import Job, SearchDocument
from kehu.core.search_index import CATCH_UP_JOB
from kehu.customers.models import Customer
from kehu.intake.models import ImportRun
from kehu.intake.services import (
    catch_up_pending,
    import_execute,
    import_index_resume,
    import_mark_stopped,
    import_revert,
    import_upload,
)
from kehu.intake.services.bulk import LOAD_KEEP, LOAD_TABLES, bulk_begin

from .helpers import HEADERS, csv_text, standard_row, write_csv
from .test_fast_clean import _edge_rows, _generated
from .test_workers import _found, _snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_BATCH_SIZE = 250
    # The same batches as the normal path: a row repeating one of an earlier batch is noted with
    # the customer that batch created, one of its own batch without (either way: skipped).
    settings.KEHU_IMPORT_BULK_BATCH_SIZE = 250


def _upload(path: Path, actor: Any) -> ImportRun:
    return import_upload(
        actor=actor, name=path.name, chunks=[path.read_bytes()], preset="standard", inspect=True
    )


def _indexes() -> list[str]:
    return sorted(secondary_indexes([*LOAD_TABLES, SearchDocument._meta.db_table]))


def test_bulk_load_writes_reports_and_finds_what_the_normal_path_does(tmp_path, manager):
    generated = _generated(tmp_path / "gen", 700)
    headers = [h for h in HEADERS if h != "负责人"]  # the generator's reps are not users here
    first = write_csv(tmp_path / "first.csv", generated[:150], headers=headers)
    import_execute(_upload(first, manager), actor=manager, workers=0)  # the book: some matches
    changed = [
        {**row, "客户地址": f"{row['客户地址']}（新址）"} if i % 3 == 0 else row
        for i, row in enumerate(generated)
    ]
    path = write_csv(tmp_path / "all.csv", changed + _edge_rows(), headers=headers)
    indexes = _indexes()

    normal = import_execute(_upload(path, manager), actor=manager, workers=0)
    assert not normal.bulk and normal.created > 400 and normal.updated > 20 and normal.failed > 5
    expected = _snapshot(normal)
    names = [row["客户名称"] for row in generated[150:700:30]]
    expected["found"] = _found(manager, names)
    import_revert(actor=manager, run=normal)
    entries = AuditEntry.objects.count()

    bulk = import_execute(_upload(path, manager), actor=manager, workers=2, bulk=True)
    assert bulk.bulk and bulk.status == ImportRun.Status.FINISHED
    got = {**_snapshot(bulk), "found": _found(manager, names)}
    for key, value in expected.items():
        assert got[key] == value, key
    # One entry for the load's created customers (import.started/finished), one per update.
    added = AuditEntry.objects.filter(pk__gt=0).count() - entries
    assert added < bulk.created
    finished = AuditEntry.objects.filter(action="import.finished").order_by("-id").first()
    assert finished is not None and finished.changes["bulk"] is True
    assert finished.changes["created"] == bulk.created
    assert not AuditEntry.objects.filter(
        action="customer.created", note=f"Imported (#{bulk.pk})"
    ).exists()
    # The book (150 customers) was smaller than the file: its indexes were set aside and are back.
    assert _indexes() == indexes and ImportRun.objects.get(pk=bulk.pk).bulk_indexes == []
    job = Job.objects.get(kind=CATCH_UP_JOB)
    assert (job.status, job.done, job.total) == (Job.Status.SUCCEEDED, bulk.created, bulk.created)
    assert not catch_up_pending(bulk)

    result = import_revert(actor=manager, run=bulk)
    assert result["removed"] == bulk.created and result["restored"] == bulk.updated
    assert not Customer.objects.filter(external_id__in=[r["外部编号"] for r in generated[150:]])
    ids = list(bulk.rows.exclude(customer_id=None).values_list("customer_id", flat=True))
    assert not SearchDocument.objects.filter(customer_id__in=ids, kind="customer").exclude(
        object_id__in=Customer.objects.values("pk")
    )


def _cli(*args: str) -> list[str]:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_cli_bulk_flag_reports_bad_rows_by_row_and_field_and_reverts(tmp_path, rep):
    rows = [
        standard_row(1),
        standard_row(2, 决策人联系方式="12345", 客户名称=""),
        standard_row(3, 邮箱="not-an-address"),
        standard_row(4),
        standard_row(5, 外部编号="EXT00000001"),  # the same external id as row 2 of the file
    ]
    source = write_csv(tmp_path / "customers.csv", rows)
    report = tmp_path / "report.csv"
    lines = _cli(str(source), "--bulk", "--report", str(report), "--user", rep.username)
    assert lines[-1] == "created=2 updated=0 skipped=1 failed=2 incomplete=0"
    assert "bulk load: search index caught up" in lines
    run = ImportRun.objects.get()
    assert run.bulk
    with report.open(encoding="utf-8-sig") as handle:
        lines_of = {line["row"]: line for line in csv.DictReader(handle)}
    assert lines_of["3"]["outcome"] == "failed"
    assert "客户名称" in lines_of["3"]["errors"] and "决策人联系方式" in lines_of["3"]["errors"]
    assert lines_of["4"]["errors"].startswith("邮箱")
    assert lines_of["6"]["outcome"] == "skipped" and "2" in lines_of["6"]["note"]
    # Searchable by the end, as the importer sees it.
    from kehu.search.selectors import search_for

    titles = [h.title for g in search_for(rep, "杭州测试4号").groups for h in g.hits]
    assert "杭州测试4号贸易有限公司" in titles
    import_revert(actor=rep, run=run)
    assert not Customer.objects.exists()
    assert not SearchDocument.objects.filter(kind="customer").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.tasks
def test_api_commit_of_a_large_file_takes_the_bulk_path(
    client, rep, settings, django_capture_on_commit_callbacks
):
    settings.KEHU_IMPORT_BULK_ROWS = 3  # "large"
    client.force_login(rep)
    text = csv_text([standard_row(n) for n in range(1, 5)] + [standard_row(9, 客户名称="")])
    file = io.BytesIO(text.encode("utf-8"))
    file.name = "book.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports", {"file": file})
    assert response.status_code == 202, response.content
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    run_id = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{run_id}/commit")
    assert response.status_code == 202, response.json()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    body = client.get(f"/api/v1/imports/{run_id}").json()
    assert (body["status"], body["bulk"], body["created"], body["failed"]) == (
        "finished",
        True,
        4,
        1,
    )
    assert SearchDocument.objects.filter(kind="customer").count() == 4
    found = client.get("/api/v1/search", {"q": "杭州测试3号"}).json()
    assert "杭州测试3号贸易有限公司" in str(found)
    failed = b"".join(client.get(f"/imports/{run_id}/failed.csv").streaming_content)
    failed_rows = list(csv.DictReader(io.StringIO(failed.decode("utf-8-sig"))))
    assert failed_rows[0]["外部编号"] == "EXT00000009" and "客户名称" in failed_rows[0]["错误说明"]
    assert client.post(f"/api/v1/imports/{run_id}/revert").status_code == 200
    assert not Customer.objects.exists()


def test_search_page_says_the_index_is_catching_up(client, rep):
    client.force_login(rep)
    assert "catching up" not in client.get("/search/").content.decode()
    assert client.get("/api/v1/search", {"q": "杭州"}).json()["index_catching_up"] is None
    Job.objects.create(kind=CATCH_UP_JOB, title="t", status=Job.Status.RUNNING, total=8, done=2)
    page = client.get("/search/").content.decode()
    assert "Index catching up, 25%" in page or "索引追赶中，25%" in page
    assert client.get("/api/v1/search", {"q": "杭州"}).json()["index_catching_up"] == 25


def test_a_stopped_bulk_load_puts_its_indexes_back_and_resumes_its_index(tmp_path, rep):
    rows = [standard_row(n) for n in range(1, 7)]
    source = write_csv(tmp_path / "customers.csv", rows)
    before = _indexes()
    run = _upload(source, rep)
    bulk_begin(run)  # as a load's first batch does; then the process stops
    assert run.bulk_indexes and _indexes() != before
    import_mark_stopped(run, "killed")
    assert _indexes() == before
    run.refresh_from_db()
    assert run.bulk_indexes == [] and run.status == ImportRun.Status.FAILED

    run = import_execute(run, actor=rep, workers=0)  # resumed: still the bulk path
    assert run.bulk and run.created == 6
    SearchDocument.objects.filter(kind="customer", title__contains="3号").delete()
    assert catch_up_pending(run)  # as if the process died during the catch-up
    assert import_index_resume(run) == 1
    assert not catch_up_pending(run) and _indexes() == before


def test_secondary_indexes_keep_what_the_load_reads():
    dropped = secondary_indexes(LOAD_TABLES, keep=LOAD_KEEP)
    assert dropped and all("UNIQUE" not in sql.upper() for sql in dropped)
    assert not any("name_normalized" in sql or "phone_bidx" in sql for sql in dropped)
    assert connection.vendor in ("sqlite", "postgresql")
