"""Per-customer value figures stored by scope part (issue 18: the value analysis at 1,000,000
customers).

Revenue to date, customers with orders, repeat buyers, the customers in scope and the lost ones,
and the 20 customers with the most revenue are about the customers as they are today: grouped
over all orders and customers, they cost seconds at a million customers. The worker stores them
at each facts refresh (facts_refresh) per scope part, like the per-customer activity figures
(facts.py): 'all', 'team:<id>', 'owner:<id>' and 'pool:<team id>' (no owner) are disjoint sets
of customers, so a rep's owner part plus its team's pool part add up exactly and their top 20
merge exactly (ReportSnapshot kind 'value_customers'). The value analysis reads them only when no
filter narrows the customers and the scope is made of parts alone (no shared customers);
otherwise it reads live. The open pipeline per stage and the kehu.value segment counts
(grade, octant, lifecycle) are stored the same way. Revenue in the
period per signed day is stored per part for this and the previous quarter (kind
'value_daily'); another period reads live.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

VALUE_KIND = "value_customers"
DAILY_KIND = "value_daily"
SEGMENT_FIELDS = ("grade", "octant", "lifecycle")
BATCH = 5000


def _parts(owner: Any, team: Any) -> list[str]:
    parts = ["all", f"owner:{owner}" if owner else f"pool:{team}"]
    if team:
        parts.append(f"team:{team}")
    return parts


def value_customers_store(now: Any) -> int:
    """Store each part's figures: one grouped pass over the orders that are not cancelled and
    one over the customers."""
    from kehu.customers.models import Customer
    from kehu.opportunities.models import Order

    from ..services import report_snapshot_store, report_snapshots_delete

    figures: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"buyers": 0, "repeat": 0, "revenue": Decimal(0), "n": 0, "lost": 0}
    )
    tops: dict[str, list[tuple[Decimal, int, str, int]]] = defaultdict(list)
    rows = (
        Order.objects.exclude(status=Order.Status.CANCELLED)
        .order_by()
        .values("customer_id", "customer__name", "customer__owner_id", "customer__team_id")
        .annotate(n=Count("id"), total=Sum("amount"))
        .iterator(chunk_size=BATCH)
    )
    for row in rows:
        total = row["total"] or Decimal(0)
        for part in _parts(row["customer__owner_id"], row["customer__team_id"]):
            f = figures[part]
            f["buyers"] += 1
            f["repeat"] += row["n"] >= 2
            f["revenue"] += total
            tops[part].append((total, row["customer_id"], row["customer__name"], row["n"]))
    counted = (
        Customer.objects.order_by()
        .values("owner_id", "team_id", "status")
        .annotate(n=Count("id"))
        .iterator(chunk_size=BATCH)
    )
    for row in counted:
        for part in _parts(row["owner_id"], row["team_id"]):
            figures[part]["n"] += row["n"]
            if row["status"] == Customer.Status.LOST:
                figures[part]["lost"] += row["n"]
    _pipeline_and_segments(figures)
    report_snapshots_delete(kind=VALUE_KIND, key_suffix="")
    for part in {"all", *figures}:
        f = figures[part]
        top = sorted(tops[part], key=lambda r: (-r[0], r[1]))[:20]
        report_snapshot_store(
            kind=VALUE_KIND,
            key=part,
            now=now,
            data={
                **{k: f[k] for k in ("buyers", "repeat", "n", "lost")},
                "revenue": str(f["revenue"]),
                "pipeline": {k: [str(t), n] for k, (t, n) in f.get("pipeline", {}).items()},
                "segments": f.get("segments", {}),
                "top": [[str(t), c, name, n] for t, c, name, n in top],
            },
        )
    return len(figures)


def _pipeline_and_segments(figures: dict[str, dict[str, Any]]) -> None:
    """Add each part's open pipeline per stage ([expected total, opportunities], of those with an
    expected amount) and its kehu.value segment counts ({field: {value: customers}})."""
    import kehu.value.models as value_models
    from kehu.opportunities.models import Opportunity

    from .value import OPEN

    opportunities = (
        Opportunity.objects.filter(stage__in=OPEN, expected_amount__isnull=False)
        .order_by()
        .values("stage", "customer__owner_id", "customer__team_id")
        .annotate(total=Sum("expected_amount"), n=Count("id"))
    )
    for row in opportunities:
        for part in _parts(row["customer__owner_id"], row["customer__team_id"]):
            pipeline = figures[part].setdefault("pipeline", {})
            total, n = pipeline.get(row["stage"], (Decimal(0), 0))
            pipeline[row["stage"]] = (total + (row["total"] or Decimal(0)), n + row["n"])
    segments = (
        value_models.CustomerValue.objects.order_by()
        .values("grade", "octant", "lifecycle", "customer__owner_id", "customer__team_id")
        .annotate(n=Count("pk"))
        .iterator(chunk_size=BATCH)
    )
    for row in segments:
        for part in _parts(row["customer__owner_id"], row["customer__team_id"]):
            counts = figures[part].setdefault("segments", {})
            for field in SEGMENT_FIELDS:
                by_value = counts.setdefault(field, {})
                by_value[row[field]] = by_value.get(row[field], 0) + row["n"]


def value_daily_store(now: Any) -> int:
    """Store each part's revenue and orders per signed day (orders not cancelled) for this and
    the previous quarter (kind 'value_daily', key '<part>|<from>|<to>')."""
    from kehu.opportunities.models import Order

    from ..services import report_snapshot_store, report_snapshots_delete
    from .facts import period_suffix
    from .services import _quarters

    stored = 0
    for start, end in _quarters(now):
        days: dict[str, dict[str, list[Any]]] = defaultdict(dict)
        rows = (
            Order.objects.exclude(status=Order.Status.CANCELLED)
            .filter(signed_on__gte=start, signed_on__lte=end)
            .order_by()
            .values("signed_on", "customer__owner_id", "customer__team_id")
            .annotate(total=Sum("amount"), n=Count("id"))
        )
        for row in rows:
            for part in _parts(row["customer__owner_id"], row["customer__team_id"]):
                entry = days[part].setdefault(row["signed_on"].isoformat(), [Decimal(0), 0])
                entry[0] += row["total"] or Decimal(0)
                entry[1] += row["n"]
        suffix = period_suffix(start, end)
        report_snapshots_delete(kind=DAILY_KIND, key_suffix=suffix)
        for part in {"all", *days}:
            report_snapshot_store(
                kind=DAILY_KIND,
                key=part + suffix,
                now=now,
                data={"days": [[d, str(t), n] for d, (t, n) in sorted(days[part].items())]},
            )
            stored += 1
    return stored


def value_daily_rows(user: Any, filters: Any) -> list[dict[str, Any]] | None:
    """The revenue in the period per signed day ({signed_on, total, n}) from the stored parts,
    or None (live) when a filter narrows the customers, the scope has shared customers, or the
    period is not a quarter the worker stores."""
    from datetime import date

    from .facts import customer_parts, fact_scope_q, facts_state, period_suffix

    if any(
        v not in (None, "")
        for v in (filters.team, filters.owner, filters.industry, filters.region, filters.source)
    ):
        return None
    if fact_scope_q(user) is None or facts_state() is None:
        return None
    parts = customer_parts(user)
    if parts is None:
        return None
    from ..models import ReportSnapshot
    from .db import reporting_alias

    suffix = period_suffix(filters.start, filters.end)
    stored = {
        s.key: s.data
        for s in ReportSnapshot.objects.using(reporting_alias()).filter(
            kind=DAILY_KIND, key__in=[p + suffix for p in ("all", *parts)]
        )
    }
    if "all" + suffix not in stored:
        return None
    days: dict[str, list[Any]] = {}
    for part in parts:
        for day, total, n in stored.get(part + suffix, {"days": []})["days"]:
            entry = days.setdefault(day, [Decimal(0), 0])
            entry[0] += Decimal(total)
            entry[1] += n
    return [
        {"signed_on": date.fromisoformat(d), "total": t, "n": n}
        for d, (t, n) in sorted(days.items())
    ]


def value_customer_figures(user: Any, filters: Any) -> dict[str, Any] | None:
    """{'buyers', 'repeat', 'revenue', 'n', 'lost', 'top': [{customer_id, customer__name, total,
    n}], 'pipeline': [{stage, total, n}], 'segments': {field: [{field: value, n}]}} from the stored parts, or None (live) when a filter narrows the customers, the scope
    has shared customers, or the worker has not stored them."""
    from .facts import customer_parts, fact_scope_q, facts_state

    if any(
        v not in (None, "")
        for v in (filters.team, filters.owner, filters.industry, filters.region, filters.source)
    ):
        return None
    if fact_scope_q(user) is None or facts_state() is None:
        return None
    parts = customer_parts(user)
    if parts is None:
        return None
    from ..models import ReportSnapshot
    from .db import reporting_alias

    stored = {
        s.key: s.data
        for s in ReportSnapshot.objects.using(reporting_alias()).filter(
            kind=VALUE_KIND, key__in=["all", *parts]
        )
    }
    if "all" not in stored:
        return None
    out: dict[str, Any] = {"buyers": 0, "repeat": 0, "revenue": Decimal(0), "n": 0, "lost": 0}
    top: list[dict[str, Any]] = []
    pipeline: dict[str, list[Any]] = {}
    segments: dict[str, dict[str, int]] = {field: {} for field in SEGMENT_FIELDS}
    for part in parts:
        data = stored.get(part)
        if data is None:
            continue
        for stage, (total, n) in data.get("pipeline", {}).items():
            entry = pipeline.setdefault(stage, [Decimal(0), 0])
            entry[0] += Decimal(total)
            entry[1] += n
        for field, by_value in data.get("segments", {}).items():
            for key, n in by_value.items():
                segments[field][key] = segments[field].get(key, 0) + n
        for key in ("buyers", "repeat", "n", "lost"):
            out[key] += data[key]
        out["revenue"] += Decimal(data["revenue"])
        top += [
            {"customer_id": c, "customer__name": name, "total": Decimal(t), "n": n}
            for t, c, name, n in data["top"]
        ]
    top.sort(key=lambda r: (-r["total"], r["customer_id"]))
    out["top"] = top[:20]
    out["pipeline"] = [
        {"stage": stage, "total": total, "n": n} for stage, (total, n) in pipeline.items()
    ]
    out["segments"] = {
        field: [{field: key, "n": n} for key, n in sorted(by_value.items())]
        for field, by_value in segments.items()
    }
    return out
