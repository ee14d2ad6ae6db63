"""Data-quality figures under /api/v1/reports/quality: live, trend, alerts, quarterly audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import ValidationFailed

from .audit_report import Quarter, audit_header, audit_report_summary, audit_report_table
from .exports import download
from .metrics import (
    alert_queryset_for,
    duplicate_measure,
    quality_figures_for,
    rank,
    trend_for,
)
from .models import METRICS, QualityAlert, QualitySnapshot

router = Router(tags=["reports"])


class FiguresOut(Schema):
    key: str
    label: str
    team_id: int | None
    owner_id: int | None
    customers: int
    complete: int
    duplicates: int
    stale: int
    interactions: int
    timely: int
    completeness_rate: float | None
    duplicate_rate: float | None
    stale_rate: float | None
    timely_rate: float | None


class AlertOut(Schema):
    id: int
    day: date
    metric: str
    metric_label: str
    key: str
    scope: str
    team: str | None
    value: float
    baseline: float
    change: float | None
    is_worse: bool
    recipient: str | None
    created_at: datetime

    @staticmethod
    def resolve_team(obj: QualityAlert) -> str | None:
        return obj.team.name if obj.team_id and obj.team else None

    @staticmethod
    def resolve_recipient(obj: QualityAlert) -> str | None:
        return obj.recipient.username if obj.recipient_id and obj.recipient else None


class DashboardOut(Schema):
    duplicate_measure: str
    overall: FiguresOut
    teams: list[FiguresOut]
    reps: list[FiguresOut]
    alerts: list[AlertOut]


class TrendPointOut(Schema):
    day: date
    key: str
    customers: int
    completeness_rate: float | None
    duplicate_rate: float | None
    stale_rate: float | None
    timely_rate: float | None


class AuditRowOut(Schema):
    section: str
    customer_no: str
    name: str
    owner: str
    team: str
    field: str
    detail: str


class AuditSectionOut(Schema):
    section: str
    label: str
    issues: int
    customers: int
    rows: list[AuditRowOut]


class AuditReportOut(Schema):
    quarter: str
    start: date
    end: date
    customers: int
    sections: list[AuditSectionOut]


DUPLICATE_MEASURES = {
    "pairs": gettext_lazy("customers in an open candidate pair of the duplicate scan"),
    "interim": gettext_lazy(
        "interim, no duplicate scan stored yet: customers sharing a normalised name, credit "
        "code or phone with another customer"
    ),
}
Metric = Literal["completeness_rate", "duplicate_rate", "stale_rate", "timely_rate"]


@router.get("/quality", response={200: DashboardOut, **errors(422)})
def quality_dashboard(request: AuthedRequest, sort: Metric = "completeness_rate") -> dict[str, Any]:
    """Live figures in the caller's scope; reps ranked by `sort` (best first)."""
    figures = quality_figures_for(request.user)
    return {
        "duplicate_measure": str(DUPLICATE_MEASURES[duplicate_measure()]),
        "overall": figures["overall"].as_dict(),
        "teams": [f.as_dict() for f in figures["teams"]],
        "reps": [f.as_dict() for f in rank(figures["reps"], sort)],
        "alerts": list(alert_queryset_for(request.user)[:50]),
    }


@router.get("/quality/trend", response={200: list[TrendPointOut], **errors(403, 422)})
def quality_trend(
    request: AuthedRequest, key: str | None = None, days: int = 90
) -> list[QualitySnapshot]:
    """Daily snapshots for a scope key ('all', 'team:<id>', 'owner:<id>'); default: the caller's."""
    if days < 1 or days > 3660:
        raise ValidationFailed(
            {"days": [_("Between %(low)s and %(high)s.") % {"low": 1, "high": 3660}]}
        )
    return trend_for(request.user, key=key, days=days)


@router.get("/quality/alerts", response={200: list[AlertOut], **errors(422)})
def quality_alerts(request: AuthedRequest, limit: int = 100) -> list[QualityAlert]:
    return list(alert_queryset_for(request.user)[: max(1, min(limit, 500))])


@router.get("/quality/audit", response={200: AuditReportOut, **errors(422)})
def quality_audit(request: AuthedRequest, quarter: str | None = None) -> dict[str, Any]:
    """The quarterly audit: counts per section and the first 100 rows of each."""
    return audit_report_summary(request.user, Quarter.parse(quarter))


@router.get("/quality/audit/export", response={200: None, **errors(422)})
def quality_audit_export(
    request: AuthedRequest, quarter: str | None = None, format: Literal["csv", "xlsx"] = "csv"
) -> HttpResponse:
    """Every row of the quarterly audit as CSV or XLSX (formula-like cells neutralised)."""
    parsed = Quarter.parse(quarter)
    return download(
        audit_header(),
        audit_report_table(request.user, parsed),
        filename=f"kehu-quality-audit-{parsed.label}",
        file_format=format,
    )


__all__ = ["METRICS", "router"]
