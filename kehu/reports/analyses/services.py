"""The write path of the analyses' own data: source costs and targets. Atomic and audited.

Source costs: administrators and marketing. Targets: administrators for anyone, a manager for
their own team and its members.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kehu.customers.models import Source

from ..services import report_snapshot_store, report_snapshots_delete
from .facts import (
    BATCH,
    FACTS_KEY,
    FACTS_KIND,
    CustomerDimFact,
    InteractionDayFact,
    facts_state,
)
from .models import SourceCost, Target
from .stored import analyses_store
from .value_facts import value_customers_store, value_daily_store

COST_WRITERS = {Role.ADMIN, Role.MARKETING}
MAX_AMOUNT = Decimal("999999999999.99")


def can_edit_source_costs(user: User) -> bool:
    return user.role in COST_WRITERS


def can_edit_targets(user: User) -> bool:
    return user.role == Role.ADMIN or (user.role == Role.MANAGER and bool(user.team_id))


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed({field: [_("Enter an amount.")]}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed({field: [_("Enter an amount between 0 and 999,999,999,999.99.")]})
    return amount.quantize(Decimal("0.01"))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role may not change this."))


@transaction.atomic
def source_cost_save(
    *, actor: User, source: Source, month: date, amount: Any, note: str = ""
) -> SourceCost:
    """Create or replace the cost of a source in a month (month: any day of it)."""
    _require(can_edit_source_costs(actor))
    month = month.replace(day=1)
    value = _amount(amount)
    cost, created = SourceCost.objects.get_or_create(
        source=source,
        month=month,
        defaults={"amount": value, "note": note[:200], "updated_by": actor},
    )
    before = None if created else str(cost.amount)
    if not created:
        cost.amount, cost.note, cost.updated_by = value, note[:200], actor
        cost.save(update_fields=["amount", "note", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.SOURCE_COST_SAVED,
        target=cost,
        changes={"source": source.name, "month": f"{month:%Y-%m}", "amount": [before, str(value)]},
    )
    return cost


@transaction.atomic
def source_cost_update(
    *, actor: User, cost: SourceCost, amount: Any, note: str | None
) -> SourceCost:
    _require(can_edit_source_costs(actor))
    before = str(cost.amount)
    cost.amount = _amount(amount)
    if note is not None:
        cost.note = note[:200]
    cost.updated_by = actor
    cost.save(update_fields=["amount", "note", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.SOURCE_COST_SAVED,
        target=cost,
        changes={"amount": [before, str(cost.amount)]},
    )
    return cost


@transaction.atomic
def source_cost_delete(*, actor: User, cost: SourceCost) -> None:
    _require(can_edit_source_costs(actor))
    audit_record(
        actor=actor,
        action=AuditAction.SOURCE_COST_DELETED,
        target=cost,
        changes={"month": f"{cost.month:%Y-%m}", "amount": [str(cost.amount), None]},
    )
    cost.delete()


def may_set_target_for(actor: User, *, user: User | None, team: Team | None) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role != Role.MANAGER or not actor.team_id:
        return False
    if team is not None:
        return team.pk == actor.team_id
    return user is not None and user.team_id == actor.team_id


@transaction.atomic
def target_create(
    *,
    actor: User,
    user: User | None,
    team: Team | None,
    period: str,
    period_start: date,
    metric: str,
    amount: Any,
) -> Target:
    if (user is None) == (team is None):
        raise ValidationFailed({"user": [_("Give either a sales rep or a team.")]})
    if period not in Target.Period.values:
        raise ValidationFailed({"period": [_("Choose month or quarter.")]})
    if metric not in Target.Metric.values:
        raise ValidationFailed({"metric": [_("Choose revenue, won_deals or new_customers.")]})
    _require(may_set_target_for(actor, user=user, team=team))
    start = period_start.replace(day=1)
    if period == "quarter":
        start = start.replace(month=3 * ((start.month - 1) // 3) + 1)
    scope = Target.ScopeKind.USER if user is not None else Target.ScopeKind.TEAM
    key = f"user:{user.pk}" if user is not None else f"team:{team.pk if team else ''}"
    try:
        with transaction.atomic():
            target = Target.objects.create(
                scope=scope,
                user=user,
                team=team,
                period=period,
                period_start=start,
                metric=metric,
                amount=_amount(amount),
                key=key,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("A target for this holder, period and metric exists already.")) from None
    audit_record(
        actor=actor,
        action=AuditAction.TARGET_SAVED,
        target=target,
        changes={
            "key": key,
            "period": period,
            "start": start.isoformat(),
            "metric": metric,
            "amount": [None, str(target.amount)],
        },
    )
    return target


@transaction.atomic
def target_update(*, actor: User, target: Target, amount: Any) -> Target:
    _require(may_set_target_for(actor, user=target.user, team=target.team))
    before = str(target.amount)
    target.amount = _amount(amount)
    target.save(update_fields=["amount", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TARGET_SAVED,
        target=target,
        changes={"amount": [before, str(target.amount)]},
    )
    return target


@transaction.atomic
def target_delete(*, actor: User, target: Target) -> None:
    _require(may_set_target_for(actor, user=target.user, team=target.team))
    audit_record(
        actor=actor,
        action=AuditAction.TARGET_DELETED,
        target=target,
        changes={"key": target.key, "metric": target.metric, "amount": [str(target.amount), None]},
    )
    target.delete()


# --- The daily facts the analyses read (facts.py): refreshed set-based on the worker.


def _grouped(interactions: Any) -> Iterable[dict[str, Any]]:
    """The fact rows of these interactions, grouped in SQL."""
    from .activity import _counts
    from .sql import HoursBetween, LocalDate

    grouped: Iterable[dict[str, Any]] = (
        interactions.order_by()
        .annotate(
            day=LocalDate("occurred_at"), entry_hours=HoursBetween("created_at", "occurred_at")
        )
        .values("day", "method", "performed_by_id", "customer__owner_id", "customer__team_id")
        .annotate(**_counts())
        .iterator(chunk_size=BATCH)
    )
    return grouped


def _store(rows: Iterable[dict[str, Any]]) -> int:
    batch: list[InteractionDayFact] = []
    stored = 0
    for row in rows:
        batch.append(
            InteractionDayFact(
                day=row["day"],
                method=row["method"],
                performed_by_id=row["performed_by_id"],
                owner_id=row["customer__owner_id"],
                team_id=row["customer__team_id"],
                n=row["n"],
                answered=row["answered"],
                timely=row["timely"],
                late=row["late"],
                delay=float(row["delay"] or 0),
            )
        )
        if len(batch) >= BATCH:
            InteractionDayFact.objects.bulk_create(batch)
            stored += len(batch)
            batch = []
    InteractionDayFact.objects.bulk_create(batch)
    return stored + len(batch)


def _day_range(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def _customers_store() -> int:
    """Rebuild the customer facts in full: one grouped pass over the customers."""
    from kehu.customers.models import Customer

    CustomerDimFact.objects.all().delete()
    rows = (
        Customer.objects.order_by()
        .values("owner_id", "team_id", "province", "industry_id", "sub_industry_id")
        .annotate(n=Count("id"))
        .iterator(chunk_size=BATCH)
    )
    batch: list[CustomerDimFact] = []
    stored = 0
    for row in rows:
        batch.append(CustomerDimFact(**row))
        if len(batch) >= BATCH:
            CustomerDimFact.objects.bulk_create(batch)
            stored += len(batch)
            batch = []
    CustomerDimFact.objects.bulk_create(batch)
    return stored + len(batch)


def _quarters(now: datetime) -> list[tuple[date, date]]:
    from .filters import quarter_end, quarter_start

    this = quarter_start(timezone.localdate(now))
    last = quarter_start(this - timedelta(days=1))
    return [(this, quarter_end(this)), (last, quarter_end(last))]


def _activity_customers_store(now: datetime, quarters: list[tuple[date, date]]) -> int:
    """Store the per-customer activity figures of each scope part (facts.py) for these
    quarters: one grouped pass over each quarter's interactions."""
    from collections import defaultdict

    from django.db.models import Max

    from kehu.interactions.models import Interaction

    from .facts import CUSTOMERS_KIND, period_suffix

    stored = 0
    for start, end in quarters:
        since = timezone.make_aware(datetime.combine(start, datetime.min.time()))
        until = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        rows = (
            Interaction.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
            .order_by()
            .values("customer_id", "performed_by_id", "customer__owner_id", "customer__team_id")
            .annotate(n=Count("id"), last=Max("occurred_at"))
            .iterator(chunk_size=BATCH)
        )
        reps: dict[str, dict[Any, set[int]]] = defaultdict(lambda: defaultdict(set))
        counts: dict[str, dict[int, list[Any]]] = defaultdict(dict)
        for row in rows:
            owner, team = row["customer__owner_id"], row["customer__team_id"]
            parts = ["all", f"owner:{owner}" if owner else f"pool:{team}"]
            if team:
                parts.append(f"team:{team}")
            for part in parts:
                reps[part][row["performed_by_id"]].add(row["customer_id"])
                entry = counts[part].setdefault(row["customer_id"], [row["customer_id"], 0, None])
                entry[1] += row["n"]
                if entry[2] is None or row["last"] > entry[2]:
                    entry[2] = row["last"]
        suffix = period_suffix(start, end)
        report_snapshots_delete(kind=CUSTOMERS_KIND, key_suffix=suffix)
        for part in {"all", *counts}:
            top = sorted(counts[part].values(), key=lambda r: (-r[1], r[0]))[:20]
            report_snapshot_store(
                kind=CUSTOMERS_KIND,
                key=part + suffix,
                now=now,
                data={
                    "per_rep": [[rep, len(ids)] for rep, ids in reps[part].items()],
                    "customers": len(counts[part]),
                    "top": [[c, n, last.isoformat() if last else None] for c, n, last in top],
                },
            )
            stored += 1
    return stored


def facts_refresh(*, full: bool = False, now: datetime | None = None) -> dict[str, int]:
    """Rebuild the facts: every day (full, or when never built), else the days of interactions
    recorded since the last refresh plus today and yesterday. Set-based, in one transaction."""
    from kehu.interactions.models import Interaction

    now = now or timezone.now()
    state = facts_state()
    full = full or state is None
    with transaction.atomic():
        # Interactions are read from after the last one the previous refresh saw (a walk of the
        # primary key, never a scan of the table); an edit of an older one waits for the daily
        # full rebuild.
        newest = Interaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if full:
            InteractionDayFact.objects.all().delete()
            stored = _store(_grouped(Interaction.objects.all()))
            days = -1
            full_at = now.isoformat()
            quarters = _quarters(now)
        else:
            since = state.generated_at
            today = timezone.localdate(now)
            touched = {today, today - timedelta(days=1)}
            seen = state.data.get("last_id")
            recorded = (
                Interaction.objects.filter(pk__gt=seen)
                if seen is not None
                else Interaction.objects.filter(created_at__gte=since)  # before the cursor existed
            ).values_list("occurred_at", flat=True)
            touched |= {timezone.localdate(at) for at in recorded.iterator(chunk_size=BATCH)}
            stored = 0
            for day in sorted(touched):
                start, end = _day_range(day)
                InteractionDayFact.objects.filter(day=day).delete()
                stored += _store(
                    _grouped(
                        Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
                    )
                )
            days = len(touched)
            full_at = state.data.get("full_at", "")
            # The previous quarter's per-customer figures (a pass over a quarter's ~900,000
            # interactions at full size, most of the run) only when a touched day is in it;
            # else at the daily full rebuild, like the day facts.
            this, last = _quarters(now)
            quarters = [this, last] if any(last[0] <= d <= last[1] for d in touched) else [this]
        customers_stored = _customers_store()
        _activity_customers_store(now, quarters)
        value_customers_store(now)
        value_daily_store(now)
        analyses_store(_quarters(now), now=now)  # the funnel and team counts per scope
        report_snapshot_store(
            kind=FACTS_KIND,
            key=FACTS_KEY,
            now=now,
            data={
                "full_at": full_at,
                "rows": stored,
                "customers": customers_stored,
                "last_id": newest,
            },
        )
    return {"rows": stored, "days": days}
