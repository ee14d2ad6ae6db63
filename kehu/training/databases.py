"""Workspace databases: each trainee's sandbox is a database of its own.

- SQLite: a file DATA_DIR/training/ws-<id>.sqlite3, copied with SQLite's backup API from a
  template file that is migrated and filled once (`template-<key>.sqlite3`).
- PostgreSQL: a database `<live name>_ws_<id>`, made with `CREATE DATABASE … TEMPLATE` from a
  template database built the same way (PostgreSQL copies its files: well under a second).
  A database, not a schema: nothing in search_path can fall through to the live tables, and
  the extensions (pg_trgm, btree_gin) come along with the copy. It needs the CREATEDB right.

The template's key hashes the migrations on disk and the sandbox's recipe, so a new migration
builds a new template and old workspaces keep the one they were copied from until reset.

`activated(alias)` makes a workspace the connection every query, transaction and raw cursor
uses (`connections["default"]`) for the length of a block: the whole product then runs against
the workspace unchanged, services' `transaction.atomic()` included. Sessions and users are read
before and written after the block (kehu.training.middleware), so sign-in stays live.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

# Bump when the recipe of the template (sandbox size, seed, planted records) changes.
RECIPE_VERSION = "1"
SANDBOX_SEED = 2026
# Sandbox users and teams start here, so a trainee's own id (copied in) never meets them.
SANDBOX_ID_START = 1_000_000_000

_active: ContextVar[str | None] = ContextVar("kehu_training_alias", default=None)


def active_alias() -> str | None:
    """The workspace database the current block runs against, or None (live)."""
    return _active.get()


def is_postgres() -> bool:
    return "postgresql" in str(connections.databases[DEFAULT_DB_ALIAS]["ENGINE"])


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "training"
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def template_key() -> str:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations)
    recipe = [RECIPE_VERSION, str(settings.KEHU_TRAINING_SANDBOX_CUSTOMERS), str(SANDBOX_SEED)]
    return hashlib.sha256("\n".join(names + recipe).encode()).hexdigest()[:12]


def _live_name() -> str:
    return str(connections.databases[DEFAULT_DB_ALIAS]["NAME"])


def database_name(suffix: str) -> str:
    """The file (SQLite) or database (PostgreSQL) holding a workspace or the template."""
    if is_postgres():
        return f"{_live_name()}_{suffix}"[:63]
    return str(folder() / f"{suffix}.sqlite3")


def workspace_database(workspace_id: int) -> str:
    """A workspace's database (a file on SQLite, a database on PostgreSQL)."""
    return database_name(f"ws_{workspace_id}")


def _config(name: str) -> dict[str, Any]:
    config = copy.deepcopy(connections.databases[DEFAULT_DB_ALIAS])
    config["NAME"] = name
    config["CONN_MAX_AGE"] = 0
    config["TEST"] = {"NAME": name}
    return config


@contextmanager
def activated(name: str) -> Iterator[None]:
    """Run the block against the workspace database `name` (database_name()): it is
    `connections["default"]` meanwhile, under the alias "default" itself, so code that reads
    `connection.alias` or a row's `_state.db` sees nothing unusual."""
    live = getattr(connections._connections, DEFAULT_DB_ALIAS, None)  # type: ignore[attr-defined]
    config = _config(name)
    workspace = load_backend(config["ENGINE"]).DatabaseWrapper(config, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = workspace
    token = _active.set(name)
    try:
        yield
    finally:
        _active.reset(token)
        try:
            workspace.close()
        finally:
            if live is None:
                del connections[DEFAULT_DB_ALIAS]
            else:
                connections[DEFAULT_DB_ALIAS] = live


def exists(name: str) -> bool:
    if is_postgres():
        with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    return Path(name).is_file()


def drop(name: str) -> None:
    if is_postgres():
        with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    for path in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")):
        path.unlink(missing_ok=True)


def _create_empty(name: str) -> None:
    drop(name)
    if is_postgres():
        with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
            cursor.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


def copy_database(source: str, target: str) -> None:
    """`target` becomes a copy of `source` (which nobody may be connected to on PostgreSQL)."""
    drop(target)
    if is_postgres():
        with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        return
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        src.close()
        dst.close()
    Path(target).chmod(0o600)


@contextmanager
def _build_lock() -> Iterator[None]:
    with open(folder() / "build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def template_ensure(fill: Callable[[], Any]) -> tuple[str, str]:
    """(key, name) of the current template, building it first when missing: a fresh database,
    migrated, then `fill()` runs inside it (kehu.training.sandbox). Slow once (a minute or
    two), then cached: on disk for SQLite, as a database on PostgreSQL."""
    from django.core.management import call_command

    key = template_key()
    name = database_name(f"tpl_{key}")
    with _build_lock():
        if exists(name):
            return key, name
        building = database_name(f"tpl_{key}_new")
        _create_empty(building)
        try:
            with activated(building):
                call_command("migrate", verbosity=0, interactive=False)
                _start_ids_high()
                fill()
            if is_postgres():
                with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
                    cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            else:
                with sqlite3.connect(building) as raw:
                    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                Path(building).rename(name)
                drop(building)
        except BaseException:
            drop(building)
            raise
    return key, name


def _start_ids_high() -> None:
    """Sandbox users and teams get ids from SANDBOX_ID_START (see kehu.training.sandbox)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        for table in ("accounts_user", "accounts_team"):
            if is_postgres():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                    [table, SANDBOX_ID_START],
                )
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, SANDBOX_ID_START - 1],
                )
