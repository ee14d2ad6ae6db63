"""Foundation bench: the list API (first page, page 500, filtered), the list page and the
customer-360 page, as a sales rep (access filtering applied) and as an executive (sees all).

Times are server-side: each request goes through Django's full middleware and view stack with the
test Client, in this process, without a network or a WSGI server. The session and the user are
loaded from the database on every request, as for a logged-in browser.

Run by bench/run.py as `python -m bench.foundation --json OUT` against a prepared database.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.common import (
    database_info,
    django_setup,
    machine,
    query_counts,
    summarize,
    time_requests,
)
from bench.common import write_json as write_result

PAGE = 25
DEEP_PAGE = 500
FILTER = {"industry": "制造业", "status": "意向客户", "budget_min": "100000"}
USERS = {"rep": "zhang", "executive": "feng"}
# p95 targets (ms) from the foundation issue.
TARGETS = {"api": 50.0, "360": 100.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    args = parser.parse_args()
    django_setup()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for role, username in USERS.items():
        print(f"  as {role} ({username})", flush=True)
        user_rows, user_checks = measure_user(role, username, args.requests)
        rows += user_rows
        checks += user_checks
    write_result(
        args.json,
        {
            "module": "foundation",
            "database": database_info(),
            "rows": rows,
            "checks": checks,
            "requests": args.requests,
            "seconds": round(time.monotonic() - started, 1),
            "machine": machine(),
            # Other work on the machine skews the figures: the 1-minute load, before and after.
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
    )


def measure_user(role: str, username: str, n: int) -> tuple[list[dict[str, Any]], list[Any]]:
    from django.db.models import Count
    from django.test import Client

    from kehu.accounts.models import User
    from kehu.core.pagination import keyset_page
    from kehu.customers.api import customers_for_output, decision_maker_prefetch
    from kehu.customers.selectors import customer_queryset_for
    from kehu.interactions.models import Interaction
    from kehu.opportunities.models import Order

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    get: Callable[[str], Any] = client.get
    rows: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    rng = random.Random(f"{username}-2026")

    def record(
        scenario: str, urls: list[str], *, target: str | None, note: str = "", **extra: Any
    ) -> None:
        times, cpu, statuses = time_requests(get, urls)
        counts = query_counts(get, urls[: min(len(urls), 20)])
        row = {
            "scenario": scenario,
            "role": role,
            **summarize(times),
            "cpu_p50": summarize(cpu)["p50"],
            "cpu_p95": summarize(cpu)["p95"],
            "queries": sorted(set(counts)),
            "status": dict(statuses),
            "target_ms": TARGETS[target] if target else None,
            "note": note,
            **extra,
        }
        rows.append(row)
        print(
            f"    {scenario:<34} p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  "
            f"max {row['max']:7.1f}  cpu p95 {row['cpu_p95']:6.1f} ms  "
            f"queries {row['queries']}  {row['status']}",
            flush=True,
        )

    # --- List API: first page, then walk the cursor chain to page 500.
    api = "/api/v1/customers"
    record("list API, page 1", [api] * n, target="api")
    cursors, walk_counts = walk(get, api, DEEP_PAGE)
    deep = len(cursors)  # page number reached (1-based) by the last cursor
    deep_url = f"{api}?{urlencode({'cursor': cursors[-1]})}" if cursors[-1] else api
    record(
        f"list API, page {deep}",
        [deep_url] * n,
        target="api",
        walk_queries=sorted(set(walk_counts)),
    )

    # --- Filtered list: first page and the deepest page the filter reaches (at most 500).
    filtered = f"{api}?{urlencode(FILTER)}"
    record("list API + filter, page 1", [filtered] * n, target="api")
    f_cursors, f_counts = walk(get, filtered, DEEP_PAGE, params=FILTER)
    f_deep = len(f_cursors)
    f_url = f"{api}?{urlencode({**FILTER, 'cursor': f_cursors[-1]})}" if f_cursors[-1] else filtered
    record(
        f"list API + filter, page {f_deep} (last)",
        [f_url] * n,
        target="api",
        walk_queries=sorted(set(f_counts)),
    )

    # --- Sorted by a field rather than by id (the index must serve the order, not a sort).
    for order in ("-name", "-budget_amount"):
        record(f"list API order={order}, page 1", [f"{api}?order={order}"] * n, target="api")

    # --- Same page, ORM only (query + prefetch, no HTTP): keyset cursor against OFFSET.
    queryset = customers_for_output(customer_queryset_for(user)).prefetch_related(
        decision_maker_prefetch()
    )
    offset = (deep - 1) * PAGE

    def orm_time(fetch: Callable[[], list[Any]]) -> dict[str, Any]:
        for _ in range(3):
            fetch()
        times, cpu = [], []
        for _ in range(n):
            started, cpu_started = time.perf_counter(), time.process_time()
            fetch()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        return {
            **summarize(times),
            "cpu_p50": summarize(cpu)["p50"],
            "cpu_p95": summarize(cpu)["p95"],
        }

    keyset_ids = [
        c.pk for c in keyset_page(queryset, order="-id", cursor=cursors[-1], limit=PAGE).items
    ]
    offset_ids = [c.pk for c in queryset.order_by("-id")[offset : offset + PAGE]]
    for scenario, fetch in (
        (
            f"ORM page {deep}: keyset",
            lambda: keyset_page(queryset, order="-id", cursor=cursors[-1], limit=PAGE).items,
        ),
        (
            f"ORM page {deep}: OFFSET {offset}",
            lambda: list(queryset.order_by("-id")[offset : offset + PAGE]),
        ),
    ):
        row = {
            "scenario": scenario,
            "role": role,
            **orm_time(fetch),
            "queries": [2],
            "status": {},
            "target_ms": None,
            "note": "same rows" if keyset_ids == offset_ids else "ROWS DIFFER",
        }
        rows.append(row)
        print(
            f"    {scenario:<34} p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  "
            f"max {row['max']:7.1f} ms  {row['note']}",
            flush=True,
        )

    # --- Web list page, plain and filtered.
    record("list page /customers/", ["/customers/"] * n, target=None)
    record("list page + filter", [f"/customers/?{urlencode(FILTER)}"] * n, target=None)

    # --- Customer-360 page: random visible customers with about 10 interactions each.
    visible = customer_queryset_for(user)
    per_customer = (
        Interaction.objects.filter(customer__in=visible.values("pk"))
        .order_by()
        .values("customer_id")
        .annotate(n=Count("id"))
    )
    about_ten = sorted(r["customer_id"] for r in per_customer.filter(n__gte=8, n__lte=12))
    sample_ids = rng.sample(about_ten, min(n, len(about_ten)))
    numbers = dict(visible.filter(pk__in=sample_ids).values_list("pk", "customer_no"))
    sample = [numbers[pk] for pk in sample_ids]
    record(
        "360 page /customers/<no>/",
        [f"/customers/{no}/" for no in sample],
        target="360",
        note="8-12 interactions each",
    )
    record(
        "API customer detail",
        [f"/api/v1/customers/{no}" for no in sample],
        target="api",
    )
    record(
        "API interactions (timeline page)",
        [f"/api/v1/customers/{no}/interactions" for no in sample],
        target="api",
    )

    # --- No N+1: the same query count for a customer with 1 interaction and one with >= 30.
    # Both with orders: the 360 page skips the order-lines query when there is no order.
    with_orders = Order.objects.values("customer_id")
    per_customer = per_customer.filter(customer_id__in=with_orders)
    one = per_customer.filter(n=1).order_by("customer_id").values_list("customer_id", flat=True)[:1]
    one = one[0] if one else None
    many = per_customer.filter(n__gte=30).order_by("n", "customer_id")[:1]
    many_row = many[0] if many else None
    if one and many_row:
        pair = dict(
            visible.filter(pk__in=[one, many_row["customer_id"]]).values_list("pk", "customer_no")
        )
        for label, template in (
            ("360 page", "/customers/{}/"),
            ("API interactions", "/api/v1/customers/{}/interactions?limit=50"),
        ):
            counts = query_counts(
                get, [template.format(pair[one]), template.format(pair[many_row["customer_id"]])]
            )
            checks.append(
                {
                    "role": role,
                    "check": f"{label}: queries for 1 vs {many_row['n']} interactions",
                    "counts": counts,
                    "constant": counts[0] == counts[1],
                }
            )
            print(f"    {checks[-1]['check']}: {counts}", flush=True)
    return rows, checks


def walk(
    get: Callable[[str], Any], url: str, pages: int, params: dict[str, str] | None = None
) -> tuple[list[str | None], list[int]]:
    """Follow next_cursor from page 1; the cursors that fetch pages 1..k (k <= pages).

    Returns the cursors (None for page 1) and the query count of each request on the way.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cursors: list[str | None] = [None]
    counts: list[int] = []
    base = url.split("?")[0]
    while len(cursors) < pages:
        query = {**(params or {})}
        if cursors[-1]:
            query["cursor"] = cursors[-1]
        with CaptureQueriesContext(connection) as captured:
            response = get(f"{base}?{urlencode(query)}" if query else base)
        counts.append(len(captured))
        if response.status_code != 200:
            raise RuntimeError(f"{base}: HTTP {response.status_code} {response.content[:200]!r}")
        cursor = response.json().get("next_cursor")
        if not cursor:
            break
        cursors.append(cursor)
    return cursors, counts


if __name__ == "__main__":
    main()
