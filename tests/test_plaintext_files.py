"""No plaintext of any encrypted personal field in the database FILE (SQLite) or in a pg_dump
(issue 19): a sandbox is loaded by the real commands (`kehu migrate`, `kehu demo`) in a database
of its own, up to 1,000 of its personal values are sampled, and the raw bytes are searched.

Deleted rows leave their bytes in free pages of an SQLite file, so reading the file (not a
query's answer) also catches a value written in clear first and encrypted afterwards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

SAMPLE = 1000

# Run inside the loaded database: every encrypted personal value, decrypted, as JSON.
_SAMPLER = """
import json
from kehu.core.crypto import encrypted_fields
from kehu.core.crypto_batches import encrypted_models
values = set()
for model in encrypted_models():
    names = [f.name for f in encrypted_fields(model)]
    for row in model._default_manager.values_list(*names):
        values.update(v for v in row if v)
print("VALUES=" + json.dumps(sorted(values), ensure_ascii=False))
"""


def _kehu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kehu", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _load_sandbox(env: dict[str, str]) -> list[str]:
    _kehu(env, "migrate", "-v0")
    _kehu(env, "demo", "--customers", "60")
    out = _kehu(env, "shell", "-c", _SAMPLER)
    line = next(x for x in out.splitlines() if x.startswith("VALUES="))
    values: list[str] = json.loads(line.removeprefix("VALUES="))
    # Short values (a QQ number, a 4-digit partial phone) turn up by chance among digests and
    # numbers; eight characters or more name one person.
    values = [v for v in values if len(v) >= 8]
    assert len(values) > 100, len(values)
    return values[:SAMPLE] if len(values) <= SAMPLE else values[:: len(values) // SAMPLE][:SAMPLE]


def _forms(value: str) -> set[bytes]:
    """The ways a value can sit in a file: as typed, JSON-escaped, and a mobile's own digits."""
    forms = {value.encode(), json.dumps(value)[1:-1].encode()}
    if value.startswith("+86") and len(value) > 11:
        forms.add(value[3:].encode())
    return forms


def _found(values: list[str], blob: bytes) -> list[str]:
    return [v for v in values if any(form in blob for form in _forms(v))]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_DATABASE_URL")}
    env.update({"KEHU_REQUIRE_2FA": "false", "KEHU_FAST_PASSWORD_HASHER": "true", **extra})
    return env


def test_the_sqlite_file_holds_no_personal_value_in_clear(tmp_path: Path) -> None:
    data = tmp_path / "data"
    values = _load_sandbox(_env(KEHU_DATA_DIR=str(data)))
    blob = b"".join(p.read_bytes() for p in sorted(data.glob("kehu.sqlite3*")) if p.is_file())
    assert len(blob) > 100_000
    found = _found(values, blob)
    assert found == [], f"{len(found)} of {len(values)} values in clear, e.g. {found[:5]}"


def test_a_pg_dump_holds_no_personal_value_in_clear(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite (KEHU_DATABASE_URL names no PostgreSQL)")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    params: dict[str, Any] = connection.get_connection_params()
    name = f"kehu_dump_{uuid.uuid4().hex[:8]}"
    host, port, user = (
        params.get("host") or "127.0.0.1",
        str(params.get("port") or 5432),
        (params.get("user") or "postgres"),
    )
    url = f"postgres://{user}@{host}:{port}/{name}"
    import psycopg

    admin = psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True)
    admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    try:
        values = _load_sandbox(_env(KEHU_DATA_DIR=str(tmp_path / "data"), KEHU_DATABASE_URL=url))
        dump = subprocess.run(
            ["pg_dump", "-h", host, "-p", port, "-U", user, "--no-owner", name],
            capture_output=True,
            timeout=600,
            check=True,
        ).stdout
        assert len(dump) > 100_000
        found = _found(values, dump)
        assert found == [], f"{len(found)} of {len(values)} values in clear, e.g. {found[:5]}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
