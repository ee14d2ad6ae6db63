"""The database engine's own share of a bulk import: the floor no application code can go under.

    KEHU_DATA_DIR=… KEHU_DATABASE_URL=sqlite:///… python -m bench.import_engine FILE [--json OUT]
    KEHU_DATA_DIR=… KEHU_DATABASE_URL=postgresql://…/DB python -m bench.import_engine FILE

Runs `kehu import --bulk FILE` in this process (its cleaning workers are forked from it) and
times (wall and this process's CPU) every statement the import sends through Django (execute, executemany: inserts, look-ups,
CREATE INDEX, ANALYZE, the FTS5 writes) and every commit, grouped by the statement's first
words. On SQLite the engine runs inside the importing process, one writer at a time, so these
seconds are the engine's CPU and I/O, serial with the import's main process: the rows per second
the file could reach if the Python took no time at all is rows / engine seconds. On PostgreSQL
the rows go in with COPY (psycopg's copy, outside Django's wrappers): the server's side is read
from its log instead (`log_min_duration_statement = 0` on the database, see docs/PERFORMANCE.md),
and this bench gives the wait the client saw for the statements it does time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import django_setup


def statement_kind(sql: str) -> str:
    """'INSERT INTO customers_contact', 'CREATE INDEX', 'SELECT', 'COMMIT', …"""
    words = re.sub(r'["`]', "", sql.strip()).split()
    head = " ".join(words[:2]).upper()
    if head in ("INSERT INTO", "DELETE FROM", "UPDATE"):
        return f"{head} {words[2] if head != 'UPDATE' else words[1]}"
    if head.startswith("CREATE INDEX") or head.startswith("CREATE UNIQUE"):
        return "CREATE INDEX"
    return words[0].upper() if words else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    seconds: defaultdict[str, float] = defaultdict(float)  # wall
    cpu_seconds: defaultdict[str, float] = defaultdict(float)  # this process's CPU (SQLite's)
    calls: defaultdict[str, int] = defaultdict(int)

    def count(kind: str, started: float, cpu_started: float) -> None:
        seconds[kind] += time.perf_counter() - started
        cpu_seconds[kind] += time.process_time() - cpu_started
        calls[kind] += 1

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            count(statement_kind(sql), started, cpu_started)

    wrapper: Any = connection
    commit = wrapper._commit

    def timed_commit() -> None:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            commit()
        finally:
            count("COMMIT", started, cpu_started)

    wrapper._commit = timed_commit
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timed):
        call_command("import", str(args.file), "--bulk", verbosity=0)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = sum(1 for _ in args.file.open(encoding="utf-8-sig")) - 1
    engine, engine_cpu = sum(seconds.values()), sum(cpu_seconds.values())
    result = {
        "db": connection.vendor,
        "rows": rows,
        "wall_s": round(wall, 1),
        "main_process_cpu_s": round(cpu, 1),
        "engine_s": round(engine, 1),
        "engine_cpu_s": round(engine_cpu, 1),
        "engine_us_per_row": round(engine / rows * 1e6),
        "engine_cpu_us_per_row": round(engine_cpu / rows * 1e6),
        "rows_per_s_if_python_took_nothing": round(rows / engine) if engine else None,
        "by_statement": {
            kind: {"s": round(s, 2), "cpu_s": round(cpu_seconds[kind], 2), "calls": calls[kind]}
            for kind, s in sorted(seconds.items(), key=lambda item: -item[1])
        },
        "load": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
