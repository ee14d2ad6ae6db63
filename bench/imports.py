"""Import bench: the standard template into a database already holding the bench's customers.

    .venv/bin/python -m bench.imports --db sqlite --rows 1000000      # alone
    .venv/bin/python -m bench.imports --json OUT                      # from bench/run.py (env set)

The generator's customers.csv (../shared/data/gen_cn_customers.py, ~10% duplicate records, some
broken values) is imported by `kehu import` in a child process: full validation (customer_clean),
certain-duplicate checks, bulk writes and search indexing, 1,000 rows per transaction. The bench
database is cloned first (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so the
100,000-customer database of bench/run.py is left as it was. The child's resident memory is sampled
every second: a streamed import stays flat.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "data" / "gen_cn_customers.py"
PG_BENCH, PG_CLONE = "kehu_bench", "kehu_bench_imports"


def generate(rows: int, *, seed: int = 99, name: str = "imports") -> Path:
    """customers.csv with about `rows` records (cached under bench/out/data/)."""
    folder = OUT / "data" / f"{name}-{rows}"
    target = folder / "customers.csv"
    if target.exists():
        return target
    generator = GENERATOR if GENERATOR.exists() else ROOT / "kehu/sandbox/gen_cn_customers.py"
    companies = int(rows / 1.13)  # duplicates and hard negatives add ~13% records
    subprocess.run(
        [sys.executable, str(generator), "--customers", str(companies), "--seed", str(seed),
         "--contacts", "0", "--interactions", "0", "--orders", "0", "--events", "0",
         "--out", str(folder)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


def clone_database(db: str) -> dict[str, str]:
    """Env for a copy of the prepared bench database (bench/run.py layout)."""
    env = dict(os.environ)
    if db == "sqlite":
        source = OUT / "sqlite" / "kehu.sqlite3"
        folder = OUT / "imports-sqlite"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "kehu.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        shutil.copyfile(OUT / "sqlite" / "secret_key", folder / "secret_key")
        env.update(KEHU_DATA_DIR=str(folder), KEHU_DATABASE_URL=f"sqlite:///{target}")
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {PG_CLONE}")
            c.execute(f"CREATE DATABASE {PG_CLONE} TEMPLATE {PG_BENCH}")
        folder = OUT / "imports-postgres"
        folder.mkdir(parents=True, exist_ok=True)
        env.update(
            KEHU_DATA_DIR=str(folder),
            KEHU_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{PG_CLONE}",
        )
    env["KEHU_IMPORT_DIR"] = str(folder / "uploads")
    return env


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(source: Path, env: dict[str, str]) -> dict[str, Any]:
    cpu_before = _children_cpu()
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "kehu", "import", str(source)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[tuple[float, int]] = []

    def sample() -> None:
        while child.poll() is None:
            samples.append((round(time.monotonic() - started, 1), _rss_kb(child.pid)))
            time.sleep(1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    seconds = time.monotonic() - started
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(err[-2000:])
    cpu = _children_cpu() - cpu_before  # the import and its worker processes (reaped by it)
    summary = out.strip().splitlines()[-1]
    counts = {k: int(v) for k, v in (part.split("=") for part in summary.split())}
    rss = [kb for _t, kb in samples if kb]
    quarter = max(1, len(rss) // 4)
    return {
        "rows": sum(counts[k] for k in ("created", "updated", "skipped", "failed")),
        "summary": summary,
        "seconds": round(seconds, 1),
        "rows_per_second": round(sum(counts[k] for k in ("created", "updated", "skipped", "failed")) / seconds),
        "cpu_seconds": round(cpu, 1),
        "rows_per_cpu_second": round(sum(counts[k] for k in ("created", "updated", "skipped", "failed")) / cpu),
        "peak_rss_mb": round(max(rss) / 1024, 1) if rss else None,
        "rss_mb_at_quarters": [round(rss[min(len(rss) - 1, i * quarter)] / 1024, 1) for i in range(4)] if rss else [],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="")
    # The 1,000,000 rows, alone and from bench/run.py (9-11 minutes on this machine, inside
    # run.py's 20-minute step limit); KEHU_BENCH_IMPORT_ROWS or --rows for a smaller sample.
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=0, help="(ignored; bench/run.py passes it)")
    args = parser.parse_args()
    db = args.db or (
        "postgres" if os.environ.get("KEHU_DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    rows = args.rows or int(os.environ.get("KEHU_BENCH_IMPORT_ROWS") or 1_000_000)
    source = generate(rows)
    env = clone_database(db)
    subprocess.run([sys.executable, "-m", "kehu", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    print(f"importing {source} into a copy of the {db} bench database", flush=True)
    load_before = os.getloadavg()
    result = {"db": db, **run_import(source, env)}
    # The cores are shared: the load around the run says how much of them the import had.
    result.update(
        cores=os.cpu_count(),
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in os.getloadavg()],
        file_mb=round(source.stat().st_size / 2**20, 1),
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
