"""Import workers are fork()ed: what the parent left for its garbage collector is finalized in the
parent, never in a worker (a DuckDB connection's threads do not exist in the child: finalizing
it there crashed a worker with SIGSEGV), and a worker that crashes leaves its Python stack in the
log with the error that stops the import."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from kehu.customers.models import Customer
from kehu.intake import pipeline
from kehu.intake.models import ImportRun
from kehu.intake.services import import_execute, import_upload

from .helpers import csv_text, standard_row

pytestmark = pytest.mark.django_db
ROWS = 60


@pytest.fixture(autouse=True)
def _small_batches(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_BATCH_SIZE = 20


def _upload(actor: Any) -> ImportRun:
    text = csv_text([standard_row(n) for n in range(1, ROWS + 1)])
    return import_upload(
        actor=actor, name="rows.csv", chunks=[text.encode()], preset="standard", inspect=True
    )


class _Canary:
    """Notes, in `path`, the process that finalized it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.me = self  # a cycle: only the garbage collector frees it

    def __del__(self) -> None:
        with open(self.path, "a") as out:
            out.write(f"{os.getpid()}\n")


def test_the_parents_garbage_is_finalized_in_the_parent_not_in_a_worker(
    rep: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finalized = tmp_path / "finalized"
    real_work = pipeline._work

    def collecting_work(chunk: pipeline.Chunk) -> list[pipeline.Packed]:
        gc.collect()  # what a worker's garbage collector does on its own, sooner or later
        return real_work(chunk)

    monkeypatch.setattr(pipeline, "_work", collecting_work)
    gc.disable()  # the cycle is still there when the import starts its workers
    try:
        _Canary(finalized)
        run = _upload(rep)
        import_execute(run, actor=rep, workers=2)
    finally:
        gc.enable()
    gc.collect()
    assert finalized.read_text().split() == [str(os.getpid())]
    assert Customer.objects.count() == ROWS


def test_a_crashing_worker_stops_the_import_and_logs_where_it_crashed(
    rep: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crashing_work(chunk: pipeline.Chunk) -> list[pipeline.Packed]:
        ctypes.string_at(0)  # a C extension reading address 0: SIGSEGV
        return []

    monkeypatch.setattr(pipeline, "_work", crashing_work)
    run = _upload(rep)
    with caplog.at_level(logging.ERROR, logger="kehu.intake.pipeline"):
        with pytest.raises(pipeline.WorkerDied, match=r"exit code -11"):
            import_execute(run, actor=rep, workers=2)
    crashed = [r.getMessage() for r in caplog.records if "crashed" in r.getMessage()]
    assert crashed and "Segmentation fault" in crashed[0] and "crashing_work" in crashed[0]
    assert Customer.objects.count() == 0
