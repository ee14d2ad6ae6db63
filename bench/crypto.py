"""The cost of encrypting personal fields (issue 19): the customer list, the 360 page, search and
an import, with encryption and without (KEHU_ENCRYPTION=false, the columns decrypted in place);
target: at most 20% slower.

    flock /tmp/kehu-bench.lock .venv/bin/python -m bench.crypto --customers 1000

It works in a database of its own (SQLite under /tmp/kehu-bench-crypto, made afresh each run):
`kehu demo` loads the sandbox encrypted, then each page and query is timed as the sandbox's reps
see them; the columns are then decrypted in place and the same requests timed again.

The import is compared fairly: the data folder is copied twice right after the sandbox is
loaded (same database, same keys), one copy is decrypted in place, and ONE generator file of
--import-rows customers is imported into each copy by a fresh process (`--import-into`), with
KEHU_ENCRYPTION=true and =false. Both runs meet the same existing rows, so the same duplicates.
Prints a JSON summary (--json PATH writes it too).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import summarize

DATA_DIR = Path("/tmp/kehu-bench-crypto")


def _prepare(customers: int) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("demo", "--customers", str(customers), stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _decrypt_in_place() -> int:
    """Every encrypted column back to plaintext (the blind indexes stay): the 'off' database."""
    from django.db import connection, transaction

    from kehu.core.crypto import decrypt, encrypted_fields
    from kehu.core.crypto_batches import encrypted_models

    changed = 0
    for model in encrypted_models():
        fields = encrypted_fields(model)
        table, qn = model._meta.db_table, connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {columns} FROM {qn(table)}")
            rows = cursor.fetchall()
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        params = [
            [
                *(decrypt(v, f.aad()) if v else v for f, v in zip(fields, row[1:], strict=True)),
                row[0],
            ]
            for row in rows
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {qn(table)} SET {sets} WHERE id = %s", params)
        changed += len(params)
    return changed


def _urls(limit: int) -> dict[str, list[tuple[Any, str]]]:
    """(user, url) per scenario: list pages, 360 pages and searches of the reps' customers."""
    from kehu.accounts.models import Role, User
    from kehu.contacts.models import Contact
    from kehu.customers.models import Customer

    reps = list(User.objects.filter(role=Role.REP, is_active=True).order_by("id"))
    out: dict[str, list[tuple[Any, str]]] = {"list": [], "360": [], "search": []}
    for rep in reps:
        out["list"] += [(rep, "/api/v1/customers?limit=50"), (rep, "/customers/")]
        owned = Customer.objects.filter(owner=rep).order_by("id")[: max(1, limit // len(reps))]
        for customer in owned:
            out["360"].append((rep, f"/customers/{customer.customer_no}/"))
            contact = Contact.objects.filter(customer=customer).exclude(mobile="").first()
            if contact is not None:
                digits = "".join(ch for ch in contact.mobile if ch.isdigit())
                out["search"].append((rep, f"/api/v1/search?q={digits[-4:]}"))
                out["search"].append((rep, f"/api/v1/customers?q={digits[-11:]}"))
            if contact is not None and contact.email:
                out["search"].append((rep, f"/api/v1/customers?q={contact.email}"))
    out["list"] = (out["list"] * max(1, limit // max(1, len(out["list"]))))[:limit]
    return out


def _time(scenarios: dict[str, list[tuple[Any, str]]]) -> dict[str, Any]:
    from django.test import Client

    clients: dict[int, Client] = {}
    results: dict[str, Any] = {}
    for name, requests in scenarios.items():
        times, statuses = [], set()
        for warm in requests[:5]:
            _client(clients, warm[0]).get(warm[1])
        for user, url in requests:
            client = _client(clients, user)
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
        results[name] = {**summarize(times), "statuses": sorted(statuses)}
    return results


def _client(clients: dict[int, Any], user: Any) -> Any:
    from django.test import Client

    if user.pk not in clients:
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    return clients[user.pk]


def _generate(rows: int, seed: int) -> Path:
    """A generator file of `rows` customers (no interactions, orders or events)."""
    folder = Path(tempfile.mkdtemp(prefix="kehu-crypto-import-"))
    generator = Path(__file__).resolve().parent.parent / "kehu" / "sandbox" / "gen_cn_customers.py"
    subprocess.run(
        [sys.executable, str(generator), "--customers", str(rows), "--interactions", "0",
         "--orders", "0", "--events", "0", "--seed", str(seed), "--out", str(folder)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return folder / "customers.csv"


def _import_copy(snapshot: Path, csv: Path, *, encrypted: bool) -> dict[str, Any]:
    """Copy the snapshot data folder, then import `csv` into the copy in a fresh process with
    KEHU_ENCRYPTION on or off (off: the copy's columns decrypted in place first)."""
    target = Path(f"{DATA_DIR}-import-{'on' if encrypted else 'off'}")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(snapshot, target)
    env = {**os.environ, "KEHU_DATA_DIR": str(target), "KEHU_ENCRYPTION": str(encrypted).lower()}
    done = subprocess.run(
        [sys.executable, "-m", "bench.crypto", "--import-into", str(csv)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"the import into {target} failed:\n{done.stderr[-3000:]}")
    shutil.rmtree(target, ignore_errors=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _import_here(csv: Path) -> None:
    """The child of _import_copy: (decrypt when off,) import, print one JSON line."""
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from kehu.customers.models import Customer
    from kehu.intake.models import ImportRun

    if not settings.KEHU_ENCRYPTION:
        _decrypt_in_place()
    before = Customer.objects.count()
    started = time.perf_counter()
    out = StringIO()
    call_command("import", str(csv), stdout=out)
    seconds = time.perf_counter() - started
    rows = ImportRun.objects.order_by("-id").values_list("total_rows", flat=True).first() or 1
    summary = out.getvalue().strip().splitlines()
    print(
        json.dumps(
            {
                "rows": rows,
                "new_customers": Customer.objects.count() - before,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds, 1),
                "summary": summary[-1] if summary else "",
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--import-rows", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--import-into", type=Path, help=argparse.SUPPRESS)  # the child run
    args = parser.parse_args()
    if args.import_into:
        from bench.common import django_setup

        django_setup()
        _import_here(args.import_into)
        return
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    os.environ["KEHU_DATA_DIR"] = str(DATA_DIR)
    os.environ.pop("KEHU_DATABASE_URL", None)  # SQLite: its own file
    os.environ.setdefault("KEHU_REQUIRE_2FA", "false")
    from bench.common import django_setup

    django_setup()
    from django.conf import settings
    from django.db import connections

    _prepare(args.customers)
    connections.close_all()  # the WAL checkpointed: the folder is one consistent copy
    snapshot = Path(f"{DATA_DIR}-snapshot")
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(DATA_DIR, snapshot)
    scenarios = _urls(args.requests)
    result: dict[str, Any] = {"customers": args.customers, "engine": "sqlite"}
    result["on"] = _time(scenarios)
    result["decrypted_rows"] = _decrypt_in_place()
    settings.KEHU_ENCRYPTION = False
    result["off"] = _time(scenarios)
    settings.KEHU_ENCRYPTION = True
    connections.close_all()
    csv = _generate(args.import_rows, seed=11)
    result["on"]["import"] = _import_copy(snapshot, csv, encrypted=True)
    result["off"]["import"] = _import_copy(snapshot, csv, encrypted=False)
    shutil.rmtree(csv.parent, ignore_errors=True)
    shutil.rmtree(snapshot, ignore_errors=True)
    result["cost_p50_pct"] = {
        name: round(100 * (result["on"][name]["p50"] / result["off"][name]["p50"] - 1), 1)
        for name in scenarios
    }
    result["cost_p50_pct"]["import"] = round(
        100 * (result["off"]["import"]["rows_per_s"] / result["on"]["import"]["rows_per_s"] - 1),
        1,
    )
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
