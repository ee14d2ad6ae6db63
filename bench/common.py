"""Shared pieces of the bench modules: Django start-up, timing, percentiles, result files.

Each bench module runs in its own process per database (bench/run.py sets KEHU_DATA_DIR and
KEHU_DATABASE_URL), measures in-process with Django's test Client and writes a JSON result that
bench/run.py turns into the table.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import time
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    import django

    django.setup()


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.4999)))
    return sorted_values[rank - 1]


def summarize(times_ms: list[float]) -> dict[str, float]:
    ordered = sorted(times_ms)
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 0.50), 2),
        "p95": round(percentile(ordered, 0.95), 2),
        "max": round(ordered[-1], 2) if ordered else float("nan"),
    }


def time_requests(
    get: Callable[[str], Any], urls: Sequence[str], *, warmup: int = 5
) -> tuple[list[float], list[float], Tally[int]]:
    """GET each url in turn (after `warmup` untimed requests).

    Returns wall times and this process's CPU times in ms, and the status codes. On a busy
    machine the wall time grows while the CPU time stays: the gap is time spent waiting for a
    core (or, on PostgreSQL, for the server process).
    """
    for url in list(urls)[:warmup]:
        get(url)
    times: list[float] = []
    cpu: list[float] = []
    statuses: Tally[int] = Tally()
    for url in urls:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        statuses[response.status_code] += 1
    return times, cpu, statuses


def query_counts(get: Callable[[str], Any], urls: Sequence[str]) -> list[int]:
    """SQL queries per request, one request per url (run apart from the timed requests)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            get(url)
        counts.append(len(queries))
    return counts


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def database_info() -> dict[str, Any]:
    """Engine, version and size of the configured database (call after django_setup)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
            size = sum(
                p.stat().st_size
                for p in Path(connection.settings_dict["NAME"]).parent.glob("kehu.sqlite3*")
            )
    return {"vendor": connection.vendor, "version": version, "size_mb": round(size / 2**20)}


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
