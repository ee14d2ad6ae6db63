"""Data-quality pages: the dashboard and the quarterly audit (with its CSV / XLSX export)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from kehu.accounts.requests import AuthedRequest
from kehu.core.errors import ValidationFailed

from .api import DUPLICATE_MEASURES
from .audit_report import Quarter, audit_header, audit_report_summary, audit_report_table
from .exports import download
from .metrics import (
    alert_queryset_for,
    duplicate_measure,
    quality_figures_for,
    rank,
    trend_for,
)
from .models import METRIC_LABELS, METRICS, QualitySnapshot


@login_required
def quality_dashboard(request: AuthedRequest) -> HttpResponse:
    sort = request.GET.get("sort", "completeness_rate")
    if sort not in METRICS:
        sort = "completeness_rate"
    figures = quality_figures_for(request.user)
    trend = trend_for(request.user)
    context = {
        "overall": figures["overall"],
        "teams": figures["teams"],
        "reps": rank(figures["reps"], sort),
        "sort": sort,
        "metrics": [(m, METRIC_LABELS[m]) for m in METRICS],
        "trend": trend,
        "sparklines": sparklines(trend),
        "alerts": list(alert_queryset_for(request.user)[:20]),
        "duplicate_measure": DUPLICATE_MEASURES[duplicate_measure()],
    }
    return render(request, "reports/quality_dashboard.html", context)


def sparklines(trend: list[QualitySnapshot]) -> list[dict[str, object]]:
    """An SVG polyline per metric over the trend (x: day, y: rate 0-100 %, top is 100 %)."""
    lines: list[dict[str, object]] = []
    step = 300 / max(len(trend) - 1, 1)
    for metric in METRICS:
        points = [
            f"{i * step:.1f},{100 - value * 100:.1f}"
            for i, snapshot in enumerate(trend)
            if (value := snapshot.rate(metric)) is not None
        ]
        last = trend[-1].rate(metric) if trend else None
        lines.append(
            {
                "metric": metric,
                "label": METRIC_LABELS[metric],
                "points": " ".join(points),
                "last": last,
            }
        )
    return lines


def _quarter(request: AuthedRequest) -> tuple[Quarter, str]:
    try:
        return Quarter.parse(request.GET.get("quarter")), ""
    except ValidationFailed as exc:
        return Quarter.parse(None), "; ".join(exc.errors["quarter"])


@login_required
def quality_audit(request: AuthedRequest) -> HttpResponse:
    quarter, error = _quarter(request)
    context = {"report": audit_report_summary(request.user, quarter), "error": error}
    return render(request, "reports/quality_audit.html", context, status=422 if error else 200)


@login_required
def quality_audit_export(request: AuthedRequest, file_format: str) -> HttpResponse:
    quarter, _error = _quarter(request)
    return download(
        audit_header(),
        audit_report_table(request.user, quarter),
        filename=f"kehu-quality-audit-{quarter.label}",
        file_format=file_format,
    )
