"""A large import on the real task worker (`kehu db_worker` in its own process, import workers
forced with KEHU_IMPORT_WORKERS): SIGTERM ends the worker and its children promptly and leaves
the job queued to resume; after kill -9 the next worker resumes it; the import ends with
exactly the file's rows however often it was stopped, and never runs twice at once."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from kehu.customers.models import Customer
from kehu.intake import pipeline
from kehu.intake.models import ImportRun
from kehu.intake.services import ImportStateError, import_execute
from kehu.intake.tasks import import_commit

from .helpers import csv_text, standard_row

ROWS = 1500
BATCH = 100
STOP_SECONDS = 10  # SIGTERM to exit: one batch (~0.5 s here) and the worker's own exit
REPO = Path(django_settings.REPO_DIR)


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_BATCH_SIZE = BATCH


# --- Helpers: an import queued through the pages, a worker in its own process, /proc


def _queued_import(client: Any, user: Any, capture: Any, rows: int = ROWS) -> ImportRun:
    client.force_login(user)
    upload = io.BytesIO(csv_text([standard_row(n) for n in range(1, rows + 1)]).encode())
    upload.name = "big.csv"
    with capture(execute=True):
        assert client.post("/imports/", {"file": upload}).status_code == 302
    run = ImportRun.objects.get()
    if not run.mapping:  # read on the worker
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        run.refresh_from_db()
    with capture(execute=True):
        assert client.post(f"/imports/{run.pk}/commit/").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED and run.job_id
    return run


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A URL another process can open: PostgreSQL's test database, or a file copy of SQLite's."""
    data = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{data['USER']}@{data['HOST'] or '127.0.0.1'}:{data['PORT'] or 5432}"
            f"/{data['NAME']}",
            None,
        )
    copy = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}", copy


def _scalar(copy: Path | None, sql: str) -> Any:
    if copy is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    with sqlite3.connect(copy, timeout=30) as db:
        return db.execute(sql).fetchone()[0]


def _worker(
    url: str, tmp_path: Path, *args: str, pause_ms: int = 0, new_session: bool = False
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "KEHU_DATABASE_URL": url,
        "KEHU_IMPORT_DIR": str(tmp_path / "kept"),
        "KEHU_IMPORT_BATCH_SIZE": str(BATCH),
        "KEHU_IMPORT_BATCH_PAUSE_MS": str(pause_ms),
        "KEHU_IMPORT_WORKERS": "2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "kehu", "db_worker", "--no-startup-delay", "--interval", "0.2"]
        + list(args),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=new_session,
    )


def _children(pid: int) -> list[int]:
    """The live child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
            if int(parent) == pid and state not in "ZX":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def _wait_for(check: Callable[[], bool], worker: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert worker.poll() is None, worker.communicate()[0]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _position(copy: Path | None) -> int:
    try:
        return int(_scalar(copy, "SELECT COALESCE(MAX(position), 0) FROM intake_importrun"))
    except sqlite3.OperationalError:
        return 0


def _mid_import(url: str, copy: Path | None, tmp_path: Path, **options: Any) -> Any:
    """A worker running the import with two import workers, past its third batch."""
    worker = _worker(url, tmp_path, pause_ms=300, **options)
    _wait_for(lambda: _position(copy) >= 3 * BATCH and len(_children(worker.pid)) == 2, worker, 120)
    return worker


def _assert_imported_once(copy: Path | None) -> None:
    assert _scalar(copy, "SELECT COUNT(*) FROM customers_customer") == ROWS
    assert _scalar(copy, "SELECT COUNT(DISTINCT external_id) FROM customers_customer") == ROWS
    assert _scalar(copy, "SELECT COUNT(DISTINCT customer_no) FROM customers_customer") == ROWS
    assert _scalar(copy, "SELECT COUNT(*) FROM intake_importrow") == ROWS
    assert _scalar(copy, "SELECT status FROM intake_importrun") == "finished"
    assert _scalar(copy, "SELECT created FROM intake_importrun") == ROWS
    assert _scalar(copy, "SELECT status FROM core_job WHERE kind = 'intake.import'") == "succeeded"


def _stopped_and_resumable(copy: Path | None) -> int:
    """The job waits for a worker (not "running"); whole batches only; returns the position."""
    job = "FROM core_job WHERE kind = 'intake.import'"
    assert _scalar(copy, f"SELECT status {job}") == "queued"
    assert _scalar(copy, f"SELECT stop {job}") == "shutdown"
    assert _scalar(copy, "SELECT status FROM intake_importrun") == "queued"
    position = _scalar(copy, "SELECT position FROM intake_importrun")
    assert 3 * BATCH <= position < ROWS and position % BATCH == 0
    assert _scalar(copy, "SELECT COUNT(*) FROM customers_customer") == position
    return int(position)


def _resume(url: str, tmp_path: Path, copy: Path | None) -> None:
    finisher = _worker(url, tmp_path, "--batch")
    out = finisher.communicate(timeout=600)[0]
    assert finisher.returncode == 0, out
    _assert_imported_once(copy)


# Committed data: other processes read it, and the worker closes and reopens connections.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- SIGTERM


@transactional
def test_sigterm_mid_import_ends_the_worker_and_its_children_promptly(
    client, rep, tmp_path, django_capture_on_commit_callbacks
):
    _queued_import(client, rep, django_capture_on_commit_callbacks)
    url, copy = _database_url(tmp_path)
    worker = _mid_import(url, copy, tmp_path)
    children = _children(worker.pid)
    signalled, sent = _position(copy), time.monotonic()
    worker.send_signal(signal.SIGTERM)
    out = worker.communicate(timeout=STOP_SECONDS)[0]  # TimeoutExpired: the worker hung
    took = time.monotonic() - sent
    assert worker.returncode == 0, out
    assert not [pid for pid in children if _alive(pid)]
    position = _stopped_and_resumable(copy)
    assert position <= signalled + 2 * BATCH, (position, signalled, took)  # not run to the end
    assert "Traceback" not in out

    _resume(url, tmp_path, copy)
    assert _scalar(copy, "SELECT resumed FROM core_job WHERE kind = 'intake.import'") == 0


@transactional
def test_sigterm_to_the_whole_process_group_also_ends_everything(
    client, rep, tmp_path, django_capture_on_commit_callbacks
):
    """What systemd does (KillMode=control-group): the import's workers get SIGTERM too and die
    at once; the worker notices at its next batch instead of waiting for them for ever."""
    _queued_import(client, rep, django_capture_on_commit_callbacks)
    url, copy = _database_url(tmp_path)
    worker = _mid_import(url, copy, tmp_path, new_session=True)
    children = _children(worker.pid)
    os.killpg(worker.pid, signal.SIGTERM)
    out = worker.communicate(timeout=STOP_SECONDS)[0]
    assert worker.returncode == 0, out
    assert not [pid for pid in children if _alive(pid)]
    _stopped_and_resumable(copy)
    _resume(url, tmp_path, copy)


# --- kill -9


@transactional
def test_a_killed_worker_s_import_is_resumed_by_the_next_worker(
    client, rep, tmp_path, django_capture_on_commit_callbacks
):
    _queued_import(client, rep, django_capture_on_commit_callbacks)
    url, copy = _database_url(tmp_path)
    worker = _mid_import(url, copy, tmp_path)
    children = _children(worker.pid)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    deadline = time.monotonic() + 5
    while [pid for pid in children if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)]  # they die with their parent
    assert _scalar(copy, "SELECT status FROM core_job WHERE kind = 'intake.import'") == "running"

    _resume(url, tmp_path, copy)
    job = "FROM core_job WHERE kind = 'intake.import'"
    assert (_scalar(copy, f"SELECT resumed {job}"), _scalar(copy, f"SELECT stop {job}")) == (
        1,
        "worker_gone",
    )
    audited = "SELECT COUNT(*) FROM audit_auditentry WHERE action = 'job.stale_resumed'"
    assert _scalar(copy, audited) == 1


@transactional
def test_two_workers_after_a_kill_resume_the_import_once(
    client, rep, tmp_path, django_capture_on_commit_callbacks
):
    _queued_import(client, rep, django_capture_on_commit_callbacks)
    url, copy = _database_url(tmp_path)
    worker = _mid_import(url, copy, tmp_path)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    both = [_worker(url, tmp_path, "--batch") for _ in range(2)]  # both reap when they start
    for each in both:
        out = each.communicate(timeout=600)[0]
        assert each.returncode == 0, out
    _assert_imported_once(copy)
    assert _scalar(copy, "SELECT resumed FROM core_job WHERE kind = 'intake.import'") == 1
    audited = "SELECT COUNT(*) FROM audit_auditentry WHERE action = 'job.stale_resumed'"
    assert _scalar(copy, audited) == 1


@transactional
def test_two_task_results_for_one_job_run_it_once(
    client, rep, tmp_path, django_capture_on_commit_callbacks
):
    """The claim is one conditional UPDATE: of two workers that each took a task for the same
    job, one runs it and the other stops before reading a row."""
    run = _queued_import(client, rep, django_capture_on_commit_callbacks)
    import_commit.enqueue(job_id=run.job_id, run_id=run.pk)  # a second task for the same job
    url, copy = _database_url(tmp_path)
    both = [_worker(url, tmp_path, "--batch") for _ in range(2)]
    for each in both:
        out = each.communicate(timeout=600)[0]
        assert each.returncode == 0, out
    _assert_imported_once(copy)
    tasks = "FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%import_commit'"
    assert _scalar(copy, f"SELECT COUNT(*) {tasks} AND status = 'SUCCESSFUL'") == 1
    assert _scalar(copy, f"SELECT COUNT(*) {tasks} AND exception_class_path LIKE '%JobLost'") == 1
    assert _scalar(copy, "SELECT attempt FROM core_job WHERE kind = 'intake.import'") == 1


# --- The import's worker processes, in this process


@pytest.fixture
def graceful_sigterm() -> Iterator[list[int]]:
    """A Python SIGTERM handler like the task worker's, for the import to run under."""
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: received.append(number))
    yield received
    signal.signal(signal.SIGTERM, previous)


def _signal_masks(pid: int) -> dict[str, int]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
    return {key: int(fields[key], 16) for key in ("SigBlk", "SigIgn", "SigCgt")}


@transactional
def test_import_workers_never_run_the_parent_s_signal_handlers(
    client, rep, tmp_path, django_capture_on_commit_callbacks, graceful_sigterm
):
    run = _queued_import(client, rep, django_capture_on_commit_callbacks, rows=600)
    seen: list[dict[str, int]] = []

    def inspect(_run: ImportRun, _rows: Any) -> None:
        if not seen:
            seen.extend(_signal_masks(pid) for pid in _children(os.getpid()))

    import_execute(run, actor=rep, workers=2, on_batch=inspect)
    assert len(seen) == 2
    for masks in seen:
        assert not masks["SigCgt"] & (1 << (signal.SIGTERM - 1))  # no handler: SIGTERM ends it
        assert not masks["SigIgn"] & (1 << (signal.SIGTERM - 1))
        assert masks["SigIgn"] & (1 << (signal.SIGINT - 1))  # Ctrl+C: the parent decides
        assert not masks["SigBlk"] & (1 << (signal.SIGTERM - 1))
    assert _children(os.getpid()) == []  # ended with the import
    assert Customer.objects.count() == 600


@transactional
def test_a_dead_import_worker_stops_the_import_instead_of_hanging(
    client, rep, tmp_path, django_capture_on_commit_callbacks, graceful_sigterm
):
    run = _queued_import(client, rep, django_capture_on_commit_callbacks, rows=1000)

    killed: list[int] = []

    def kill_one(_run: ImportRun, _rows: Any) -> None:
        if not killed:
            killed.append(_children(os.getpid())[0])
            os.kill(killed[0], signal.SIGKILL)  # the OOM killer, say

    def hung(number: int, frame: Any) -> None:
        raise TimeoutError("the import waited for its dead worker")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)  # a hang fails the test instead of stopping the suite
    try:
        with pytest.raises(pipeline.WorkerDied):
            import_execute(run, actor=rep, workers=2, on_batch=kill_one)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert _children(os.getpid()) == []
    run.refresh_from_db()
    assert run.position in (BATCH, 2 * BATCH)  # the batch the dead worker had is not written
    assert Customer.objects.count() == run.position


@transactional
def test_two_processes_never_write_the_same_batch(
    client, rep, tmp_path, django_capture_on_commit_callbacks
):
    """The fence under the job's claim: a process that reads the import at a position another
    one has moved past (a job resumed while its first worker was alive after all) writes
    nothing: the batch's transaction checks the position first (and each row is unique per
    import besides)."""
    run = _queued_import(client, rep, django_capture_on_commit_callbacks, rows=300)
    behind = ImportRun.objects.get(pk=run.pk)
    import_execute(run, actor=rep, workers=0)
    assert Customer.objects.count() == 300
    behind.status = ImportRun.Status.RUNNING  # as the other process saw it
    with pytest.raises(ImportStateError):
        import_execute(behind, actor=rep, workers=0)
    assert Customer.objects.count() == 300
    assert ImportRun.objects.get(pk=run.pk).position == 300
