"""The named reports under /api/v1/reports: health, churn, dormancy, kpi (and its settings)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import ValidationFailed

from . import figures
from .services import kpi_for, report_for, report_settings_update

router = Router(tags=["reports"])


class NamedReportOut(Schema):
    kind: str
    generated_at: datetime
    stored: bool
    data: dict[str, Any]


def _out(kind: str, report: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, **report}


@router.get("/health", response=NamedReportOut, summary="Customer health report")
def health(request: AuthedRequest) -> dict[str, Any]:
    """Rolled up into bands, and the customers longest without contact with their figures."""
    return _out("health", report_for(request.user, "health"))


@router.get("/churn", response=NamedReportOut, summary="High-value churn analysis")
def churn(request: AuthedRequest) -> dict[str, Any]:
    return _out("churn", report_for(request.user, "churn"))


@router.get("/dormancy", response=NamedReportOut, summary="Dormancy rate")
def dormancy(request: AuthedRequest) -> dict[str, Any]:
    return _out("dormancy", report_for(request.user, "dormancy"))


def parse_month(raw: str | None) -> date:
    """'2026-11' -> date(2026, 11, 1); empty -> this month; else a ValidationFailed."""
    if not raw:
        return timezone.localdate().replace(day=1)
    text = raw.strip()
    try:
        year, month = text.split("-")
        if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()):
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed({"month": [_("Give a month as YYYY-MM.")]}) from None


@router.get("/kpi", response={200: NamedReportOut, **errors(422)}, summary="Monthly KPI sheet")
def kpi(request: AuthedRequest, month: str = "") -> Any:
    """Timeliness, completeness and update rate of `month` (YYYY-MM), against their targets."""
    return _out("kpi", kpi_for(request.user, parse_month(month)))


TARGET_OUT = "The target as a fraction from 0 to 1 (0.95 is 95%)."
TARGET_IN = "The target in percent, from 0 to 100 (95 is 95%, 1 is 1%)."
DAYS = "Days without an interaction before a customer is dormant, from 1 to 3650."


class ReportSettingsOut(Schema):
    dormancy_days: float = Field(description=DAYS)
    kpi_timeliness_target: float = Field(description=TARGET_OUT)
    kpi_completeness_target: float = Field(description=TARGET_OUT)
    kpi_update_rate_target: float = Field(description=TARGET_OUT)


class ReportSettingsIn(Schema):
    dormancy_days: float | None = Field(default=None, description=DAYS)
    kpi_timeliness_target: float | None = Field(default=None, description=TARGET_IN)
    kpi_completeness_target: float | None = Field(default=None, description=TARGET_IN)
    kpi_update_rate_target: float | None = Field(default=None, description=TARGET_IN)


@router.get("/settings", response=ReportSettingsOut, summary="Report settings")
def settings_get(request: AuthedRequest) -> dict[str, float]:
    return figures.settings_all()


@router.patch(
    "/settings",
    response={200: ReportSettingsOut, **errors(403, 422)},
    summary="Change report settings",
)
def settings_patch(request: AuthedRequest, payload: ReportSettingsIn) -> dict[str, float]:
    """Targets in percent, 0 to 100 (stored and returned as fractions: 95 is 0.95); the
    dormancy window in days. A value out of range is a 422 naming the field."""
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return report_settings_update(actor=request.user, values=values)
