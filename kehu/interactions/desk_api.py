"""/api/v1/calendar (tasks, visits and meetings between two days) and
/api/v1/users/mentionable (colleagues an @mention may name on a customer)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from kehu.accounts.mentions import mentionable_users
from kehu.accounts.requests import AuthedRequest
from kehu.core.api_utils import errors
from kehu.core.errors import ValidationFailed
from kehu.customers.selectors import customer_get_for

from .calendar import FIRST_YEAR, LAST_YEAR, MAX_DAYS, calendar_entries

router = Router(tags=["calendar"])


class CalendarEntryOut(Schema):
    kind: str
    id: int
    title: str
    day: date
    start: datetime | None
    all_day: bool
    kind_label: str
    customer_no: str
    customer_name: str
    person: str
    is_done: bool
    url: str


class CalendarOut(Schema):
    start: date
    end: date
    items: list[CalendarEntryOut]


@router.get("/calendar", response={200: CalendarOut, **errors(422)})
def calendar(
    request: AuthedRequest, start: date, end: date, scope: str = "me"
) -> dict[str, object]:
    """Tasks (by due day; `start` is their time when they have one, else all day) and visits and
    meetings, from `start` to `end` (local days, at most 366); `scope` me (default) or team."""
    problems: dict[str, list[str]] = {}
    for name, day in (("start", start), ("end", end)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            problems[name] = [_("Choose a day between 1900 and 2100.")]
    if problems:
        raise ValidationFailed(problems)
    if end < start:
        problems["end"] = [_("The end comes before the start.")]
    elif (end - start).days > MAX_DAYS:
        problems["end"] = [_("At most %(days)s days at once.") % {"days": MAX_DAYS}]
    if scope not in ("me", "team"):
        problems["scope"] = [_("Choose 'me' or 'team'.")]
    if problems:
        raise ValidationFailed(problems)
    entries = calendar_entries(request.user, start=start, end=end, team=scope == "team")
    items = [{**entry.__dict__, "all_day": entry.start is None} for entry in entries]
    return {"start": start, "end": end, "items": items}


class MentionableOut(Schema):
    username: str
    name: str


@router.get("/users/mentionable", response={200: list[MentionableOut], **errors(404, 422)})
def users_mentionable(
    request: AuthedRequest, customer_no: str, q: str = ""
) -> list[dict[str, str]]:
    """Colleagues who may see the customer, whose username or name contains q (at most 10)."""
    customer = customer_get_for(request.user, customer_no)
    users = mentionable_users(request.user, customer, q[:60])
    return [{"username": u.username, "name": u.label} for u in users]
