"""Activity: interactions per rep and per customer, by method; follow-up frequency; response
rate; share entered within 24 h; average entry delay against the 48-hour rule.

The interactions counted are those that happened (occurred_at) in the period, on customers the
caller may see; the filters apply to the customer (its owner, team, industry, region, source).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.customers.models import Customer
from kehu.interactions.models import Interaction

from .db import reporting_alias
from .facts import (
    activity_customer_figures,
    activity_fact_rows,
    facts_fresh_at,
    shared_extra,
)
from .filters import Filters, scoped
from .result import Chart, Figure, Result, bucket, buckets, pivot, rate
from .sql import HoursBetween, LocalDate

ENTRY_THRESHOLD_HOURS = 48  # the requirements: an interaction is entered within 48 hours
TIMELY_HOURS = 24

# Feedback that means the customer was not reached: 未接通, 拒接, and no feedback recorded at all.
# `answered_q` is the one place that decides.
NO_ANSWER_FEEDBACK: tuple[str, ...] = (
    "",
    Interaction.Feedback.NO_ANSWER.value,
    Interaction.Feedback.REFUSED.value,
)


def answered_q() -> Q:
    """Interactions that reached the customer (feedback other than no answer)."""
    return ~Q(feedback__in=NO_ANSWER_FEEDBACK)


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _counts() -> dict[str, object]:
    return {
        "n": Count("id"),
        "answered": Count("id", filter=answered_q()),
        "timely": Count("id", filter=Q(entry_hours__lte=TIMELY_HOURS)),
        "late": Count("id", filter=Q(entry_hours__gt=ENTRY_THRESHOLD_HOURS)),
        "delay": Sum("entry_hours"),
    }


SUMS = ("n", "answered", "timely", "late", "delay")


def _add(into: dict[str, float], row: dict[str, Any]) -> None:
    for key in SUMS:
        into[key] = into.get(key, 0) + float(row[key] or 0)


def _grouped_live(period: Any) -> Any:
    return (
        period.annotate(
            day=LocalDate("occurred_at"), entry_hours=HoursBetween("created_at", "occurred_at")
        )
        .values("day", "method", "performed_by_id")
        .annotate(**_counts())
    )


def _per_customer_live(period: Any) -> dict[str, Any]:
    """Customers followed up per rep and in all, and the 20 most followed-up customers
    ([customer id, interactions, last]), read live. Grouped by the customer's id alone (the
    occurred_at index covers it); the page looks up the 20 names."""
    per_rep = dict(
        period.values("performed_by_id")
        .annotate(customers=Count("customer_id", distinct=True))
        .values_list("performed_by_id", "customers")
    )
    top = (
        period.values("customer_id")
        .annotate(n=Count("id"), last=Max("occurred_at"))
        .order_by("-n", "customer_id")[:20]
    )
    return {
        "per_rep": per_rep,
        "customers": period.aggregate(c=Count("customer_id", distinct=True))["c"],
        "top": [[r["customer_id"], r["n"], r["last"]] for r in top],
    }


def _merge(one: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Per-customer figures of two disjoint sets of customers, added up."""
    per_rep = dict(one["per_rep"])
    for rep, n in other["per_rep"].items():
        per_rep[rep] = per_rep.get(rep, 0) + n
    top = sorted([*one["top"], *other["top"]], key=lambda r: (-r[1], r[0]))[:20]
    return {"per_rep": per_rep, "customers": one["customers"] + other["customers"], "top": top}


def activity(user: User, filters: Filters) -> Result:
    period = scoped(user, Interaction.objects.all(), filters, prefix="customer__").filter(
        occurred_at__gte=filters.since, occurred_at__lt=filters.until
    )
    methods = dict(Interaction.Method.choices)
    names = [str(label) for label in methods.values()]
    # One pass over the period's interactions: day × method × rep, every count summed; from the
    # daily facts when they can answer this scope and these filters exactly (facts.py), else live.
    # A rep's or manager's shared customers are not in the facts: read live and added (their
    # customers are disjoint from the facts' scope, so the sums stay exact).
    grouped: Any = activity_fact_rows(user, filters)
    fresh_at = facts_fresh_at() if grouped is not None else None
    extra = shared_extra(user) if grouped is not None else None
    if grouped is None:
        grouped = _grouped_live(period)
    elif extra is not None:
        grouped = [*grouped, *_grouped_live(period.filter(customer__in=extra))]
    counts: list[tuple[str, str, int]] = []
    overall: dict[str, float] = {}
    reps: dict[Any, dict[str, float]] = {}
    by_method: dict[str, dict[str, float]] = {}
    for row in grouped:
        label = str(methods.get(row["method"], row["method"]))
        counts.append((bucket(row["day"], filters.group), label, row["n"]))
        _add(overall, row)
        _add(reps.setdefault(row["performed_by_id"], {}), row)
        _add(by_method.setdefault(label, {}), row)
    # Customers followed up and the top 20: from the worker's per-scope figures when they hold
    # this period and scope (facts.py), plus the shared customers live; else all live.
    stored = activity_customer_figures(user, filters) if fresh_at else None
    if stored is not None and extra is not None:
        stored = _merge(stored, _per_customer_live(period.filter(customer__in=extra)))
    if stored is None:
        stored = _per_customer_live(period)
    distinct = stored["per_rep"]
    per_rep = sorted(
        ({"performed_by_id": k, "customers": distinct.get(k, 0), **v} for k, v in reps.items()),
        key=lambda r: (-r["n"], r["performed_by_id"] or 0),  # ties: the same order, facts or live
    )
    overall["customers"] = stored["customers"]
    users = {
        u.pk: u.label
        for u in User.objects.using(reporting_alias()).filter(
            pk__in=[r["performed_by_id"] for r in per_rep if r["performed_by_id"]]
        )
    }
    nobody = _("(nobody)")
    rep_rows = [
        [
            users.get(r["performed_by_id"], nobody),
            int(r["n"]),
            r["customers"],
            rate(r["n"], r["customers"]),
            rate(r["answered"], r["n"]),
            rate(r["timely"], r["n"]),
            _hours(rate(r["delay"], r["n"])),
        ]
        for r in per_rep
    ]
    method_rows = [
        [label, int(r["n"]), rate(r["answered"], r["n"])]
        for label, r in sorted(by_method.items(), key=lambda kv: (-kv[1]["n"], kv[0]))
    ]
    top = [{"customer_id": c, "n": n, "last": last} for c, n, last in stored["top"]]
    customer_names = dict(
        Customer.objects.using(reporting_alias())
        .filter(pk__in=[r["customer_id"] for r in top])
        .values_list("pk", "name")
    )
    customer_rows = [
        [
            customer_names.get(r["customer_id"], ""),
            r["n"],
            timezone.localtime(r["last"]).strftime("%Y-%m-%d %H:%M") if r["last"] else None,
        ]
        for r in top
    ]
    n = int(overall.get("n", 0))
    figures = [
        Figure("interactions", _("Interactions"), n),
        Figure("customers", _("Customers followed up"), overall["customers"]),
        Figure(
            "frequency", _("Interactions per customer followed up"), rate(n, overall["customers"])
        ),
        Figure("response_rate", _("Response rate"), rate(overall.get("answered"), n), "percent"),
        Figure("timely_rate", _("Entered within 24 h"), rate(overall.get("timely"), n), "percent"),
        Figure(
            "entry_delay", _("Average entry delay"), _hours(rate(overall.get("delay"), n)), "hours"
        ),
        Figure("late_rate", _("Entered after 48 h"), rate(overall.get("late"), n), "percent"),
    ]
    periods = buckets(filters.start, filters.end, filters.group)
    charts = [
        Chart(
            "by_method",
            _("Interactions by method over time"),
            "stack",
            [_("Period"), *names],
            pivot(counts, periods, names),
        ),
        Chart(
            "per_rep",
            _("Interactions per rep"),
            "bar",
            [
                _("Sales rep"),
                _("Interactions"),
                _("Customers followed up"),
                _("Interactions per customer"),
                _("Response rate"),
                _("Entered within 24 h"),
                _("Average entry delay (hours)"),
            ],
            rep_rows,
            series=[1, 2],
            percent=[4, 5],
            note=_("The requirements ask for every interaction to be entered within 48 hours."),
        ),
        Chart(
            "method_share",
            _("Interactions by method"),
            "pie",
            [_("Method"), _("Interactions"), _("Response rate")],
            method_rows,
            series=[1],
            percent=[2],
        ),
        Chart(
            "per_customer",
            _("Most followed-up customers"),
            "bar",
            [_("Customer"), _("Interactions"), _("Last interaction")],
            customer_rows,
            series=[1],
        ),
    ]
    notes = [
        _(
            "Response rate: the share of interactions whose feedback is not “no answer” (empty "
            "feedback counts as no answer)."
        )
    ]
    return Result(
        "activity", _("Activity"), filters.as_query(), figures, charts, notes, fresh_at=fresh_at
    )
