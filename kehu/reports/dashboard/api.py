"""GET /api/v1/dashboard: the caller's home dashboard (the tiles of their role) as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema

from kehu.accounts.requests import AuthedRequest

from .selectors import dashboard_for

router = Router(tags=["dashboard"])


class DashboardItemOut(Schema):
    key: str
    label: str
    value: float | None
    display: str
    link: str
    previous: float | None
    change: float | None
    in_chart: bool


class DashboardTileOut(Schema):
    key: str
    title: str
    chart: str
    note: str
    link: str
    items: list[DashboardItemOut]


class HomeDashboardOut(Schema):
    role: str
    generated_at: datetime | None
    refresh_seconds: int
    tiles: list[DashboardTileOut]


@router.get("", response=HomeDashboardOut, summary="The caller's home dashboard")
def dashboard(request: AuthedRequest) -> dict[str, Any]:
    """The tiles of the caller's role, over the customers they may see. `generated_at` is when
    company-wide figures were computed (on the worker); null when everything was counted now."""
    return dashboard_for(request.user)
