"""The named reports (issue 18), each over the customers the viewer may see (scope_for).

- customer health: per customer (recency of the last interaction or order, activity trend of
  the last 30 days against the 30 before, open tasks, completeness, risk tags) and rolled up
  into bands (healthy, watch, at risk);
- high-value churn: lost or dormant customers of the highest value (kehu.value's grade when
  installed, else order revenue), with their last interactions and opportunity lost reasons;
- dormancy rate: customers without an interaction for the window (default 90 days), per team
  and rep;
- the monthly KPI sheet: timeliness (interactions entered within 24 h), completeness, update
  rate, each against its target (ReportSetting).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.accounts.policy import scope_for
from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp, Interaction
from kehu.opportunities.models import Opportunity, Order
from kehu.tags.models import CustomerTag

from ..dashboard.tiles import month_bounds, percent, start_of
from ..metrics import complete_q
from ..models import ReportSetting

LIST_SIZE = 50
ACTIVE = (Customer.Status.LEAD, Customer.Status.INTENT, Customer.Status.WON)
BANDS = {
    "healthy": gettext_lazy("Healthy"),
    "watch": gettext_lazy("Watch"),
    "at_risk": gettext_lazy("At risk"),
}
# Editable settings (ReportSetting) and their defaults.
DEFAULTS: dict[str, float] = {
    "dormancy_days": 90,
    "kpi_timeliness_target": 0.95,
    "kpi_completeness_target": 0.9,
    "kpi_update_rate_target": 0.95,
}
SETTING_LABELS = {
    "dormancy_days": gettext_lazy("Dormancy window (days without interaction)"),
    "kpi_timeliness_target": gettext_lazy("Target: interactions entered within 24 h"),
    "kpi_completeness_target": gettext_lazy("Target: complete customers"),
    "kpi_update_rate_target": gettext_lazy("Target: update rate"),
}


def setting(key: str) -> float:
    stored = ReportSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return float(stored) if stored is not None else DEFAULTS[key]


def settings_all() -> dict[str, float]:
    stored = dict(ReportSetting.objects.values_list("key", "value"))
    return {key: float(stored.get(key, default)) for key, default in DEFAULTS.items()}


def risk_tag_q() -> Q:
    """Risk tags: the 风险标签 type of the tag library once it has types, else names with 风险."""
    return Q(tag__name__contains="风险")


def _band(contact_days: int | None, completeness: int, risky: bool) -> str:
    """The rollup's rule for one customer (days since the last interaction)."""
    if risky or contact_days is None or contact_days >= 90:
        return "at_risk"
    if contact_days >= 30 or completeness < 60:
        return "watch"
    return "healthy"


def health_rollup(
    customers: QuerySet[Customer], now: datetime, interactions: QuerySet[Interaction] | None = None
) -> dict[str, Any]:
    """Band counts over the scope from the customers' own columns (indexed last contact):
    at risk = no interaction for 90 days (or never) or a risk tag; watch = 30-90 days or
    completeness under 60; the rest healthy."""
    active = customers.filter(status__in=ACTIVE)
    d30, d90 = now - timedelta(days=30), now - timedelta(days=90)
    risky = CustomerTag.objects.filter(risk_tag_q()).values("customer_id")
    at_risk = Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=d90) | Q(pk__in=risky)
    row = active.aggregate(
        total=Count("id"),
        at_risk=Count("id", filter=at_risk),
        watch=Count(
            "id", filter=~at_risk & (Q(last_interaction_at__lt=d30) | Q(completeness__lt=60))
        ),
    )
    row["healthy"] = row["total"] - row["at_risk"] - row["watch"]
    # both counts are of the last 60 days: the rest of the table is never read
    recent = scope_interactions(customers, interactions).filter(
        occurred_at__gte=now - timedelta(60)
    )
    trend = recent.aggregate(
        last_30=Count("id", filter=Q(occurred_at__gte=d30)),
        previous_30=Count(
            "id", filter=Q(occurred_at__lt=d30, occurred_at__gte=now - timedelta(60))
        ),
    )
    return {**row, **trend}


def scope_interactions(
    customers: QuerySet[Customer], interactions: QuerySet[Interaction] | None = None
) -> QuerySet[Interaction]:
    """The interactions on these customers: `interactions` when the caller has them scoped the
    same way (interactions_for), else a semi-join on the customers."""
    if interactions is not None:
        return interactions
    return Interaction.objects.filter(customer__in=customers.values("pk"))


def interactions_for(user: Any) -> QuerySet[Interaction]:
    """The interactions on the customers `user` may see (customers_for), scoped through the
    join to their customer: over a book of 177,000 customers PostgreSQL plans the semi-join
    of scope_interactions as one index probe per customer (11 s for a month's KPI sheet),
    the join as one pass over the period's interactions (2 s)."""
    return scope_for(user, Interaction.objects.all())


def health_rows(customers: QuerySet[Customer], now: datetime, size: int = LIST_SIZE) -> list[dict]:
    """The `size` customers longest without contact (never contacted first), each with its figures."""
    chosen = list(
        customers.filter(status__in=ACTIVE)
        .order_by("last_interaction_at", "id")
        .select_related("owner")[:size]
    )
    return customer_figures(chosen, now)


def customer_figures(chosen: list[Customer], now: datetime) -> list[dict[str, Any]]:
    ids = [c.pk for c in chosen]
    d30, d60 = now - timedelta(days=30), now - timedelta(days=60)
    activity = {
        r["customer"]: r
        for r in Interaction.objects.filter(customer__in=ids, occurred_at__gte=d60)
        .order_by()
        .values("customer")
        .annotate(
            last_30=Count("id", filter=Q(occurred_at__gte=d30)),
            previous_30=Count("id", filter=Q(occurred_at__lt=d30)),
        )
    }
    orders = dict(
        Order.objects.filter(customer__in=ids)
        .order_by()
        .values_list("customer")
        .annotate(Max("signed_on"))
    )
    tasks = dict(
        FollowUp.objects.filter(customer__in=ids, done_at__isnull=True)
        .order_by()
        .values_list("customer")
        .annotate(Count("id"))
    )
    tags: dict[int, list[str]] = {}
    for customer_id, name in CustomerTag.objects.filter(customer__in=ids).values_list(
        "customer", "tag__name"
    ):
        tags.setdefault(customer_id, []).append(name)
    today = timezone.localdate(now)
    rows = []
    for c in chosen:
        last_contact = timezone.localdate(c.last_interaction_at) if c.last_interaction_at else None
        last_order = orders.get(c.pk)
        latest = max([d for d in (last_contact, last_order) if d is not None], default=None)
        recency = (today - latest).days if latest else None
        act = activity.get(c.pk, {"last_30": 0, "previous_30": 0})
        risk = [t for t in tags.get(c.pk, []) if "风险" in t]
        contact_days = (now - c.last_interaction_at).days if c.last_interaction_at else None
        band = _band(contact_days, c.completeness, bool(risk))
        rows.append(
            {
                "customer_no": c.customer_no,
                "name": c.name,
                "owner": c.owner.label if c.owner else "",
                "status": c.status,
                "last_interaction": str(last_contact) if last_contact else None,
                "last_order": str(last_order) if last_order else None,
                "recency_days": recency,
                "last_30": act["last_30"],
                "previous_30": act["previous_30"],
                "open_tasks": tasks.get(c.pk, 0),
                "completeness": c.completeness,
                "risk_tags": risk,
                "tags": tags.get(c.pk, []),
                "band": band,
                "band_label": str(BANDS[band]),
            }
        )
    return rows


def labelled(data: dict[str, Any]) -> dict[str, Any]:
    """A stored report's rows with their band labels in the reader's language (the worker
    stores them in its own)."""
    for row in data.get("customers", []):
        if row.get("band") in BANDS:
            row["band_label"] = str(BANDS[row["band"]])
    return data


def health_report(
    customers: QuerySet[Customer],
    now: datetime,
    *,
    interactions: QuerySet[Interaction] | None = None,
) -> dict[str, Any]:
    return {
        "rollup": health_rollup(customers, now, interactions),
        "customers": health_rows(customers, now),
    }


# --- High-value churn


def dormant_q(since: datetime) -> Q:
    """No interaction since `since`: the last one before it, or none and created before it."""
    return Q(last_interaction_at__lt=since) | Q(
        last_interaction_at__isnull=True, created_at__lt=since
    )


def value_grades(ids: list[int]) -> dict[int, str]:
    """kehu.value's grade per customer, when that app is installed; else {}."""
    from django.apps import apps

    if not apps.is_installed("kehu.value"):
        return {}
    try:
        model = apps.get_model("value", "CustomerValue")
    except LookupError:
        return {}
    fields = {f.name for f in model._meta.get_fields()}
    grade = "grade" if "grade" in fields else ("octant" if "octant" in fields else None)
    if grade is None:
        return {}
    return {
        r[0]: str(r[1])
        for r in model.objects.filter(customer__in=ids).values_list("customer", grade)
    }


def churn_report(
    customers: QuerySet[Customer],
    now: datetime,
    size: int = LIST_SIZE,
    *,
    interactions: QuerySet[Interaction] | None = None,
) -> dict:
    """Lost or dormant (no interaction for the dormancy window) customers, highest order revenue
    first, with their last three interactions and their opportunities' lost reasons.
    (`interactions`: taken like the other reports', not needed: the chosen customers' are read.)"""
    window = int(setting("dormancy_days"))
    since = now - timedelta(days=window)
    churned = customers.filter(
        Q(status=Customer.Status.LOST) | (Q(status=Customer.Status.WON) & dormant_q(since))
    )
    revenue = (
        Order.objects.filter(customer__in=churned.values("pk"))
        .exclude(status=Order.Status.CANCELLED)
        .order_by()
        .values("customer")
        .annotate(total=Sum("amount"))
        .order_by("-total")[:size]
    )
    totals = {r["customer"]: r["total"] for r in revenue}
    chosen = {c.pk: c for c in Customer.objects.filter(pk__in=list(totals)).select_related("owner")}
    ids = list(totals)
    grades = value_grades(ids)
    reasons: dict[int, list[str]] = {}
    for customer_id, name in (
        Opportunity.objects.filter(customer__in=ids, stage=Opportunity.Stage.LOST)
        .exclude(lost_reason=None)
        .values_list("customer", "lost_reason__name")
    ):
        reasons.setdefault(customer_id, []).append(name)
    recent: dict[int, list[dict[str, str]]] = {}
    for i in Interaction.objects.filter(customer__in=ids).order_by("customer", "-occurred_at"):
        bucket = recent.setdefault(i.customer_id, [])
        if len(bucket) < 3:
            day = str(timezone.localdate(i.occurred_at))
            bucket.append({"day": day, "topic": i.topic, "feedback": i.feedback})
    rows = []
    for customer_id, total in totals.items():
        c = chosen[customer_id]
        rows.append(
            {
                "customer_no": c.customer_no,
                "name": c.name,
                "owner": c.owner.label if c.owner else "",
                "status": c.status,
                "dormant": c.status != Customer.Status.LOST,
                "revenue": float(total or Decimal(0)),
                "grade": grades.get(customer_id, ""),
                "last_interactions": recent.get(customer_id, []),
                "lost_reasons": sorted(set(reasons.get(customer_id, []))),
            }
        )
    return {"window_days": window, "ranked_by": "grade" if grades else "revenue", "customers": rows}


# --- Dormancy rate


def dormancy_report(
    customers: QuerySet[Customer],
    now: datetime,
    *,
    interactions: QuerySet[Interaction] | None = None,  # not needed: customers' own columns
) -> dict[str, Any]:
    window = int(setting("dormancy_days"))
    since = now - timedelta(days=window)
    dormant = dormant_q(since)
    active = customers.filter(status__in=ACTIVE)
    overall = active.aggregate(total=Count("id"), dormant=Count("id", filter=dormant))
    per_rep = [
        {
            "owner_id": r["owner"],
            "owner": r["owner__display_name"] or r["owner__username"] or str(_("Team pool")),
            "total": r["total"],
            "dormant": r["dormant"],
            "rate": percent(r["dormant"], r["total"]),
        }
        for r in active.order_by()
        .values("owner", "owner__display_name", "owner__username")
        .annotate(total=Count("id"), dormant=Count("id", filter=dormant))
    ]
    per_rep.sort(key=lambda r: -(r["rate"] or 0))
    return {
        "window_days": window,
        "total": overall["total"],
        "dormant": overall["dormant"],
        "rate": percent(overall["dormant"], overall["total"]),
        "reps": per_rep,
        "since": str(timezone.localdate(since)),
    }


# --- The monthly KPI sheet


def kpi_sheet(
    customers: QuerySet[Customer],
    month: date,
    now: datetime,
    *,
    interactions: QuerySet[Interaction] | None = None,
) -> dict[str, Any]:
    """Timeliness (interactions of the month entered within 24 h), completeness (complete
    customers now), update rate (active customers with an interaction in the month), against
    their targets; overall and per rep. `interactions`: scoped like `customers` (see
    scope_interactions)."""
    start, end = month_bounds(month)
    low, high = start_of(start), start_of(end)
    targets = settings_all()
    interactions = scope_interactions(customers, interactions).filter(
        occurred_at__gte=low, occurred_at__lt=high
    )
    active = customers.filter(status__in=ACTIVE)
    entry_counts = {
        "total": Count("id"),
        "timely": Count("id", filter=Q(is_late_entry=False)),
        "touched": Count("customer", distinct=True, filter=Q(customer__status__in=ACTIVE)),
    }

    def measures(entered: dict[str, int], people: dict[str, int]) -> list[dict[str, Any]]:
        values = {
            "timeliness": percent(entered["timely"], entered["total"]),
            "completeness": percent(people["complete"], people["total"]),
            "update_rate": percent(entered["touched"], people["total"]),
        }
        out = []
        for key, value in values.items():
            target = targets[f"kpi_{key}_target"]
            out.append(
                {
                    "key": key,
                    "value": value,
                    "target": target,
                    "met": None if value is None else value >= target,
                }
            )
        return out

    people_counts = {"total": Count("id"), "complete": Count("id", filter=complete_q())}
    people = active.aggregate(**people_counts)
    by_rep_entered = {
        r["customer__owner"]: r
        for r in interactions.order_by().values("customer__owner").annotate(**entry_counts)
    }
    # Each customer has one owner (or none, a group of its own), so the owners' groups
    # partition the month's interactions and their customers: the overall counts, distinct
    # customers included, are the groups' sums (one pass over the month, not two).
    entered = {key: sum(r[key] for r in by_rep_entered.values()) for key in entry_counts}
    reps = []
    for r in (
        active.filter(owner__isnull=False)
        .order_by()
        .values("owner", "owner__display_name", "owner__username")
        .annotate(**people_counts)
    ):
        rep_entered = by_rep_entered.get(r["owner"], {"total": 0, "timely": 0, "touched": 0})
        reps.append(
            {
                "owner_id": r["owner"],
                "owner": r["owner__display_name"] or r["owner__username"],
                "measures": measures(rep_entered, r),
            }
        )
    reps.sort(key=lambda r: r["owner"])
    return {
        "month": f"{start:%Y-%m}",
        "overall": measures(entered, people),
        "reps": reps,
        "targets": targets,
    }


def customers_for(user: Any) -> QuerySet[Customer]:
    return scope_for(user, Customer.objects.all())
