"""Acquisition: new customers and leads by source and channel over time, conversion to 成交 by
source, and the cost per acquired customer where a source has a cost entered (SourceCost).

A new customer is one created in the period; a lead is one of them still 潜在 (lead) today; the
channel is how it came in (the external system of an import or sync, else entered by hand);
converted means 成交 (won) today.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import sees_amount_bands
from kehu.customers.display import channel_label
from kehu.customers.models import Customer, Source

from .db import reporting_alias
from .filters import Filters, scoped
from .models import SourceCost
from .result import Chart, Figure, Result, bucket, buckets, pivot, rate
from .sql import LocalDate
from .stored import stored_numbers

COST_ROLES = {Role.ADMIN, Role.EXECUTIVE, Role.MARKETING, Role.MANAGER, Role.STEWARD}


def sees_costs(user: User) -> bool:
    return user.role in COST_ROLES and not sees_amount_bands(user)


def acquisition_numbers(user: User, filters: Filters) -> dict[str, list[list[Any]]]:
    """What the analysis counts over the period's new customers, as JSON (the worker stores it
    per scope and quarter, stored.py): per local day and source; per source the customers,
    leads and won; per channel the customers and leads."""
    new = scoped(user, Customer.objects.all(), filters, prefix="").filter(
        created_at__gte=filters.since, created_at__lt=filters.until
    )
    daily = (
        new.annotate(day=LocalDate("created_at")).values("day", "source_id").annotate(n=Count("id"))
    )
    by_source = (
        new.values("source_id")
        .annotate(
            n=Count("id"),
            leads=Count("id", filter=Q(status=Customer.Status.LEAD)),
            won=Count("id", filter=Q(status=Customer.Status.WON)),
        )
        .order_by("-n", "source_id")
    )
    channels = (
        new.values("external_source")
        .annotate(n=Count("id"), leads=Count("id", filter=Q(status=Customer.Status.LEAD)))
        .order_by("-n", "external_source")
    )
    return {
        "daily": [[r["day"].isoformat(), r["source_id"], r["n"]] for r in daily],
        "sources": [[r["source_id"], r["n"], r["leads"], r["won"]] for r in by_source],
        "channels": [[r["external_source"], r["n"], r["leads"]] for r in channels],
    }


def acquisition(user: User, filters: Filters) -> Result:
    stored = stored_numbers(user, "acquisition", filters)
    numbers = stored[0] if stored else acquisition_numbers(user, filters)
    source_names = {s.pk: s.name for s in Source.objects.using(reporting_alias()).all()}
    none_label = _("(no source)")
    counts = [
        (
            bucket(date.fromisoformat(day), filters.group),
            source_names.get(source_id, none_label),
            n,
        )
        for day, source_id, n in numbers["daily"]
    ]
    source_rows = [
        {"source_id": source_id, "n": n, "leads": leads, "won": won}
        for source_id, n, leads, won in numbers["sources"]
    ]
    names = [source_names.get(r["source_id"], none_label) for r in source_rows]
    periods = buckets(filters.start, filters.end, filters.group)

    costs: dict[int, Decimal] = {}
    show_costs = sees_costs(user)
    if show_costs:
        month_from = filters.start.replace(day=1)
        cost_rows = (
            SourceCost.objects.using(reporting_alias())
            .filter(month__gte=month_from, month__lte=filters.end)
            .values("source_id")
            .annotate(total=Sum("amount"))
        )
        costs = {r["source_id"]: r["total"] for r in cost_rows}

    conversion: list[list[object]] = []
    for row, name in zip(source_rows, names, strict=True):
        cost = costs.get(row["source_id"]) if show_costs else None
        conversion.append(
            [
                name,
                row["n"],
                row["leads"],
                row["won"],
                rate(row["won"], row["n"]),
                cost,
                (cost / row["n"]) if cost is not None and row["n"] else None,
                (cost / row["won"]) if cost is not None and row["won"] else None,
            ]
        )

    channel_rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for external_source, n, leads in numbers["channels"]:
        key = channel_label(external_source or "")
        channel_rows[key][0] += n
        channel_rows[key][1] += leads

    total = sum(r["n"] for r in source_rows)
    won = sum(r["won"] for r in source_rows)
    total_cost = sum(costs.values(), Decimal(0)) if costs else None
    figures = [
        Figure("new_customers", _("New customers"), total),
        Figure("leads", _("Of them still leads"), sum(r["leads"] for r in source_rows)),
        Figure("won", _("Of them won"), won),
        Figure("conversion_rate", _("Conversion to won"), rate(won, total), "percent"),
    ]
    if show_costs:
        figures.append(
            Figure(
                "cost_per_customer",
                _("Cost per new customer"),
                (total_cost / total) if total_cost is not None and total else None,
                "money",
            )
        )
    charts = [
        Chart(
            "new_by_source",
            _("New customers by source"),
            "stack",
            [_("Period"), *names],
            pivot(counts, periods, names),
        ),
        Chart(
            "conversion_by_source",
            _("Conversion to won by source"),
            "bar",
            [
                _("Source"),
                _("New customers"),
                _("Still leads"),
                _("Won"),
                _("Conversion rate"),
                _("Cost (CNY)"),
                _("Cost per new customer"),
                _("Cost per won customer"),
            ],
            conversion,
            series=[1, 3],
            percent=[4],
            note="" if show_costs else _("Costs are shown to managers, marketing and executives."),
        ),
        Chart(
            "new_by_channel",
            _("New customers by channel"),
            "pie",
            [_("Channel"), _("New customers"), _("Still leads")],
            [[k, v[0], v[1]] for k, v in sorted(channel_rows.items(), key=lambda kv: -kv[1][0])],
            series=[1],
        ),
    ]
    fresh_at = stored[1] if stored else None
    return Result(
        "acquisition", _("Acquisition"), filters.as_query(), figures, charts, fresh_at=fresh_at
    )
