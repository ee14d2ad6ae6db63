"""The propensity bench (issue 17): training and scoring the churn and repurchase models.

Target: the weekly training plus the scoring of every customer at 1,000,000 customers within
the nightly window. The database is topped up to `--customers` synthetic customers with about
three years of orders and interactions (kehu.value.tests.synthetic: a real signal), then, timed:
- load: the whole history into numpy arrays (one query per table, in chunks);
- train: per model, the features of 4 training snapshots and the hold-out, the fit, the honest
  evaluation and the refit (rows capped at KEHU_PROPENSITY_MAX_ROWS, a seeded sample);
- score: today's features, the probabilities and the bulk update of every CustomerValue row.

Run alone, on its own database:
    createdb -h 127.0.0.1 -U postgres -T template0 --locale=C.UTF-8 kehu_bench_propensity
    KEHU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_propensity .venv/bin/kehu migrate
    KEHU_DATABASE_URL=… flock /tmp/kehu-bench.lock .venv/bin/python -m bench.propensity \\
        --customers 200000 --json /tmp/propensity.json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bench.common import database_info, django_setup, machine
from bench.common import write_json as write_result


def top_up(target: int) -> int:
    from django.utils import timezone

    from kehu.accounts.models import Role, Team, User
    from kehu.customers.models import Customer
    from kehu.value.tests.synthetic import history_synthesize

    have = Customer.objects.filter(customer_no__startswith="PB").count()
    if have >= target:
        return 0
    team, _ = Team.objects.get_or_create(name="倾向测试组")
    owner, _ = User.objects.get_or_create(
        username="pbench", defaults={"role": Role.REP, "team": team, "display_name": "倾向"}
    )
    added = 0
    step = 50_000
    while have + added < target:
        size = min(step, target - have - added)
        history_synthesize(
            customers=size,
            today=timezone.localdate(),
            owner=owner,
            team=team,
            seed=have + added,
            prefix=f"PB{(have + added) // step:03d}",
        )
        added += size
        print(f"  {have + added:,} customers", flush=True)
    return added


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--load-only", action="store_true", help="Top up the data and stop (outside the lock)."
    )
    args = parser.parse_args()
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from kehu.core.db import db_analyze
    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Order
    from kehu.value.propensity.history import history_load
    from kehu.value.propensity.train import KINDS, train_kind
    from kehu.value.services.propensity import scores_write

    started = time.monotonic()
    added = top_up(args.customers)
    load_seconds = time.monotonic() - started
    if added:
        db_analyze()
    if args.load_only:
        print(f"loaded {added:,} customers in {load_seconds:.0f}s")
        return
    result: dict[str, Any] = {
        "machine": machine(),
        "database": database_info(),
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "interactions": Interaction.objects.count(),
        "data_load_seconds": round(load_seconds, 1),
    }
    now = timezone.now()
    t = time.monotonic()
    history = history_load()
    result["history_load_seconds"] = round(time.monotonic() - t, 1)
    scores = {}
    for kind in KINDS:
        t = time.monotonic()
        run, kind_scores = train_kind(history, kind, now=now)
        result[f"{kind}_seconds"] = round(time.monotonic() - t, 1)
        result[f"{kind}_status"] = str(run.status)
        result[f"{kind}_auc"] = run.auc
        result[f"{kind}_brier"] = run.brier
        result[f"{kind}_rows"] = run.rows
        result[f"{kind}_test_rows"] = run.test_rows
        result[f"{kind}_scored"] = run.scored
        scores[str(kind)] = kind_scores
    t = time.monotonic()
    result["rows_written"] = scores_write(history, scores)
    result["scores_write_seconds"] = round(time.monotonic() - t, 1)
    result["total_seconds"] = round(
        result["history_load_seconds"]
        + result["churn_seconds"]
        + result["repurchase_seconds"]
        + result["scores_write_seconds"],
        1,
    )
    result["vendor"] = connection.vendor
    print(result)
    if args.json:
        write_result(args.json, result)


if __name__ == "__main__":
    main()
