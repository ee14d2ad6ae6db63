from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.customers.services import PermissionDenied
from kehu.intake.models import ImportRun
from kehu.intake.services import ImportStateError, import_revert

from .helpers import standard_row, write_csv

ROWS = 1200
REPO = Path(django_settings.REPO_DIR)


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A URL another process can open: PostgreSQL's test database, or a file copy of SQLite's."""
    data = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{data['USER']}@{data['HOST'] or '127.0.0.1'}:{data['PORT'] or 5432}"
            f"/{data['NAME']}",
            None,
        )
    copy = tmp_path / "kill.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}", copy


def _scalar(copy: Path | None, sql: str) -> int:
    if copy is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    with sqlite3.connect(copy) as db:
        return db.execute(sql).fetchone()[0]


def _kehu(url: str, tmp_path: Path, *args: str, pause_ms: int = 0) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "KEHU_DATABASE_URL": url,
        "KEHU_IMPORT_DIR": str(tmp_path / "kept"),
        "KEHU_IMPORT_BATCH_SIZE": "100",
        "KEHU_IMPORT_BATCH_PAUSE_MS": str(pause_ms),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "kehu", "import", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_import_leaves_whole_batches_and_resumes(tmp_path, rep):
    source = write_csv(tmp_path / "big.csv", [standard_row(n) for n in range(1, ROWS + 1)])
    url, copy = _database_url(tmp_path)
    worker = _kehu(url, tmp_path, str(source), pause_ms=400)
    deadline = time.monotonic() + 120
    position = 0
    while time.monotonic() < deadline:
        try:
            position = _scalar(copy, "SELECT COALESCE(MAX(position), 0) FROM intake_importrun")
        except (sqlite3.OperationalError, Exception):
            position = 0
        if position >= 300:
            break
        assert worker.poll() is None, worker.communicate()
        time.sleep(0.05)
    time.sleep(0.2)  # inside the next batch's transaction (it pauses before committing)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    committed = _scalar(copy, "SELECT position FROM intake_importrun")
    assert 300 <= committed < ROWS and committed % 100 == 0
    # Whole batches only: every customer has its decision maker, status and report row.
    assert _scalar(copy, "SELECT COUNT(*) FROM customers_customer") == committed
    assert _scalar(copy, "SELECT COUNT(*) FROM customers_contact") == committed
    assert _scalar(copy, "SELECT COUNT(*) FROM intake_importrow") == committed
    assert _scalar(copy, "SELECT created FROM intake_importrun") == committed
    run_id = _scalar(copy, "SELECT id FROM intake_importrun")

    resumed = _kehu(url, tmp_path, "--resume", str(run_id))
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert (
        out.strip().splitlines()[-1] == f"created={ROWS} updated=0 skipped=0 failed=0 incomplete=0"
    )
    assert _scalar(copy, "SELECT COUNT(*) FROM customers_customer") == ROWS
    assert _scalar(copy, "SELECT COUNT(DISTINCT external_id) FROM customers_customer") == ROWS
    assert _scalar(copy, "SELECT COUNT(*) FROM intake_importrow") == ROWS
    assert _scalar(copy, "SELECT COUNT(DISTINCT customer_no) FROM customers_customer") == ROWS


def _import(path: Path) -> ImportRun:
    call_command("import", str(path), stdout=StringIO())
    return ImportRun.objects.order_by("-pk").first()


@pytest.mark.django_db
def test_revert_removes_created_and_restores_updated(tmp_path, rep, outsider, admin_user):
    first = _import(write_csv(tmp_path / "a.csv", [standard_row(1), standard_row(2)]))
    assert first.created == 2
    changed = standard_row(1, 年合作预算="700000", 决策人职位="董事长", 客户状态="意向客户")
    second = _import(write_csv(tmp_path / "b.csv", [changed, standard_row(2), standard_row(3)]))
    assert (second.created, second.updated, second.skipped) == (1, 1, 1)
    updated = Customer.objects.get(external_id="EXT00000001")
    assert updated.status == "intent" and updated.contacts.get().title == "董事长"

    with pytest.raises(PermissionDenied):
        import_revert(actor=outsider, run=second)
    result = import_revert(actor=admin_user, run=second)

    assert result == {"removed": 1, "restored": 1, "kept": 0}
    assert set(Customer.objects.values_list("external_id", flat=True)) == {
        "EXT00000001",
        "EXT00000002",
    }
    restored = Customer.objects.get(external_id="EXT00000001")
    assert restored.status == "lead"
    assert str(restored.budget_amount) == "80000.00"
    assert restored.contacts.get().title == "总经理"
    assert AuditEntry.objects.filter(action="import.reverted", target_id=str(second.pk)).exists()
    second.refresh_from_db()
    assert second.status == ImportRun.Status.REVERTED
    with pytest.raises(ImportStateError):
        import_revert(actor=admin_user, run=second)
