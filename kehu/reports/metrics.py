"""Data-quality figures, always over the rows the viewer may see (accounts.policy.scope_for).

- completeness rate: customers with none of the standard's required facts missing;
- duplicate rate: customers in an open candidate pair of kehu.dedupe; before any pair is stored,
  customers that share a normalised name, credit code or phone with another (interim measure);
- stale rate: customers with no interaction for KEHU_STALE_DAYS (the freshness rule's test);
- entered within 24 h: interactions recorded in the last KEHU_QUALITY_ENTRY_WINDOW_DAYS that
  were not late entries.

Per team and per rep, rows are grouped by the customer's team and owner: the rep who owns a
customer answers for its record and for logging its interactions on time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from kehu.accounts.models import Role, Team, User
from kehu.accounts.policy import reads_all, scope_for, steward_unit_id
from kehu.customers.models import Customer
from kehu.interactions.freshness import stale_q
from kehu.interactions.models import Interaction

from .models import METRICS, QualityAlert, QualityCounts, QualitySnapshot, Scope

GROUPS = {"team": ("team", "customer__team"), "owner": ("owner", "customer__owner")}


@dataclass
class Figures(QualityCounts):
    key: str = "all"
    label: str = ""
    team_id: int | None = None
    owner_id: int | None = None
    customers: int = 0
    complete: int = 0
    duplicates: int = 0
    stale: int = 0
    interactions: int = 0
    timely: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "team_id": self.team_id,
            "owner_id": self.owner_id,
            "customers": self.customers,
            "complete": self.complete,
            "duplicates": self.duplicates,
            "stale": self.stale,
            "interactions": self.interactions,
            "timely": self.timely,
        }
        data.update({metric: self.rate(metric) for metric in METRICS})
        return data


def duplicate_keys(column: str) -> QuerySet[Customer]:
    keys: QuerySet[Customer] = (
        Customer.objects.exclude(**{column: ""})
        .values(column)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values(column)
        .order_by()
    )
    return keys


def open_pairs() -> QuerySet[Any] | None:
    """kehu.dedupe's open candidate pairs, once a scan or check has stored any; else None.

    Looked up through the app registry, so reports works before dedupe is installed.
    """
    try:
        pair_model = apps.get_model("dedupe", "DuplicatePair")
    except LookupError:
        return None
    if not pair_model.objects.exists():
        return None
    pairs: QuerySet[Any] = pair_model.objects.filter(status="open")
    return pairs


def duplicate_measure() -> str:
    """'pairs' (dedupe's open candidate pairs) or 'interim' (shared exact keys)."""
    return "pairs" if open_pairs() is not None else "interim"


def duplicate_q() -> Q:
    """Customers in an open candidate pair (dedupe), or, before any pair is stored, customers
    sharing a normalised name, credit code or phone with another customer anywhere in the
    database (two reps may be chasing one company)."""
    pairs = open_pairs()
    if pairs is not None:
        return Q(pk__in=pairs.values("customer_a_id")) | Q(pk__in=pairs.values("customer_b_id"))
    return (
        Q(name_normalized__in=duplicate_keys("name_normalized"))
        | Q(credit_code__in=duplicate_keys("credit_code"))
        | Q(phone_bidx__in=duplicate_keys("phone_bidx"))  # the phone is encrypted
    )


def complete_q() -> Q:
    return Q(missing_fields=[])


def _customer_counts() -> dict[str, Any]:
    return {
        "customers": Count("id"),
        "complete": Count("id", filter=complete_q()),
        "duplicates": Count("id", filter=duplicate_q()),
    }


def quality_figures(
    customers: QuerySet[Customer],
    interactions: QuerySet[Interaction],
    *,
    now: datetime | None = None,
    group_by: str | None = None,
) -> list[Figures]:
    """Counts over the given (already scoped) rows, overall or per 'team' / 'owner'."""
    now = now or timezone.now()
    counts = {**_customer_counts(), "stale": Count("id", filter=stale_q(now))}
    since = now - timedelta(days=settings.KEHU_QUALITY_ENTRY_WINDOW_DAYS)
    recent = interactions.filter(created_at__gte=since, created_at__lte=now)
    interaction_counts = {
        "interactions": Count("id"),
        "timely": Count("id", filter=Q(is_late_entry=False)),
    }
    if group_by is None:
        figures = Figures(label="", **customers.aggregate(**counts))
        row = recent.aggregate(**interaction_counts)
        figures.interactions, figures.timely = row["interactions"], row["timely"]
        return [figures]
    customer_column, interaction_column = GROUPS[group_by]
    by_key: dict[int | None, Figures] = {}
    for row in customers.order_by().values(customer_column).annotate(**counts):
        ident = row.pop(customer_column)
        by_key[ident] = Figures(**row)
    for row in recent.order_by().values(interaction_column).annotate(**interaction_counts):
        ident = row[interaction_column]
        figures = by_key.setdefault(ident, Figures())
        figures.interactions, figures.timely = row["interactions"], row["timely"]
    _label(by_key, group_by)
    return sorted(by_key.values(), key=lambda f: (f.key.endswith(":none"), f.label))


def _label(by_key: dict[int | None, Figures], group_by: str) -> None:
    """Each group's name; the customers of no team or no owner (the pool) are （未分配）, as the
    page shows them."""
    unassigned = gettext("(unassigned)")
    ids = [ident for ident in by_key if ident is not None]
    if group_by == "team":
        names = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
        for ident, figures in by_key.items():
            figures.team_id = ident
            figures.key = f"team:{ident}" if ident else "team:none"
            figures.label = names.get(ident, "") if ident else unassigned
    else:
        users = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("team")}
        for ident, figures in by_key.items():
            user = users.get(ident) if ident else None
            figures.owner_id = ident
            figures.team_id = user.team_id if user else None
            figures.key = f"owner:{ident}" if ident else "owner:none"
            figures.label = user.label if user else ("" if ident else unassigned)


def quality_figures_for(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The dashboard's live figures for this viewer: overall, per team, per rep."""
    customers = scope_for(user, Customer.objects.all())
    interactions = scope_for(user, Interaction.objects.all())
    return {
        "overall": quality_figures(customers, interactions, now=now)[0],
        "teams": quality_figures(customers, interactions, now=now, group_by="team"),
        "reps": quality_figures(customers, interactions, now=now, group_by="owner"),
    }


def rank(rows: list[Figures], metric: str) -> list[Figures]:
    """Best first: high completeness / timely entry, low duplicates / staleness; none last."""
    higher_is_better = metric in ("completeness_rate", "timely_rate")

    def key(figures: Figures) -> tuple[int, float]:
        value = figures.rate(metric)
        if value is None:
            return (1, 0.0)
        return (0, -value if higher_is_better else value)

    return sorted(rows, key=key)


# --- Stored history, scoped like the live figures


def _history_q(user: Any) -> Q | None:
    """Which snapshot / alert keys the user may see; None means all of them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if reads_all(user):
        return None
    if steward_unit_id(user):  # a unit's data steward: the unit's figures
        return Q(team_id=steward_unit_id(user))
    if user.role == Role.MANAGER and user.team_id:
        return Q(team_id=user.team_id)
    if user.role in (Role.REP, Role.MANAGER):
        return Q(key=f"owner:{user.pk}")
    return Q(pk__in=[])


def snapshot_queryset_for(user: Any) -> QuerySet[QualitySnapshot]:
    condition = _history_q(user)
    snapshots = QualitySnapshot.objects.all()
    return snapshots if condition is None else snapshots.filter(condition)


def home_key_for(user: Any) -> str:
    """The snapshot key whose trend the viewer's dashboard shows by default."""
    if reads_all(user):
        return "all"
    if steward_unit_id(user):
        return f"team:{steward_unit_id(user)}"
    if user.role == Role.MANAGER and user.team_id:
        return f"team:{user.team_id}"
    return f"owner:{user.pk}"


def trend_for(user: Any, *, key: str | None = None, days: int = 90) -> list[QualitySnapshot]:
    key = key or home_key_for(user)
    since = timezone.localdate() - timedelta(days=days)
    return list(snapshot_queryset_for(user).filter(key=key, day__gte=since).order_by("day"))


def alert_queryset_for(user: Any) -> QuerySet[QualityAlert]:
    condition = _history_q(user)
    alerts = QualityAlert.objects.select_related("team", "recipient")
    if condition is None:
        return alerts
    if getattr(user, "is_authenticated", False):
        condition |= Q(recipient=user)
    return alerts.filter(condition).exclude(scope=Scope.ALL)
