"""`kehu backup` / `kehu restore` (issue 21): a round trip gives back every table's rows and the
uploaded files; a restore never lands on a database with customers unless told to."""

from __future__ import annotations

import io
import json
import os
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kehu.core.backup import backup_prune, table_counts


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    rows = {}
    with connection.cursor() as cursor:
        for table in table_counts():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_every_table_and_the_uploaded_files(
    tmp_path: Path, settings: Any, customer_factory: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHU_IMPORT_DIR = tmp_path / "imports"
    (tmp_path / "imports").mkdir()
    upload = tmp_path / "imports" / "客户名单.xlsx"
    upload.write_bytes(b"the uploaded file")
    kept = customer_factory(name="备份前的客户有限公司")
    customer_factory(name="另一家客户有限公司")
    before = _snapshot()

    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().split("backup=")[1].split()[0])
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert "files/imports/客户名单.xlsx" in names
    assert manifest["tables"]["customers_customer"] == 2
    assert settings.SECRET_KEY not in json.dumps(manifest)  # fingerprints only

    # Life goes on: a customer renamed, one added, the upload deleted.
    from kehu.customers.models import Customer

    Customer.objects.filter(pk=kept.pk).update(name="改过名的客户")
    customer_factory(name="备份后才有的客户")
    upload.unlink()

    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(archive))
    out = io.StringIO()
    call_command("restore", str(archive), "--replace", stdout=out)
    assert "restored tables=" in out.getvalue()
    assert _snapshot() == before
    assert upload.read_bytes() == b"the uploaded file"


@pytest.mark.django_db
def test_restore_says_what_is_wrong_with_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such backup"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, "notes.txt")
    with pytest.raises(CommandError, match="manifest.json is missing"):
        call_command("restore", str(bogus))


def test_prune_keeps_the_newest_archives(tmp_path: Path) -> None:
    for index in range(5):
        path = tmp_path / f"kehu-2026120{index}-000000.tar.gz"
        path.write_bytes(b"x")
        moment = time.time() - (5 - index) * 3600
        os.utime(path, (moment, moment))
    deleted = backup_prune(keep=2, folder=tmp_path)
    assert sorted(p.name for p in deleted) == [f"kehu-2026120{i}-000000.tar.gz" for i in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "kehu-20261203-000000.tar.gz",
        "kehu-20261204-000000.tar.gz",
    ]
