"""The write floor of an import: what the database alone needs per imported row.

    .venv/bin/python -m bench.import_floor --source bench/out/imports-sqlite/kehu.sqlite3
    .venv/bin/python -m bench.import_floor --source postgres:kehu_bench_imports

After bench/imports.py (or any large import) the source database holds the rows an import
writes: per created customer its row, its decision maker, two search documents and their FTS5
entries, a status-history row and a report row. This bench copies the source, reads the newest
`--customers` customers with those rows into memory (not timed), gives them fresh keys and
numbers, and inserts them again with plain sqlite3 executemany, `--batch` customers per
transaction, with the application's settings (WAL, synchronous=NORMAL, 64 MB cache, the
import's checkpoint spacing). No application work per row is timed: no reading, cleaning,
duplicate look-up or building; only what the driver does per row (executemany's binding, COPY's
row formatting). The rows per second it prints are therefore an upper bound for any import
into a database of that size on this machine, whatever the application does per row.
On PostgreSQL (`--source postgres:DBNAME`) the copy is CREATE DATABASE … TEMPLATE, the rows go
in with COPY (the documents with their `grams`), and each batch commits with synchronous_commit
off, as the import does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import OUT, django_setup

TABLES = (
    "customers_customer",
    "customers_contact",
    "core_searchdocument",
    "customers_customerstatuschange",
    "intake_importrow",
)


PG_URL = "postgresql://postgres@127.0.0.1:5432/{}"
PG_COPY = "kehu_bench_floor"
PG_IMPORTED = "kehu_bench_imports"  # what bench/imports.py leaves behind


def _columns(db: Any, table: str) -> list[str]:
    if isinstance(db, sqlite3.Connection):
        return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    return [
        row[0]
        for row in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            [table],
        )
    ]


def _max_id(db: Any, table: str) -> int:
    return int(db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])


def load(db: Any, customers: int) -> tuple[list[dict[str, list[Any]]], dict]:
    """Rows per customer (fresh keys, numbers and external ids), grouped by table."""
    from kehu.core.search_index import cjk_grams, scope_tokens

    pg = not isinstance(db, sqlite3.Connection)
    mark = "%s" if pg else "?"
    ids = [
        r[0]
        for r in db.execute(
            f"SELECT id FROM customers_customer ORDER BY id DESC LIMIT {mark}", [customers]
        )
    ][::-1]
    marks = ",".join([mark] * len(ids))
    offsets = {t: _max_id(db, t) + 1_000_000 for t in TABLES}
    cols = {t: _columns(db, t) for t in TABLES}
    by_customer: dict[int, dict[str, list[Any]]] = {
        i: {t: [] for t in (*TABLES, "search_fts", "search_bigram")} for i in ids
    }
    contact_offset = offsets["customers_contact"]
    customer_offset = offsets["customers_customer"]

    def fetch(table: str, where: str) -> list[dict[str, Any]]:
        names = cols[table]
        sql = f"SELECT {', '.join(names)} FROM {table} WHERE {where} IN ({marks})"
        return [dict(zip(names, row, strict=True)) for row in db.execute(sql, ids)]

    for row in fetch("customers_customer", "id"):
        owner = row["id"]
        row["id"] += customer_offset
        row["customer_no"] = f"F{row['customer_no']}"[:24]
        row["external_id"] = f"F{row['external_id']}"[:64] if row["external_id"] else ""
        by_customer[owner]["customers_customer"].append(row)
    for row in fetch("customers_contact", "customer_id"):
        owner = row["customer_id"]
        row["id"] += contact_offset
        row["customer_id"] += customer_offset
        by_customer[owner]["customers_contact"].append(row)
    for row in fetch("core_searchdocument", "customer_id"):
        owner = row["customer_id"]
        row["id"] += offsets["core_searchdocument"]
        row["object_id"] += customer_offset if row["kind"] == "customer" else contact_offset
        row["customer_id"] += customer_offset
        scope = scope_tokens(row["kind"], row["owner"], row["team"], row["status"])
        by_customer[owner]["core_searchdocument"].append(row)
        by_customer[owner]["search_fts"].append((row["id"], row["text"], scope))
        by_customer[owner]["search_bigram"].append((row["id"], f"{cjk_grams(row['text'])} {scope}"))
    for table in ("customers_customerstatuschange", "intake_importrow"):
        for row in fetch(table, "customer_id"):
            owner = row["customer_id"]
            row["id"] += offsets[table]
            row["customer_id"] += customer_offset
            if table == "intake_importrow":
                row["row_number"] += 10_000_000
            by_customer[owner][table].append(row)
    return [by_customer[i] for i in ids], cols


def _result(customers: int, seconds: float, spent: Counter[str]) -> dict[str, Any]:
    return {
        "customers": customers,
        "seconds": round(seconds, 1),
        "rows_per_second": round(customers / seconds),
        "seconds_by_step": {k: round(v, 1) for k, v in spent.most_common()},
    }


def replay_pg(db: Any, rows: list[dict[str, list[Any]]], cols: dict, batch: int) -> dict[str, Any]:
    from psycopg.types.json import Jsonb

    def value(v: Any) -> Any:
        return Jsonb(v) if isinstance(v, dict | list) else v

    spent: Counter[str] = Counter()
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        with db.transaction():
            db.execute("SET LOCAL synchronous_commit = off")
            for table in TABLES:
                names = cols[table]
                t = time.perf_counter()
                with db.cursor().copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for c in chunk:
                        for r in c[table]:
                            copy.write_row([value(r[n]) for n in names])
                spent[table] += time.perf_counter() - t
            t = time.perf_counter()
        spent["commit"] += time.perf_counter() - t
    return _result(len(rows), time.perf_counter() - started, spent)


def replay(
    db: sqlite3.Connection, rows: list[dict[str, list[Any]]], cols: dict, batch: int
) -> dict[str, Any]:
    spent: Counter[str] = Counter()
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        db.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            names = cols[table]
            values = [tuple(r[n] for n in names) for c in chunk for r in c[table]]
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            t = time.perf_counter()
            db.executemany(sql, values)
            spent[table] += time.perf_counter() - t
        for table, sql in (
            ("search_fts", "INSERT INTO search_fts(rowid, text, scope) VALUES(?, ?, ?)"),
            ("search_bigram", "INSERT INTO search_bigram(rowid, tokens) VALUES(?, ?)"),
        ):
            entries = sorted(r for c in chunk for r in c[table])  # FTS5 wants rising rowids
            t = time.perf_counter()
            db.executemany(sql, entries)
            spent[table] += time.perf_counter() - t
        t = time.perf_counter()
        db.execute("COMMIT")
        spent["commit"] += time.perf_counter() - t
    return _result(len(rows), time.perf_counter() - started, spent)


def floor_sqlite(source: Path, args: Any) -> dict[str, Any]:
    folder = OUT / "import-floor"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "kehu.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    db = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-64000",
                   "foreign_keys=ON", "wal_autocheckpoint=25000"):  # fmt: skip
        db.execute(f"PRAGMA {pragma}")
    existing = int(db.execute("SELECT count(*) FROM customers_customer").fetchone()[0])
    rows, cols = load(db, args.customers)
    result = {"existing_customers": existing, "batch": args.batch}
    result.update(replay(db, rows, cols, args.batch))
    db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return result


def floor_pg(source: str, args: Any) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(PG_URL.format("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_COPY}")
        admin.execute(f"CREATE DATABASE {PG_COPY} TEMPLATE {source}")
    try:
        with psycopg.connect(PG_URL.format(PG_COPY), autocommit=True) as db:
            existing = int(db.execute("SELECT count(*) FROM customers_customer").fetchone()[0])
            rows, cols = load(db, args.customers)
            result = {"existing_customers": existing, "batch": args.batch}
            result.update(replay_pg(db, rows, cols, args.batch))
    finally:
        with psycopg.connect(PG_URL.format("postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_COPY}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--source",
        default="",
        help="a SQLite file, or postgres:DBNAME, after an import (default: bench/imports.py's "
        "copy for the database KEHU_DATABASE_URL names)",
    )
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000, help="customers per transaction")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=0, help="(ignored; bench/run.py passes it)")
    args = parser.parse_args()
    if not args.source:
        postgres = os.environ.get("KEHU_DATABASE_URL", "").startswith("postgres")
        args.source = (
            f"postgres:{PG_IMPORTED}" if postgres else str(OUT / "imports-sqlite" / "kehu.sqlite3")
        )
    django_setup()
    if args.source.startswith("postgres:"):
        result = {"db": "postgres", **floor_pg(args.source.removeprefix("postgres:"), args)}
    else:
        result = {"db": "sqlite", **floor_sqlite(Path(args.source), args)}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
