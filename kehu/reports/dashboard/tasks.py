"""Periodic work of the dashboards and named reports, on the task worker (kehu.core.periodic).

- dashboard_refresh: the company-wide dashboard figures and this and last month's KPI sheets,
  every KEHU_DASHBOARD_REFRESH_SECONDS;
- reports_weekly: the health and churn reports and the dormancy report with its notifications,
  every KEHU_WEEKLY_REPORT_SECONDS; the first run after the company's first finished import
  comes at the next refresh (reports_due). It also stores the four named reports over each
  active rep's book and manager's team (people_reports_store), which the dashboard refresh
  stores again once they are older than KEHU_PEOPLE_REPORT_SECONDS (a day).
`kehu db_worker` queues both when it starts (reports_schedule).
"""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kehu.core.periodic import periodic_ensure

from ..health.services import (
    dormancy_notify,
    kpi_store,
    people_reports_due,
    people_reports_store,
    report_store,
)
from ..models import ReportSnapshot
from .selectors import snapshot_refresh


def reports_due() -> bool:
    """Whether the weekly reports are due: none stored yet while customers exist (a company's
    first import), or the last run is older than KEHU_WEEKLY_REPORT_SECONDS."""
    last = ReportSnapshot.objects.filter(kind="health", key="all").first()
    if last is None:
        try:
            runs = apps.get_model("intake", "ImportRun")
        except LookupError:
            return False
        return bool(runs.objects.filter(finished_at__isnull=False).exists())
    age = timezone.now() - last.generated_at
    return age >= timedelta(seconds=settings.KEHU_WEEKLY_REPORT_SECONDS)


def reports_weekly_run() -> dict[str, int]:
    report_store("health")
    report_store("churn")
    people = people_reports_store()  # before the notices: a manager's is read from it
    return {"notified": dormancy_notify(), "people_reports": people}


@task()
def dashboard_refresh() -> dict[str, int]:
    """Refresh the company-wide figures; run the weekly reports when due; queue the next run."""
    snapshot_refresh()
    this_month = timezone.localdate().replace(day=1)
    for month in (this_month, (this_month - timedelta(days=1)).replace(day=1)):
        kpi_store(month)  # the company's KPI sheets read-all roles open (kpi_for)
    result = reports_weekly_run() if reports_due() else {}
    if not result and people_reports_due():
        result = {"people_reports": people_reports_store()}
    reports_schedule()
    return {"refreshed": 1, **result}


def reports_schedule() -> bool:
    """Queue the next refresh unless one waits (the worker calls this when it starts)."""
    return periodic_ensure(dashboard_refresh, every_seconds=settings.KEHU_DASHBOARD_REFRESH_SECONDS)
