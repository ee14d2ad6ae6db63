"""The nightly customer value recomputation (issue 17: RFM, octants, grades, lifecycle, levels)
over a large base: ≤ 10 minutes for 1,000,000 customers with 10,000,000 interactions together
with the tag decay of another module; this part aims at ≤ 5.

    KEHU_DATA_DIR=/tmp/kehu-bench-value flock /tmp/kehu-bench.lock \\
        .venv/bin/python -m bench.value --customers 1000000 --interactions 10000000

On an empty database it migrates, then bulk-inserts (raw executemany, not the services: this
measures the computation, not the load) customers created over five years, --orders orders on
60 % of them (one order line each, 20 products) and --interactions interactions over two years,
then ANALYZE. It times values_recompute_all() twice: the first run inserts every value row, the
second updates them and compares lifecycles (the steady state of a nightly run). Prints a JSON
summary (--json PATH writes it too). SQLite only (the loader writes SQLite's formats).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup

METHODS = ("phone", "visit", "email", "meeting", "live_stream", "wechat")
PRODUCTS = [f"产品{i:02d}" for i in range(20)]
BATCH = 50_000


def _template(model: Any, fixed: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Every concrete column of `model` and the value of each in an instance made with
    `fixed` (the columns set per row are replaced later)."""
    from django.db import connection

    instance = model(**fixed)
    columns, values = [], []
    for f in model._meta.concrete_fields:
        columns.append(f.column)
        values.append(f.get_db_prep_save(getattr(instance, f.attname), connection))
    return columns, values


def _insert(model: Any, fixed: dict[str, Any], rows: Any, per_row: list[str]) -> int:
    """Insert rows (tuples of the per_row columns) in batches, the other columns constant."""
    from django.db import connection

    columns, constants = _template(model, fixed)
    index = {c: i for i, c in enumerate(columns)}
    slots = [index[c] for c in per_row]
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    raw = connection.connection
    done = 0
    batch: list[list[Any]] = []
    for row in rows:
        values = list(constants)
        for slot, value in zip(slots, row, strict=True):
            values[slot] = value
        batch.append(values)
        if len(batch) >= BATCH:
            raw.executemany(sql, batch)
            raw.commit()
            done += len(batch)
            batch = []
    if batch:
        raw.executemany(sql, batch)
        raw.commit()
        done += len(batch)
    return done


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def load(customers: int, orders: int, interactions: int, seed: int = 17) -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection

    from kehu.core.db import db_analyze
    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Order, OrderLine

    call_command("migrate", verbosity=0, interactive=False)
    if Customer.objects.exists():
        return {}
    connection.ensure_connection()
    connection.connection.execute("PRAGMA synchronous=OFF")
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    took: dict[str, float] = {}
    started = time.monotonic()
    statuses = ["lead"] * 3 + ["intent"] * 2 + ["won"] * 4 + ["lost"]

    def customer_rows() -> Any:
        for pk in range(1, customers + 1):
            created = now - timedelta(days=rng.randint(0, 1800), seconds=rng.randint(0, 86399))
            last = now - timedelta(days=rng.randint(0, 700)) if rng.random() < 0.9 else None
            yield (pk, f"CB{pk:09d}", f"基准客户{pk}", _stamp(created), _stamp(created),
                   statuses[pk % 10], _stamp(last) if last else None)  # fmt: skip

    fixed = {"name": "x", "kind": "company", "status": "lead", "created_at": now, "updated_at": now}
    _insert(Customer, fixed, customer_rows(), ["id", "customer_no", "name", "created_at",
            "updated_at", "status", "last_interaction_at"])  # fmt: skip
    took["customers"] = round(time.monotonic() - started, 1)

    started = time.monotonic()
    buyers = max(1, int(customers * 0.6))

    def order_rows() -> Any:
        for pk in range(1, orders + 1):
            customer = rng.randint(1, buyers)
            signed = (now - timedelta(days=rng.randint(0, 1500))).date().isoformat()
            status = "cancelled" if pk % 20 == 0 else ("completed" if pk % 3 else "signed")
            yield (pk, f"DB{pk:010d}", customer, signed, f"{rng.randint(1, 500) * 100}.00",
                   status)  # fmt: skip

    fixed = {"order_no": "x", "signed_on": now.date(), "amount": 1, "customer_id": 1,
             "created_at": now, "updated_at": now}  # fmt: skip
    _insert(Order, fixed, order_rows(), ["id", "order_no", "customer_id", "signed_on", "amount",
                                         "status"])  # fmt: skip
    lines = ((pk, pk, PRODUCTS[pk % len(PRODUCTS)]) for pk in range(1, orders + 1))
    fixed = {"order_id": 1, "product": "x", "unit_price": 1, "amount": 1, "quantity": 1}
    _insert(OrderLine, fixed, lines, ["id", "order_id", "product"])
    took["orders"] = round(time.monotonic() - started, 1)

    started = time.monotonic()

    def interaction_rows() -> Any:
        for pk in range(1, interactions + 1):
            when = now - timedelta(days=rng.randint(0, 730), seconds=rng.randint(0, 86399))
            yield (pk, f"GB{pk:011d}", rng.randint(1, customers), _stamp(when),
                   METHODS[rng.randint(0, 5) if pk % 3 else pk % 2], _stamp(when))  # fmt: skip

    fixed = {"interaction_no": "x", "customer_id": 1, "occurred_at": now, "method": "phone",
             "created_at": now}  # fmt: skip
    _insert(Interaction, fixed, interaction_rows(), ["id", "interaction_no", "customer_id",
            "occurred_at", "method", "created_at"])  # fmt: skip
    took["interactions"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    db_analyze()
    took["analyze"] = round(time.monotonic() - started, 1)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=0, help="default: 3 per customer")
    parser.add_argument("--interactions", type=int, default=0, help="default: 10 per customer")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Order
    from kehu.value.models import CustomerValue
    from kehu.value.services.nightly import values_recompute_all

    assert connection.vendor == "sqlite", "the loader writes SQLite's formats"
    loaded = load(
        args.customers, args.orders or 3 * args.customers, args.interactions or 10 * args.customers
    )
    runs = []
    for _ in range(2):
        started = time.monotonic()
        result = values_recompute_all(audit=True)
        runs.append({"seconds": round(time.monotonic() - started, 1), **result})
    summary = {
        "bench": "value",
        "database": database_info(),
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "interactions": Interaction.objects.count(),
        "value_rows": CustomerValue.objects.count(),
        "load_seconds": loaded,
        "runs": runs,
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
