"""The nightly data-quality work: store today's snapshot, raise alerts against the baseline."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_record
from kehu.customers.models import Customer
from kehu.interactions.models import Interaction

from .metrics import Figures, quality_figures
from .models import METRICS, QualityAlert, QualitySnapshot, ReportSetting, ReportSnapshot, Scope

COUNT_FIELDS = ("customers", "complete", "duplicates", "stale", "interactions", "timely")


@transaction.atomic
def quality_snapshot_take(*, now: datetime | None = None) -> list[QualitySnapshot]:
    """Today's figures for everyone, each team and each rep; a re-run replaces the day's rows."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    customers, interactions = Customer.objects.all(), Interaction.objects.all()
    rows: list[tuple[str, Figures]] = [
        (Scope.ALL, quality_figures(customers, interactions, now=now)[0])
    ]
    for group_by, scope in (("team", Scope.TEAM), ("owner", Scope.OWNER)):
        for figures in quality_figures(customers, interactions, now=now, group_by=group_by):
            if figures.team_id is None and figures.owner_id is None:
                continue  # unassigned customers are in the 'all' row
            rows.append((scope, figures))
    QualitySnapshot.objects.filter(day=day).delete()
    return QualitySnapshot.objects.bulk_create(
        QualitySnapshot(
            day=day,
            key=figures.key,
            scope=scope,
            team_id=figures.team_id,
            owner_id=figures.owner_id,
            **{name: getattr(figures, name) for name in COUNT_FIELDS},
        )
        for scope, figures in rows
    )


def _team_manager(team_id: int | None) -> User | None:
    if team_id is None:
        return None
    return (
        User.objects.filter(team_id=team_id, role=Role.MANAGER, is_active=True)
        .order_by("id")
        .first()
    )


def baseline_of(key: str, metric: str, *, day: date) -> float | None:
    """Mean of the metric over the KEHU_QUALITY_BASELINE_DAYS before `day` (None if fewer than
    KEHU_QUALITY_BASELINE_MIN_DAYS snapshots have a value)."""
    since = day - timedelta(days=settings.KEHU_QUALITY_BASELINE_DAYS)
    history = QualitySnapshot.objects.filter(key=key, day__gte=since, day__lt=day)
    values = [v for v in (s.rate(metric) for s in history) if v is not None]
    if len(values) < settings.KEHU_QUALITY_BASELINE_MIN_DAYS:
        return None
    return sum(values) / len(values)


def is_alarming(value: float, baseline: float) -> tuple[bool, float | None]:
    """(alert?, relative change). Against a zero baseline the rate itself must reach the
    threshold (15 percentage points by default), since any change from 0 is infinite."""
    threshold = settings.KEHU_QUALITY_ALERT_PERCENT / 100
    if baseline == 0:
        return value >= threshold, None
    change = (value - baseline) / baseline
    return abs(change) >= threshold - 1e-9, round(change, 4)


@transaction.atomic
def quality_alerts_check(
    snapshots: list[QualitySnapshot], *, actor: User | None = None
) -> list[QualityAlert]:
    """Compare each team's (and the whole company's) rates with their baseline; record an alert
    for the team's manager when one moved by KEHU_QUALITY_ALERT_PERCENT or more."""
    alerts: list[QualityAlert] = []
    for snapshot in snapshots:
        if snapshot.scope not in (Scope.ALL, Scope.TEAM):
            continue
        for metric in METRICS:
            value = snapshot.rate(metric)
            baseline = baseline_of(snapshot.key, metric, day=snapshot.day)
            if value is None or baseline is None:
                continue
            alarming, change = is_alarming(value, baseline)
            if not alarming:
                continue
            alert, created = QualityAlert.objects.update_or_create(
                day=snapshot.day,
                metric=metric,
                key=snapshot.key,
                defaults={
                    "scope": snapshot.scope,
                    "team_id": snapshot.team_id,
                    "value": value,
                    "baseline": round(baseline, 4),
                    "change": change,
                    "recipient": _team_manager(snapshot.team_id),
                },
            )
            if created:
                audit_record(
                    actor=actor,
                    action=AuditAction.QUALITY_ALERT,
                    target=alert,
                    changes={"metric": metric, "value": value, "baseline": alert.baseline},
                    note=f"{snapshot.key} {metric} {value:.1%} vs baseline {baseline:.1%}",
                    source=AuditEntry.Source.RULE,
                )
            alerts.append(alert)
    return alerts


def quality_nightly(*, now: datetime | None = None) -> dict[str, int]:
    snapshots = quality_snapshot_take(now=now)
    alerts = quality_alerts_check(snapshots)
    return {"snapshots": len(snapshots), "alerts": len(alerts)}


# --- Dashboards and named reports (issue 18): the one write path of their stored rows.


def report_snapshot_store(
    *, kind: str, data: dict[str, Any], now: datetime, key: str = "all"
) -> ReportSnapshot:
    """Store (replace) the figures of report `kind` for scope `key`, computed at `now`."""
    with transaction.atomic():
        snapshot, _created = ReportSnapshot.objects.update_or_create(
            kind=kind, key=key, defaults={"data": data, "generated_at": now}
        )
    return snapshot


def report_snapshots_delete(*, kind: str, key_suffix: str) -> int:
    """Remove the stored figures of report `kind` whose key ends with `key_suffix`."""
    deleted, _by_model = ReportSnapshot.objects.filter(kind=kind, key__endswith=key_suffix).delete()
    return deleted


def report_snapshots_delete_people(*, kinds: tuple[str, ...]) -> int:
    """Remove the stored per-person rows (keys 'rep:…', 'manager:…') of these report kinds."""
    rows = ReportSnapshot.objects.filter(kind__in=kinds).filter(
        Q(key__startswith="rep:") | Q(key__startswith="manager:")
    )
    deleted, _by_model = rows.delete()
    return deleted


# The stored reports that list customers by name, with their last interactions.
LISTING_KINDS = ("health", "churn", "dormancy")


def _scrub(value: Any, customers: dict[str, str | None]) -> bool:
    changed = False
    if isinstance(value, dict):
        number = value.get("customer_no")
        if isinstance(number, str) and number in customers:
            name = customers[number]
            if name is not None and value.get("name") not in (None, name):
                value["name"], changed = name, True
            if value.get("last_interactions"):
                value["last_interactions"], changed = [], True
        for item in value.values():
            changed = _scrub(item, customers) or changed
    elif isinstance(value, list):
        for item in value:
            changed = _scrub(item, customers) or changed
    return changed


def report_rows_scrub(*, customers: dict[str, str | None]) -> int:
    """Erasure: the stored reports' rows about these customers (customer number → the name to
    show now, or None to keep it) lose the erased name and their last interactions' texts, in
    every scope; the next run lists them afresh. Returns the stored reports rewritten."""
    if not customers:
        return 0
    rewritten = 0
    with transaction.atomic():
        for snapshot in ReportSnapshot.objects.select_for_update().filter(kind__in=LISTING_KINDS):
            if _scrub(snapshot.data, customers):
                snapshot.save(update_fields=["data"])
                rewritten += 1
    return rewritten


def report_setting_save(*, actor: User | None, key: str, value: float) -> ReportSetting:
    """One setting's row (the caller checks the value and audits the change)."""
    setting, _created = ReportSetting.objects.update_or_create(
        key=key, defaults={"value": value, "updated_by": actor}
    )
    return setting
