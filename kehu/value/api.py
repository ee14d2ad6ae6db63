"""/api/v1/customers/{no}/value, /api/v1/value/octants (chart data over the caller's visible
customers) and /api/v1/value/settings (administrators)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ConfigDict

from kehu.accounts.policy import sees_amount_bands
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors, payload_data
from kehu.core.errors import PermissionDenied
from kehu.core.validators import amount_band
from kehu.customers.selectors import customer_get_for

from .selectors import value_counts_for, value_detail
from .services.settings import can_manage_value, settings_out, value_settings_update

router = Router(tags=["value"])


class RfmOut(Schema):
    r: int | None
    f: int | None
    m: int | None
    score: int | None


class ValueOut(Schema):
    customer_no: str
    rfm: RfmOut
    octant: str
    octant_label: str
    grade: str
    lifecycle: str
    lifecycle_label: str
    recommended_action: str
    order_count: int
    # Null for the roles that see amounts only as bands (support): revenue_band instead.
    revenue: Decimal | None
    avg_order_value: Decimal | None
    revenue_band: str = ""
    first_order_date: date | None
    last_order_date: date | None
    churn_probability: float | None
    repurchase_probability: float | None
    computed_at: datetime | None
    levels: dict[str, dict[str, str]]


class CountsOut(Schema):
    total: int
    octants: list[dict[str, Any]]
    unplaced: int
    grades: list[dict[str, Any]]
    lifecycles: list[dict[str, Any]]
    levels: list[str]


class SettingsOut(Schema):
    frequency_threshold: float | None
    aov_threshold: float | None
    tenure_threshold_days: int | None
    new_days: int
    active_days: int
    dormant_days: int
    interaction_days: int
    interaction_high: int
    interaction_medium: int
    repurchase_high: int
    repurchase_medium: int
    octant_actions: dict[str, str]
    grade_rules: dict[str, str]
    medians: dict[str, float | None]


class SettingsPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    frequency_threshold: float | None = None
    aov_threshold: float | None = None
    tenure_threshold_days: int | None = None
    new_days: int | None = None
    active_days: int | None = None
    dormant_days: int | None = None
    interaction_days: int | None = None
    interaction_high: int | None = None
    interaction_medium: int | None = None
    repurchase_high: int | None = None
    repurchase_medium: int | None = None
    octant_actions: dict[str, str] | None = None
    grade_rules: dict[str, str] | None = None


@router.get(
    "/customers/{customer_no}/value",
    response={200: ValueOut, **errors(404)},
    summary="A customer's value: RFM, octant, grade, lifecycle and the three levels",
)
def customer_value(request: AuthedRequest, customer_no: str) -> dict[str, Any]:
    detail = value_detail(customer_get_for(request.user, customer_no))
    if sees_amount_bands(request.user):
        detail["revenue_band"] = amount_band(detail["revenue"]) if detail["order_count"] else ""
        detail["revenue"] = detail["avg_order_value"] = None
    return detail


@router.get(
    "/value/octants",
    response=CountsOut,
    summary="Customers per value octant, grade and lifecycle (those the caller may see)",
)
def value_octants(request: AuthedRequest) -> dict[str, Any]:
    return value_counts_for(request.user)


@router.get(
    "/value/settings", response={200: SettingsOut, **errors(403)}, summary="The value settings"
)
def value_settings_get(request: AuthedRequest) -> dict[str, Any]:
    if not can_manage_value(request.user):
        raise PermissionDenied(_("Only an administrator may see the value settings."))
    return settings_out()


@router.patch(
    "/value/settings",
    response={200: SettingsOut, **errors(403, 422)},
    summary="Change the value settings (thresholds, windows, octant actions, grade rules)",
)
def value_settings_patch(request: AuthedRequest, payload: SettingsPatch) -> dict[str, Any]:
    return value_settings_update(actor=request.user, data=payload_data(payload))
