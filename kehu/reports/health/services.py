"""The named reports' writes: stored runs (ReportSnapshot), the weekly dormancy notice, settings.

For the roles that read every customer a report over the whole company is read from its stored
run (computed weekly on the worker, and after the company's first import). For each active rep
and manager the worker stores the same reports over their book or team (kehu.reports.people:
at the weekly run, and daily by the dashboard refresh), read while fresh and while their scope
is unchanged; anyone else, or a rep whose row is missing or old, gets them computed live. A
report's page shows when its figures were computed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import reads_all
from kehu.accounts.services import notification_send
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import PermissionDenied, ValidationFailed
from kehu.customers.models import Customer

from ..models import ReportSnapshot
from ..people import people, scope_key, scope_mark, visible_rows
from ..services import (
    report_setting_save,
    report_snapshot_store,
    report_snapshots_delete,
    report_snapshots_delete_people,
)
from . import figures

PEOPLE_KIND = "people_reports"  # the marker of the last per-person run (key 'all')

STORED: dict[str, Callable[..., dict[str, Any]]] = {
    "health": figures.health_report,
    "churn": figures.churn_report,
    "dormancy": figures.dormancy_report,
}


def report_store(kind: str, *, now: datetime | None = None) -> ReportSnapshot:
    """Compute report `kind` over every customer and store it (key 'all')."""
    now = now or timezone.now()
    data = STORED[kind](Customer.objects.all(), now)
    return report_snapshot_store(kind=kind, data=data, now=now)


def report_for(user: User, kind: str, *, now: datetime | None = None) -> dict[str, Any]:
    """{generated_at, data} of report `kind` for this viewer (stored for read-all roles)."""
    now = now or timezone.now()
    if reads_all(user):
        snapshot = ReportSnapshot.objects.filter(kind=kind, key="all").first()
        if snapshot is None:
            snapshot = report_store(kind, now=now)
        data = figures.labelled(snapshot.data)
        return {"generated_at": snapshot.generated_at, "stored": True, "data": data}
    stored = person_stored(user, kind, "", now)
    if stored is not None:
        stored["data"] = figures.labelled(stored["data"])
        return stored
    data = STORED[kind](
        figures.customers_for(user), now, interactions=figures.interactions_for(user)
    )
    return {"generated_at": now, "stored": False, "data": data}


# --- Per person: each active rep's book and manager's team (kehu.reports.people).


def people_months(now: datetime) -> list[date]:
    """The KPI sheets stored per person: this month's and last month's."""
    this = timezone.localdate(now).replace(day=1)
    return [this, (this - timedelta(days=1)).replace(day=1)]


def person_reports_store(person: User, *, now: datetime) -> int:
    """Store health, churn, dormancy and this and last month's KPI sheets over the person's
    scope, computed by the functions the pages call (so stored equals live at `now`)."""
    key, mark = scope_key(person), scope_mark(person)
    if key is None or key == "all":
        return 0
    customers, interactions = figures.customers_for(person), figures.interactions_for(person)
    stored = 0
    for kind, compute in STORED.items():
        data = {"scope": mark, "report": compute(customers, now, interactions=interactions)}
        report_snapshot_store(kind=kind, key=key, data=data, now=now)
        stored += 1
    for month in people_months(now):
        data = {
            "scope": mark,
            "report": figures.kpi_sheet(customers, month, now, interactions=interactions),
        }
        report_snapshot_store(kind="kpi", key=f"{key}|{month:%Y-%m}", data=data, now=now)
        stored += 1
    return stored


def people_reports_store(*, now: datetime | None = None) -> int:
    """The named reports of every active rep and manager (the worker); returns rows stored."""
    now = now or timezone.now()
    if settings.KEHU_PEOPLE_REPORT_SECONDS <= 0:
        return 0
    stored = sum(person_reports_store(person, now=now) for person in people())
    report_snapshot_store(kind=PEOPLE_KIND, data={"rows": stored}, now=now)
    return stored


def people_reports_due(now: datetime | None = None) -> bool:
    """Whether the dashboard refresh should store the per-person reports again: they were
    stored once (by the weekly run) and are older than KEHU_PEOPLE_REPORT_SECONDS."""
    every = settings.KEHU_PEOPLE_REPORT_SECONDS
    last = ReportSnapshot.objects.filter(kind=PEOPLE_KIND, key="all").first()
    if every <= 0 or last is None:
        return False
    return (now or timezone.now()) - last.generated_at >= timedelta(seconds=every)


def person_stored(user: User, kind: str, suffix: str, now: datetime) -> dict[str, Any] | None:
    """The viewer's stored report `kind` (key + suffix) when younger than twice
    KEHU_PEOPLE_REPORT_SECONDS and computed over the scope the viewer has now; else None."""
    key, every = scope_key(user), settings.KEHU_PEOPLE_REPORT_SECONDS
    if key is None or key == "all" or every <= 0:
        return None
    row = ReportSnapshot.objects.filter(
        kind=kind, key=key + suffix, generated_at__gte=now - timedelta(seconds=2 * every)
    ).first()
    if row is None or row.data.get("scope") != scope_mark(user):
        return None
    data = row.data["report"]
    if kind in ("health", "churn"):
        data["customers"] = visible_rows(user, data["customers"])
    return {"generated_at": row.generated_at, "stored": True, "people": True, "data": data}


def kpi_store(month: date, *, now: datetime | None = None) -> ReportSnapshot:
    """Compute the company's KPI sheet of `month` and store it (key 'all|YYYY-MM')."""
    now = now or timezone.now()
    data = figures.kpi_sheet(Customer.objects.all(), month, now)
    return report_snapshot_store(kind="kpi", key=f"all|{month:%Y-%m}", data=data, now=now)


def kpi_for(user: User, month: date, *, now: datetime | None = None) -> dict[str, Any]:
    """The KPI sheet of `month` for this viewer. Read-all roles get the company's sheet as the
    worker stored it (this month's and last month's at each dashboard refresh), or as the first
    reader of another month stored it, while younger than two refresh intervals: over a million
    customers the live sheet takes seconds."""
    now = now or timezone.now()
    if reads_all(user):
        fresh_since = now - timedelta(seconds=2 * settings.KEHU_DASHBOARD_REFRESH_SECONDS)
        snapshot = ReportSnapshot.objects.filter(
            kind="kpi", key=f"all|{month:%Y-%m}", generated_at__gte=fresh_since
        ).first()
        if snapshot is None:
            snapshot = kpi_store(month, now=now)
        return {
            "generated_at": snapshot.generated_at,
            "stored": True,
            "often": True,
            "data": snapshot.data,
        }
    stored = person_stored(user, "kpi", f"|{month:%Y-%m}", now)
    if stored is not None:
        return stored
    customers, interactions = figures.customers_for(user), figures.interactions_for(user)
    data = figures.kpi_sheet(customers, month, now, interactions=interactions)
    return {"generated_at": now, "stored": False, "data": data}


def report_settings_update(*, actor: User, values: dict[str, Any]) -> dict[str, float]:
    """Change the KPI targets / the dormancy window (administrators and executives); audited."""
    if actor.role not in (Role.ADMIN, Role.EXECUTIVE):
        raise PermissionDenied(_("Only administrators and executives change report settings."))
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, float] = {}
    for key, raw in values.items():
        if key not in figures.DEFAULTS:
            errors[key] = [_("Unknown setting.")]
            continue
        try:
            value = float(str(raw).strip().rstrip("%"))
        except ValueError:
            errors[key] = [_("Enter a number.")]
            continue
        if key == "dormancy_days":
            if not (1 <= value <= 3650) or value != int(value):
                errors[key] = [_("Enter a whole number of days from 1 to 3650.")]
                continue
        else:
            # Always percent (the page's box and the API alike): 1 is 1%, never 100%.
            if not 0 <= value <= 100:
                errors[key] = [_("Enter a percentage from 0 to 100.")]
                continue
            value = value / 100  # stored as a fraction, as before
        cleaned[key] = value
    if errors:
        raise ValidationFailed(errors)
    before = figures.settings_all()
    with transaction.atomic():
        for key, value in cleaned.items():
            report_setting_save(actor=actor, key=key, value=value)
        changes = {k: [before[k], v] for k, v in cleaned.items() if before[k] != v}
        report_snapshots_delete(kind="kpi", key_suffix="")  # stored sheets carry the targets
        if "dormancy_days" in changes:  # a rep's or manager's stored rows counted the old window
            report_snapshots_delete_people(kinds=("churn", "dormancy"))
        if changes:
            audit_record(actor=actor, action=AuditAction.REPORT_SETTINGS_UPDATED, changes=changes)
    return figures.settings_all()


def dormancy_notify(*, now: datetime | None = None) -> int:
    """The weekly dormancy report: each manager gets their team's rate, executives and admins
    the company's, as a notification (and an e-mail when KEHU_SMTP_HOST is set)."""
    now = now or timezone.now()
    snapshot = report_store("dormancy", now=now)
    sent = 0
    link = reverse("report-dormancy")
    people = User.objects.filter(
        is_active=True, role__in=(Role.MANAGER, Role.EXECUTIVE, Role.ADMIN)
    ).order_by("id")
    for person in people:
        # a manager's team: as stored for them by the weekly run just before (report_for)
        data = (
            snapshot.data
            if person.role != Role.MANAGER
            else report_for(person, "dormancy", now=now)["data"]
        )
        rate = data["rate"]
        message = _(
            "Dormancy report: %(dormant)s of %(total)s customers (%(rate)s) had no interaction "
            "for %(days)s days."
        ) % {
            "dormant": data["dormant"],
            "total": data["total"],
            "rate": "—" if rate is None else f"{rate * 100:.1f}%",
            "days": data["window_days"],
        }
        sent += notification_send(users=[person], message=message, link=link)
        if settings.KEHU_SMTP_HOST and person.email:
            send_mail(
                _("Weekly dormancy report"), message, None, [person.email], fail_silently=True
            )
    return sent
