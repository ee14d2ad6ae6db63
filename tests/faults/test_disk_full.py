"""The database's disk fills up during an import (issue 21): a throwaway PostgreSQL cluster whose
customers table lives in a tablespace on a small tmpfs (so the server itself, its WAL and the
other tables keep working, as when a data volume fills). The import fails with a clear message
that says what to do, its job is failed (not left running), what it wrote is whole batches only,
and once there is room again resuming it finishes the file with no duplicates."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kehu.intake.tests.test_worker_signals import BATCH, ROWS, _queued_import, _worker

from .cluster import Cluster, available, copy_database
from .helpers import REPO

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not available() or os.geteuid() != 0, reason="needs root (mount)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PORT = 8163


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_BATCH_SIZE = BATCH


def _mount(path: Path, size: str, *, remount: bool = False) -> None:
    postgres = pwd.getpwnam("postgres")
    options = f"size={size},uid={postgres.pw_uid},gid={postgres.pw_gid},mode=0700"
    if remount:
        options = f"remount,{options}"
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)


def test_a_full_disk_fails_the_import_clearly_with_whole_batches_and_it_resumes(
    client: Any, rep: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    run = _queued_import(client, rep, django_capture_on_commit_callbacks)
    cluster = Cluster(PORT)
    small = cluster.dir / "small"
    small.mkdir()
    mounted = False
    try:
        _mount(small, "512k")
        mounted = True
        cluster.start()
        copy_database(connection.settings_dict, cluster, "kehu")  # the queued import with it
        cluster.psql("postgres", f"CREATE TABLESPACE small LOCATION '{small}'")
        cluster.psql("kehu", "ALTER TABLE customers_customer SET TABLESPACE small")
        url = cluster.url("kehu")

        def scalar(sql: str) -> str:
            return cluster.psql("kehu", sql)

        worker = _worker(url, tmp_path, "--batch")
        out = worker.communicate(timeout=600)[0]
        assert worker.returncode == 0, out

        status, message, position = scalar(
            f"SELECT status, message, position FROM intake_importrun WHERE id = {run.pk}"
        ).split("|")
        position_ = int(position)
        assert status == "failed", (status, message, out[-3000:])
        assert 0 < position_ < ROWS and position_ % BATCH == 0, position_  # midway, whole batches
        # The message says what happened and what to do, not the driver's words.
        assert "disk" in message or "磁盘" in message, message
        assert f"{position_}" in message and "could not extend" not in message
        job = scalar("SELECT status, message FROM core_job WHERE kind = 'intake.import'")
        assert job == f"failed|{message}"
        assert scalar("SELECT COUNT(*) FROM customers_customer") == position  # nothing half
        assert scalar("SELECT COUNT(*) FROM customers_contact") == position
        assert scalar("SELECT COUNT(*) FROM intake_importrow WHERE customer_id IS NOT NULL") == (
            position
        )

        _mount(small, "64m", remount=True)  # room again: resume, as the page's button does
        resume = subprocess.run(
            [
                sys.executable,
                "-m",
                "kehu",
                "shell",
                "-c",
                "from kehu.accounts.models import User\n"
                "from kehu.intake.models import ImportRun\n"
                "from kehu.intake.tasks import import_queue\n"
                f"run = ImportRun.objects.get(pk={run.pk})\n"
                "import_queue(actor=User.objects.get(pk=run.created_by_id), run=run)\n",
            ],
            env={**os.environ, "KEHU_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
        assert resume.returncode == 0, resume.stdout + resume.stderr
        finisher = _worker(url, tmp_path, "--batch")
        out = finisher.communicate(timeout=600)[0]
        assert finisher.returncode == 0, out

        assert scalar(f"SELECT status FROM intake_importrun WHERE id = {run.pk}") == "finished"
        assert scalar("SELECT COUNT(*) FROM customers_customer") == str(ROWS)
        assert scalar("SELECT COUNT(DISTINCT external_id) FROM customers_customer") == str(ROWS)
        assert scalar("SELECT COUNT(*) FROM customers_contact") == str(ROWS)
    finally:
        cluster.stop("immediate")
        if mounted:
            subprocess.run(["umount", str(small)], check=False)
        cluster.remove()
