"""Bulk import bench (issue 21): the standard template into an empty book, then a second file
into the book the first one left.

    .venv/bin/python -m bench.bulk_import --db sqlite --rows 1000000 --more 100000
    .venv/bin/python -m bench.bulk_import --json OUT          # from bench/run.py (env set)

The files come from ../shared/data/gen_cn_customers.py (bench.imports.generate: seed 99, ~10%
duplicate records, some broken values); the second file is another seed's, its external ids
prefixed "B" so that they are new customers. The empty book is a migrated database with the
sandbox's people only (the generator's owners are its reps). Each import is `kehu import` in a
child process, on the bulk path (≥ 50,000 rows), to the end: rows written, indexes rebuilt and
every created customer searchable. After the first load the bench checks that the newest
imported customer is found by its name. Wall time, rows per second, CPU seconds of the import
and its workers (PostgreSQL's server not counted) and the load average around each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.imports import OUT, ROOT, generate, run_import
from bench.search import _import_file

PG_EMPTY, PG_EMPTY_TEMPLATE = "kehu_bulkload_bench", "kehu_bulkload_bench_empty"


def second_file(rows: int) -> Path:
    """A file of about `rows` records of other companies (seed 5), external ids B…."""
    folder = OUT / "data" / f"bulk-more-{rows}"
    if (folder / "customers.csv").exists():
        return folder / "customers.csv"
    return _import_file(generate(rows, seed=5, name="bulk-raw").parent, folder)


def _people(env: dict[str, str]) -> None:
    script = (
        "import django; django.setup(); "
        "from kehu.sandbox.management.commands.demo import Command; Command().create_people()"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kehu.settings"},
        check=True,
    )


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(sql)


def empty_template(db: str) -> None:
    """A migrated database with the sandbox's people only, made once (migrating takes minutes
    on a loaded machine): bench/out/bulk-empty/ on SQLite, PG_EMPTY_TEMPLATE on PostgreSQL."""
    folder = OUT / "bulk-empty"
    env = dict(os.environ)
    env.update(KEHU_DATA_DIR=str(folder))
    if db == "sqlite":
        if (folder / "kehu.sqlite3").exists():
            return
        folder.mkdir(parents=True, exist_ok=True)
        env["KEHU_DATABASE_URL"] = f"sqlite:///{folder / 'kehu.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as c:
            there = c.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_EMPTY_TEMPLATE]
            ).fetchone()
        if there:
            return
        folder.mkdir(parents=True, exist_ok=True)
        _pg(f"CREATE DATABASE {PG_EMPTY_TEMPLATE} TEMPLATE template0 LOCALE 'C.UTF-8'")
        env["KEHU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_EMPTY_TEMPLATE}"
    subprocess.run([sys.executable, "-m", "kehu", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    _people(env)


def empty_book(db: str) -> dict[str, str]:
    """Env for a fresh copy of the empty template (same keys: its data folder's key files)."""
    env = dict(os.environ)
    template = OUT / "bulk-empty"
    folder = OUT / f"bulk-{db}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(template, folder)
    for suffix in ("-wal", "-shm"):
        Path(f"{folder / 'kehu.sqlite3'}{suffix}").unlink(missing_ok=True)
    env.update(KEHU_DATA_DIR=str(folder), KEHU_IMPORT_DIR=str(folder / "uploads"))
    if db == "sqlite":
        env["KEHU_DATABASE_URL"] = f"sqlite:///{folder / 'kehu.sqlite3'}"
    else:
        (folder / "kehu.sqlite3").unlink(missing_ok=True)
        _pg(f"DROP DATABASE IF EXISTS {PG_EMPTY}")
        _pg(f"CREATE DATABASE {PG_EMPTY} TEMPLATE {PG_EMPTY_TEMPLATE}")
        env["KEHU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_EMPTY}"
    return env


def found_by_name(env: dict[str, str]) -> dict[str, Any]:
    """The newest imported customer, searched for by its name as its owner: found?"""
    script = (
        "import django, json; django.setup()\n"
        "from kehu.customers.models import Customer\n"
        "from kehu.search.selectors import search_for\n"
        "c = Customer.objects.order_by('-pk').select_related('owner').first()\n"
        "hits = [h.title for g in search_for(c.owner, c.name).groups for h in g.hits]\n"
        "print(json.dumps({'customers': Customer.objects.count(), 'name': c.name,"
        " 'found': c.name in hits}, ensure_ascii=False))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kehu.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def timed(source: Path, env: dict[str, str]) -> dict[str, Any]:
    load_before = os.getloadavg()
    result = run_import(source, env)
    result.update(
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in os.getloadavg()],
        file_mb=round(source.stat().st_size / 2**20, 1),
    )
    return result


def compare(source: Path, db: str, rows: int) -> dict[str, Any]:
    """CPU and wall time of the same `rows` rows into an empty book, normal path and bulk."""
    sample = OUT / "data" / f"bulk-sample-{rows}.csv"
    with source.open(encoding="utf-8") as handle, sample.open("w", encoding="utf-8") as out:
        for number, line in enumerate(handle):
            if number > rows:
                break
            out.write(line)
    out_: dict[str, Any] = {"db": db, "rows": rows}
    for path, threshold in (("normal", str(10**9)), ("bulk", "1")):
        env = {**empty_book(db), "KEHU_IMPORT_BULK_ROWS": threshold}
        out_[path] = timed(sample, env)
    return out_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="")
    parser.add_argument("--rows", type=int, default=0, help="first load (default 1,000,000)")
    parser.add_argument("--more", type=int, default=100_000, help="then this many (0: none)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        help="only: the first N rows of the file into two empty books, normal path and bulk",
    )
    parser.add_argument(
        "--prepare", action="store_true", help="make the files and the empty book, then stop"
    )
    parser.add_argument("--requests", type=int, default=0, help="(ignored; bench/run.py passes it)")
    args = parser.parse_args()
    db = args.db or (
        "postgres" if os.environ.get("KEHU_DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    rows = args.rows or int(os.environ.get("KEHU_BENCH_BULK_ROWS") or 1_000_000)
    first = generate(rows)
    more = second_file(args.more) if args.more else None
    started = time.monotonic()
    empty_template(db)
    if args.prepare:
        print(f"files and the empty {db} book ready in {time.monotonic() - started:.0f} s")
        return
    if args.compare:
        print(json.dumps(compare(first, db, args.compare), ensure_ascii=False, indent=2))
        return
    env = empty_book(db)
    result: dict[str, Any] = {"db": db, "cores": os.cpu_count()}
    result["first_load"] = {**timed(first, env), "search": found_by_name(env)}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if more is not None:
        bulk = {**env, "KEHU_IMPORT_BULK_ROWS": "1"}  # the bulk path whatever the file's size
        result["more"] = {**timed(more, bulk), "search": found_by_name(env)}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
