"""The named reports' pages: /reports/health/, /churn/, /dormancy/, /kpi/ (with its settings)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import Role
from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import PermissionDenied, ValidationFailed

from . import figures
from .api import parse_month
from .services import kpi_for, report_for, report_settings_update

KPI_LABELS = {
    "timeliness": _("Entered within 24 h"),
    "completeness": _("Complete customers"),
    "update_rate": _("Update rate"),
}


def _page(request: AuthedRequest, kind: str) -> HttpResponse:
    report = report_for(request.user, kind)
    context = {"report": report, "data": report["data"], "kind": kind}
    return render(request, f"reports/health/{kind}.html", context)


def _chart(rows: list[tuple[object, object, str]]) -> list[dict[str, object]]:
    return [{"label": str(label), "value": value, "link": link} for label, value, link in rows]


@login_required
def report_health(request: AuthedRequest) -> HttpResponse:
    report = report_for(request.user, "health")
    rollup = report["data"]["rollup"]
    chart = _chart([(figures.BANDS[band], rollup[band], "") for band in figures.BANDS])
    context = {"report": report, "data": report["data"], "chart": chart}
    return render(request, "reports/health/health.html", context)


@login_required
def report_churn(request: AuthedRequest) -> HttpResponse:
    return _page(request, "churn")


@login_required
def report_dormancy(request: AuthedRequest) -> HttpResponse:
    report = report_for(request.user, "dormancy")
    chart = _chart(
        [(r["owner"], round((r["rate"] or 0) * 100, 1), "") for r in report["data"]["reps"][:30]]
    )
    context = {"report": report, "data": report["data"], "chart": chart}
    return render(request, "reports/health/dormancy.html", context)


@login_required
def report_kpi(request: AuthedRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST[k] for k in figures.DEFAULTS if request.POST.get(k, "").strip()}
        try:
            report_settings_update(actor=request.user, values=values)
        except PermissionDenied as exc:
            return render(request, "403.html", {"message": str(exc)}, status=403)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            return redirect("report-kpi")
    try:
        month = parse_month(request.GET.get("month"))
    except ValidationFailed as exc:
        errors, status = {**errors, **exc.errors}, 422
        month = parse_month(None)
    report = kpi_for(request.user, month)
    labels = {k: str(v) for k, v in KPI_LABELS.items()}
    context = {
        "report": report,
        "data": report["data"],
        "labels": labels,
        "errors": errors,
        "can_edit": request.user.role in (Role.ADMIN, Role.EXECUTIVE),
        "settings_rows": [
            (key, figures.SETTING_LABELS[key], value)
            for key, value in figures.settings_all().items()
        ],
    }
    return render(request, "reports/health/kpi.html", context, status=status)
