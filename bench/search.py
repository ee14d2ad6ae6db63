"""Search at scale: index build, 200 typeahead queries as a sales rep, LIKE baseline, bulk insert.

    .venv/bin/python -m bench.search --db both --customers 1000000
    .venv/bin/python -m bench.search --db sqlite --customers 20000 --quick

For each database: a fresh bench database (bench/out/search/sqlite/kehu.sqlite3 or the PostgreSQL
database kehu_bench_search, created from template0 with the C.UTF-8 locale) is seeded with the
generator's customers and contacts by bench/prepare.py (bulk/COPY, no per-row services); then
`search_reindex` builds the index (time and size reported); 200 fixed queries (2-4 Chinese
characters, pinyin, initials, phone suffixes, e-mail prefixes) go through GET /api/v1/search as a
sales rep, and the same words through a scoped LIKE '%q%' over the customer and contact tables;
finally 100,000 more customers are loaded through the sandbox loader, which writes their search
documents in its own transaction, and the new rows are found without any rebuild.
Results: bench/out/search/search-<db>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "search"
GENERATOR = ROOT.parent / "shared" / "data" / "gen_cn_customers.py"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
PG_DB = "kehu_bench_search"
QUERIES = 200
BULK = 100_000


def generate(customers: int, seed: int, folder: Path) -> Path:
    if (folder / "customers.csv").exists():
        return folder
    args = ["--customers", str(customers), "--contacts", "2", "--interactions", "0"]
    args += ["--orders", "0", "--events", "0", "--seed", str(seed), "--out", str(folder)]
    subprocess.run([sys.executable, str(GENERATOR), *args], check=True)
    return folder


def env_for(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KEHU_DATABASE_URL", None)
    env["KEHU_DATA_DIR"] = str(OUT / db)
    env["KEHU_LOG_LEVEL"] = "ERROR"
    env["PYTHONPATH"] = str(ROOT)
    if db == "postgres":
        env["KEHU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return env


def fresh_database(db: str, env: dict[str, str]) -> None:
    folder = Path(env["KEHU_DATA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for path in folder.glob("kehu.sqlite3*"):
            path.unlink()
        return
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", PG_DB], check=True)
    subprocess.run(
        ["createdb", *PG, "-T", "template0", "--locale=C.UTF-8", "-E", "UTF8", PG_DB], check=True
    )


def orchestrate(args: argparse.Namespace) -> int:
    data = generate(args.customers, 7, OUT / f"gen{args.customers}")
    bulk = BULK if not args.quick else 2000
    extra = generate(bulk, 99, OUT / f"gen-bulk{bulk}")
    failed = 0
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        env = env_for(db)
        if not args.reuse:
            fresh_database(db, env)
            prep = OUT / f"prepare-{db}.json"
            command = [sys.executable, "-m", "bench.prepare", "--data", str(data)]
            command += ["--customers", str(args.customers), "--json", str(prep)]
            subprocess.run(command, env=env, check=True)
        command = [sys.executable, "-m", "bench.search", "--worker", "--db", db]
        command += ["--bulk-data", str(extra)]
        failed += subprocess.run(command, env=env).returncode != 0
    return 1 if failed else 0


# --- Worker: runs inside Django against one database.


def _size_mb(vendor: str) -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('core_searchdocument')")
            total = cursor.fetchone()[0]
            cursor.execute(
                "SELECT COALESCE(SUM(pg_relation_size(indexrelid)), 0) FROM pg_index "
                "WHERE indrelid = 'core_searchdocument'::regclass"
            )
            indexes = cursor.fetchone()[0]
            return {"total_mb": round(total / 2**20), "indexes_mb": round(indexes / 2**20)}
        cursor.execute(
            "SELECT s.name, SUM(s.pgsize) FROM dbstat AS s JOIN sqlite_master AS m "
            "ON m.name = s.name WHERE m.tbl_name = 'core_searchdocument' "
            "OR s.name LIKE 'search_%' GROUP BY s.name"
        )
        sizes = {name: size for name, size in cursor.fetchall()}
    return {
        "total_mb": round(sum(sizes.values()) / 2**20),
        "fts_mb": round(sum(v for k, v in sizes.items() if k.startswith("search_")) / 2**20),
    }


def _queries(rep: Any) -> list[tuple[str, str]]:
    """A fixed mix of 200 (kind, query): half from the rep's own records, half from anyone's."""
    from kehu.core.models import SearchDocument
    from kehu.core.search_index import company_core

    rng = random.Random(8)
    docs = SearchDocument.objects.only("kind", "title", "pinyin", "initials", "phone_rev", "email")
    max_id = SearchDocument.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def sample(kind: str, n: int) -> list[SearchDocument]:
        found: list[SearchDocument] = []
        tries = 0
        while len(found) < n and tries < n * 50:
            tries += 1
            pick = rng.randint(1, max_id)
            qs = docs.filter(kind=kind, id__gte=pick)
            if len(found) % 2 == 0:
                qs = qs.filter(owner=rep.pk)
            doc = qs.order_by("id").first()
            if doc is not None:
                found.append(doc)
        return found

    mix: list[tuple[str, str]] = []
    for doc in sample("customer", 60):  # 2-4 characters of the brand
        core = company_core(doc.title)
        size = rng.choice((2, 3, 4))
        start = rng.randint(0, max(0, len(core) - size))
        mix.append(("chinese", core[start : start + size]))
    for doc in sample("contact", 20):
        mix.append(("chinese", doc.title))
    for doc in sample("customer", 40):
        if doc.pinyin:
            mix.append(("pinyin", doc.pinyin[: rng.randint(4, 10)]))
    for doc in sample("customer", 30):
        if doc.initials:
            mix.append(("initials", doc.initials[: rng.choice((3, 4))]))
    for doc in sample("contact", 30):
        if len(doc.phone_rev) >= 6:
            mix.append(("phone", doc.phone_rev[: rng.choice((4, 5, 6))][::-1]))
    for doc in sample("contact", 40):
        if doc.email:
            mix.append(("email", doc.email[: rng.randint(4, 7)]))
    return mix[:QUERIES]


def _baseline(rep: Any, query: str) -> int:
    """The naive scoped search: LIKE '%q%' over customers and their contacts, capped count."""
    from django.db.models import Q

    from kehu.customers.models import Contact, Customer

    customers = Customer.objects.filter(owner=rep.pk).filter(
        Q(name__contains=query) | Q(address__contains=query)
    )
    contacts = Contact.objects.filter(customer__owner=rep.pk).filter(
        Q(name__contains=query) | Q(mobile__contains=query) | Q(email__contains=query)
    )
    list(customers.values_list("id", flat=True)[:5])
    list(contacts.values_list("id", flat=True)[:5])
    return customers[:1001].count() + contacts[:1001].count()


def worker(db: str, bulk_data: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.common import database_info, django_setup, summarize, write_json

    django_setup()
    from django.db import connection, transaction
    from django.test import Client

    from kehu.accounts.models import User
    from kehu.core.models import SearchDocument
    from kehu.customers.models import Contact, Customer
    from kehu.sandbox.loader import load
    from kehu.search.selectors import search_for
    from kehu.search.services import search_reindex

    result: dict[str, Any] = {"database": database_info()}
    result["rows"] = {"customers": Customer.objects.count(), "contacts": Contact.objects.count()}
    print(f"[{db}] {result['rows']}", flush=True)

    started = time.monotonic()
    counts = search_reindex(batch_size=5000, progress=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_searchdocument")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('optimize')")
            cursor.execute("ANALYZE")
    result["build"] = {
        "seconds": round(time.monotonic() - started, 1),
        "documents": counts,
        **_size_mb(connection.vendor),
    }
    print(f"[{db}] build {result['build']}", flush=True)

    rep = (
        User.objects.filter(role="rep", owned_customers__isnull=False)
        .distinct()
        .order_by("id")
        .first()
    )
    assert rep is not None
    result["rep"] = {"username": rep.username, "owns": Customer.objects.filter(owner=rep).count()}
    mix = _queries(rep)
    client = Client()
    client.force_login(rep)

    def api(query: str) -> Any:
        return client.get("/api/v1/search", {"q": query})

    for _kind, query in mix[:10]:
        api(query)
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    hits = 0
    for kind, query in mix:
        t0 = time.perf_counter()
        response = api(query)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, response.content
        hits += bool(response.json()["total"])
        times.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
    result["search_api"] = {
        **summarize(times),
        "queries_with_results": hits,
        "by_kind": {k: summarize(v) for k, v in by_kind.items()},
    }
    base_times = []
    for _kind, query in mix:
        t0 = time.perf_counter()
        _baseline(rep, query)
        base_times.append((time.perf_counter() - t0) * 1000)
    result["like_baseline"] = summarize(base_times)
    result["speedup_p95"] = round(result["like_baseline"]["p95"] / result["search_api"]["p95"], 1)
    print(f"[{db}] api {result['search_api']}", flush=True)
    print(f"[{db}] like {result['like_baseline']} speedup {result['speedup_p95']}x", flush=True)

    # 100,000 more customers through the loader: documents written in the same transaction.
    folder = OUT / f"bulk-{db}"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("customers.csv", "contacts.csv"):
        with (
            (bulk_data / name).open(encoding="utf-8-sig", newline="") as src,
            (folder / name).open("w", encoding="utf-8", newline="") as dst,
        ):
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            for row in reader:
                row["外部编号"] = "B" + row["外部编号"]
                writer.writerow(row)
    documents_before = SearchDocument.objects.count()
    customers_before = Customer.objects.count()
    started = time.monotonic()
    with transaction.atomic():
        report = load(folder, created_by=rep)
    seconds = time.monotonic() - started
    new = Customer.objects.filter(external_id__startswith="B").order_by("?")[:20]
    admin = User.objects.filter(role="admin").first()
    found = sum(
        1
        for c in new
        if any(
            h.object_id == c.pk for g in search_for(admin, c.name, limit=50).groups for h in g.hits
        )
    )
    result["bulk_insert"] = {
        "customers": report.customers,
        "contacts": report.contacts,
        "seconds": round(seconds, 1),
        "documents_added": SearchDocument.objects.count() - documents_before,
        "customers_added": Customer.objects.count() - customers_before,
        "sample_found": f"{found}/{len(new)}",
    }
    t2 = []
    for _kind, query in mix:
        t0 = time.perf_counter()
        api(query)
        t2.append((time.perf_counter() - t0) * 1000)
    result["search_api_after_bulk"] = summarize(t2)
    print(
        f"[{db}] bulk {result['bulk_insert']} after {result['search_api_after_bulk']}", flush=True
    )
    write_json(OUT / f"search-{db}.json", result)
    print(json.dumps(result, ensure_ascii=False, indent=1))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="a small bulk insert (2,000)")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bulk-data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.bulk_data)
        return 0
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
