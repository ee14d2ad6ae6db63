"""/api/v1/settings/company: every signed-in user reads the company's settings (the calendar
deadlines count in, the time zone pages default to); administrators change them."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema
from pydantic import ConfigDict

from kehu.core.api_utils import errors, payload_data
from kehu.core.company import CompanyValues, company_settings

from .company import company_settings_update
from .requests import AuthedRequest

router = Router(tags=["settings"])


class CompanySettingsOut(Schema):
    name: str
    time_zone: str
    working_days: list[int]  # 0 Monday ... 6 Sunday
    holidays: list[str]  # ISO dates that are not business days
    extra_workdays: list[str]  # weekend dates worked (调休)
    pool_claim_limit: int  # pool claims per person a day, whatever a team allows
    two_factor_roles: list[str]  # roles signing in with a second factor, or ["all"]
    is_saved: bool  # false: every value still comes from the server's environment


class CompanySettingsPatch(Schema):
    """Only the given fields change. Dates: a list of ISO dates, or one text with one date per
    line or comma-separated; working days: numbers 0 (Monday) to 6 (Sunday)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    time_zone: str | None = None
    working_days: list[int | str] | str | None = None
    holidays: list[str] | str | None = None
    extra_workdays: list[str] | str | None = None
    pool_claim_limit: int | str | None = None
    # Role codes that sign in with a second factor (rep, manager, support, marketing,
    # executive, steward, admin, finance), or ["all"] for every role; [] for none.
    two_factor_roles: list[str] | str | None = None


def _out(values: CompanyValues) -> dict[str, Any]:
    return values.as_dict()


@router.get(
    "/settings/company", response={200: CompanySettingsOut}, summary="The company's settings"
)
def company_settings_get(request: AuthedRequest) -> dict[str, Any]:
    return _out(company_settings())


@router.patch(
    "/settings/company",
    response={200: CompanySettingsOut, **errors(403, 422)},
    summary="Change the company's settings (administrators)",
)
def company_settings_patch(request: AuthedRequest, payload: CompanySettingsPatch) -> dict[str, Any]:
    return _out(company_settings_update(actor=request.user, data=payload_data(payload)))
