"""Duplicate detection quality and speed: precision, recall, time and peak memory of the scan.

    python -m bench.dedupe                       # 20,000 customers, default seed
    python -m bench.dedupe --customers 1000000   # the large run

Generates the data with the shared generator (duplicates.csv is the truth: groups of up to four
records, every pair listed), loads it into a bench database of its own (bench/out/dedupe-N/, the
loader's own field rules), then, in a fresh process so the peak memory is the scan's alone, runs
kehu.dedupe.scan.scan_customers — the function `kehu dedupe_scan` calls — at the default threshold,
and compares its pairs with the truth.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "data" / "gen_cn_customers.py"


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["KEHU_DATA_DIR"] = str(folder)
    env.pop("KEHU_DATABASE_URL", None)
    env.setdefault("KEHU_FAST_PASSWORD_HASHER", "true")
    return env


def prepare(customers: int, seed: int, folder: Path) -> Path:
    data = folder / "data"
    if not (data / "duplicates.csv").exists():
        generator = GENERATOR if GENERATOR.exists() else ROOT / "kehu/sandbox/gen_cn_customers.py"
        args = [sys.executable, str(generator), "--customers", str(customers), "--seed", str(seed)]
        args += ["--interactions", "0", "--orders", "0", "--events", "0", "--out", str(data)]
        subprocess.run(args, check=True, capture_output=True)
    stamp = folder / "loaded.json"
    if not stamp.exists():
        db = folder / "kehu.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        code = (
            "from bench.common import django_setup; django_setup();"
            "from django.core.management import call_command;"
            "call_command('migrate', verbosity=0);"
            "from kehu.accounts.models import User;"
            "from bench.seed import seed;"
            "u = User.objects.create_user('bench', role='admin');"
            f"seed(__import__('pathlib').Path({str(data)!r}), customers_wanted=10**9,"
            " created_by=u, log=lambda s: None)"
        )
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=_env(folder))
        stamp.write_text(json.dumps({"seconds": round(time.monotonic() - started, 1)}))
    return data


def scan_and_evaluate(data: Path, out_json: Path) -> None:
    """Runs inside the bench database's process (KEHU_DATA_DIR set)."""
    sys.path.insert(0, str(ROOT))
    from bench.common import django_setup

    django_setup()
    from django.conf import settings

    from kehu.customers.models import Customer
    from kehu.dedupe.scan import scan_customers

    started = time.monotonic()
    phases: dict[str, float] = {}

    def progress(done: int, message: str) -> None:
        phases.setdefault(message, time.monotonic() - started)

    cpu_started = time.process_time()
    pairs = scan_customers(progress=progress)
    seconds = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu_started + children.ru_utime + children.ru_stime
    peak_mb = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    external = dict(Customer.objects.values_list("id", "external_id"))
    loaded = set(external.values())
    truth: set[tuple[str, str]] = set()
    with (data / "duplicates.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            a, b = row["外部编号_a"], row["外部编号_b"]
            if a in loaded and b in loaded:
                truth.add((min(a, b), max(a, b)))
    found = {tuple(sorted((external[p.id_a], external[p.id_b]))) for p in pairs}
    hits = len(found & truth)
    result = {
        "customers": len(external),
        "threshold": settings.KEHU_DEDUPE_SCAN_THRESHOLD,
        "true_pairs": len(truth),
        "found_pairs": len(found),
        "precision": round(hits / len(found), 4) if found else 0.0,
        "recall": round(hits / len(truth), 4) if truth else 0.0,
        "seconds": round(seconds, 1),
        "read_and_normalise_seconds": round(phases.get("scoring", seconds), 1),
        "cpu_seconds": round(cpu, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_memory_mb": round(peak_mb),
    }
    out_json.write_text(json.dumps(result, indent=2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=None, help="generator seed (its default)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=0, help="ignored (bench/run.py passes it)")
    parser.add_argument("--scan-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan_only:
        scan_and_evaluate(args.scan_only, args.json)
        return 0
    folder = OUT / f"dedupe-{args.customers}"
    folder.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else 7  # the generator's default
    data = prepare(args.customers, seed, folder)
    out_json = args.json or OUT / f"dedupe-{args.customers}.json"
    subprocess.run(
        [sys.executable, "-m", "bench.dedupe", "--scan-only", str(data), "--json", str(out_json)],
        check=True,
        cwd=ROOT,
        env=_env(folder),
    )
    result = json.loads(out_json.read_text())
    print(
        f"dedupe {result['customers']:,} customers: precision {result['precision']:.4f}, "
        f"recall {result['recall']:.4f} ({result['found_pairs']:,} pairs found, "
        f"{result['true_pairs']:,} true), scan {result['seconds']} s "
        f"(read+normalise {result['read_and_normalise_seconds']} s, {result['cpu_seconds']} CPU-s, "
        f"load {result['load_average']}), peak {result['peak_memory_mb']:,} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
