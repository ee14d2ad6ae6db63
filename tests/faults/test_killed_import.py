"""kill -9 of the task worker in the middle of an import (issue 21), on PostgreSQL: what it leaves
is whole batches only (every customer with its contact, its import row and its search document;
the run's position at a batch boundary), and the next worker finishes the import with exactly
the file's rows. kehu/intake/tests/test_worker_signals.py covers SIGTERM and two workers racing;
this one looks at what a kill leaves behind."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from kehu.intake.tests.test_worker_signals import (
    BATCH,
    ROWS,
    _database_url,
    _mid_import,
    _queued_import,
    _resume,
    _scalar,
)

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_BATCH_SIZE = BATCH


def test_a_killed_import_leaves_whole_batches_and_the_next_worker_finishes_it(
    client: Any, rep: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    _queued_import(client, rep, django_capture_on_commit_callbacks)
    url, copy = _database_url(tmp_path)
    worker = _mid_import(url, copy, tmp_path)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    position = _scalar(copy, "SELECT position FROM intake_importrun")
    customers = _scalar(copy, "SELECT COUNT(*) FROM customers_customer")
    assert 0 < position < ROWS and position % BATCH == 0  # midway, at a batch boundary
    details = {
        sql: _scalar(copy, sql)
        for sql in (
            "SELECT created FROM intake_importrun",
            "SELECT COUNT(*) FROM intake_importrow",
            "SELECT COUNT(*) FROM customers_contact",
            "SELECT COUNT(*) FROM core_searchdocument",
            "SELECT status FROM intake_importrun",
        )
    }
    assert customers == position, details  # whole batches, nothing of the running one
    assert _scalar(copy, "SELECT COUNT(*) FROM customers_contact") == customers
    imported_rows = "SELECT COUNT(*) FROM intake_importrow WHERE customer_id IS NOT NULL"
    assert _scalar(copy, imported_rows) == customers
    documents = "SELECT COUNT(*) FROM core_searchdocument WHERE kind = 'customer'"
    assert _scalar(copy, documents) == customers
    assert _scalar(copy, "SELECT status FROM core_job WHERE kind = 'intake.import'") == "running"

    _resume(url, tmp_path, copy)  # the next worker reaps the job and continues from there
    assert _scalar(copy, documents) == ROWS
    assert _scalar(copy, "SELECT COUNT(*) FROM customers_contact") == ROWS
