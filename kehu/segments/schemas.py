"""In/Out schemas of /api/v1/segments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class SegmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    visibility: str = Field(
        "private", description="private, team (the owner's team) or company (managers and up)"
    )
    query: str = Field(
        description="The customer list's filters as its query string, e.g. "
        "`status=won&industry=制造业&province=广东省`, `tag=VIP&tag=高价值&tag_mode=any`, "
        "`idle_days=90`, `cf_<key>=value`: every filter GET /api/v1/customers takes."
    )
    followup_cadence: str = Field("", description="'' (no rule), weekly, biweekly or monthly")
    followup_title: str = ""
    followup_due_days: int = Field(3, description="the tasks fall due this many days later")


class SegmentPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    visibility: str | None = None
    query: str | None = None
    followup_cadence: str | None = None
    followup_title: str | None = None
    followup_due_days: int | None = None


class FollowUpRuleOut(Schema):
    cadence: str
    title: str
    due_days: int
    last_period: date | None


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    owner: str
    owner_name: str
    visibility: str
    team: str | None
    query: str
    params: dict[str, Any]
    count: int | None = Field(
        description="Customers matching it as the caller sees them; null when a filter no "
        "longer holds (a deleted tag)"
    )
    followup: FollowUpRuleOut | None
    may_change: bool
    url: str = Field(description="The page: the customer list with the segment's filter")
    created_at: datetime
    updated_at: datetime


class CountOut(Schema):
    count: int
    reachable: int | None = Field(None, description="with ?purpose=: customers with a live consent")
    left_out: int | None = Field(None, description="with ?purpose=: customers without one")


class PreviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    query: str


class PreviewOut(Schema):
    count: int
    query: str = Field(description="The filters as a segment keeps them")
