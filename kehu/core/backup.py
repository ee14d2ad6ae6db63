"""`kehu backup` / `kehu restore` (issue 21): one archive holds the database, the uploaded files
and a manifest (engine, migrations, every table's row count, fingerprints of the keys).

- SQLite: the online backup API (a consistent copy while Kehu runs; restore copies back into the
  live database the same way).
- PostgreSQL: `pg_dump --format=custom` / `pg_restore --clean --if-exists --no-owner`.
- Files: MEDIA_ROOT and the uploaded import files (KEHU_IMPORT_DIR).
- Keys are never in a backup: the manifest has their SHA-256 fingerprints, and a restore warns
  when this machine's keys differ (encrypted fields would not read).

A restore refuses a database that has customers unless told to replace it, and checks every
table's row count against the manifest afterwards."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    files: int
    warnings: list[str]


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def table_counts() -> dict[str, int]:
    """Rows per table of this database (Django's and Kehu's own tables; not FTS shadow tables)."""
    names = sorted(
        t
        for t in connection.introspection.table_names(include_views=False)
        if not t.startswith(("search_fts", "sqlite_"))
    )
    counts = {}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = int(cursor.fetchone()[0])
    return counts


def _fingerprints() -> dict[str, str]:
    keys = {"secret_key": settings.SECRET_KEY}
    return {name: hashlib.sha256(value.encode()).hexdigest()[:16] for name, value in keys.items()}


def _file_dirs() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "imports": Path(settings.KEHU_IMPORT_DIR)}


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    args += ["--username", db.get("USER") or "postgres", "--dbname", db["NAME"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def backup_create(*, output: Path | None = None) -> Path:
    """Write a backup archive (default: DATA_DIR/backups/kehu-<time>.tar.gz); returns its path."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = output or Path(settings.DATA_DIR) / "backups" / f"kehu-{stamp}.tar.gz"
    if target.is_dir():
        target = target / f"kehu-{stamp}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        work = Path(tmp)
        if _engine() == "sqlite":
            connection.ensure_connection()
            dest = sqlite3.connect(work / "db.sqlite3")
            try:
                connection.connection.backup(dest)
            finally:
                dest.close()
            database = "db.sqlite3"
        else:
            args, env = _pg_args()
            dump = work / "db.dump"
            done = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *args],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            database = "db.dump"
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": _engine(),
            "database": database,
            "migrations": sorted(
                f"{app}.{name}"
                for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
            ),
            "tables": table_counts(),
            "key_fingerprints": _fingerprints(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", "manifest.json")
            archive.add(work / database, database)
            for name, folder in _file_dirs().items():
                if folder.is_dir():
                    archive.add(folder, f"files/{name}")
        os.chmod(partial, 0o600)
        partial.replace(target)  # never a half-written archive under the final name
    return target


def backup_prune(*, keep: int, folder: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` archives in the backups folder; returns the deleted."""
    folder = folder or Path(settings.DATA_DIR) / "backups"
    archives = sorted(folder.glob("kehu-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    old = archives[max(keep, 1) :]
    for path in old:
        path.unlink()
    return old


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError as error:
        raise BackupError("Not a Kehu backup: manifest.json is missing.") from error
    if member is None:
        raise BackupError("Not a Kehu backup: manifest.json is missing.")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def backup_restore(*, path: Path, replace: bool = False) -> RestoreReport:
    """Restore the archive into this database and data folder; row counts are checked after."""
    if not path.is_file():
        raise BackupError(f"No such backup: {path}")
    with tarfile.open(path, "r:gz") as archive, tempfile.TemporaryDirectory() as tmp:
        manifest = _read_manifest(archive)
        if manifest["engine"] != _engine():
            raise BackupError(
                f"This backup is of a {manifest['engine']} database; this Kehu uses {_engine()}."
            )
        if not replace and _has_customers():
            raise BackupError("This database has customers: restore with --replace to overwrite.")
        archive.extractall(tmp, filter="data")
        work = Path(tmp)
        if manifest["engine"] == "sqlite":
            connection.close()
            connection.ensure_connection()
            source = sqlite3.connect(work / manifest["database"])
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            connection.close()
            args, env = _pg_args()
            done = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(work / manifest["database"]),
                ],  # fmt: skip
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
        files = 0
        for name, folder in _file_dirs().items():
            source_dir = work / "files" / name
            if source_dir.is_dir():
                shutil.copytree(source_dir, folder, dirs_exist_ok=True)
                files += sum(1 for p in source_dir.rglob("*") if p.is_file())
    counts = table_counts()
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"Restored row counts differ from the backup's: {wrong}")
    warnings = [
        f"The {name} on this machine differs from the backup's: encrypted values and signed "
        "links made with the old one will not read."
        for name, fingerprint in manifest["key_fingerprints"].items()
        if _fingerprints().get(name) != fingerprint
    ]
    return RestoreReport(
        tables=len(counts), rows=sum(counts.values()), files=files, warnings=warnings
    )


def _has_customers() -> bool:
    from django.apps import apps

    return bool(apps.get_model("customers", "Customer")._default_manager.exists())


def backup_age(folder: Path | None = None) -> datetime | None:
    """When the newest archive was written (for /healthz and the operator); None without one."""
    folder = folder or Path(settings.DATA_DIR) / "backups"
    archives = list(folder.glob("kehu-*.tar.gz")) if folder.is_dir() else []
    if not archives:
        return None
    newest = max(p.stat().st_mtime for p in archives)
    return datetime.fromtimestamp(newest, tz=timezone.get_current_timezone())
