"""The calendar page (/calendar/: month, week or day; mine or my team's) and the secret ICS feed
(/calendar/ics/<token>.ics) with the buttons that make and revoke its address."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.accounts.models import CalendarFeed
from kehu.accounts.requests import AuthedRequest
from kehu.accounts.services import calendar_feed_create, calendar_feed_revoke, calendar_feed_user
from kehu.core.company import company_settings

from .calendar import FIRST_YEAR, LAST_YEAR, Entry, calendar_entries, calendar_ics

VIEWS = ("month", "week", "day")


def _day(raw: str | None, default: date) -> date:
    try:
        day = date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else default


def _range(view: str, day: date) -> tuple[date, date, date, date]:
    """(first day, last day, previous anchor, next anchor) of the view around `day`."""
    if view == "day":
        return day, day, day - timedelta(days=1), day + timedelta(days=1)
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6), day - timedelta(days=7), day + timedelta(days=7)
    first = day.replace(day=1)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    previous = (first - timedelta(days=1)).replace(day=1)
    return first, last, previous, last + timedelta(days=1)


def _weeks(first: date, last: date, by_day: dict[date, list[Entry]]) -> list[list[dict[str, Any]]]:
    start = first - timedelta(days=first.weekday())
    weeks = []
    while start <= last:
        weeks.append(
            [
                {
                    "day": start + timedelta(days=n),
                    "entries": by_day.get(start + timedelta(days=n), []),
                    "outside": not first <= start + timedelta(days=n) <= last,
                }
                for n in range(7)
            ]
        )
        start += timedelta(days=7)
    return weeks


@login_required
def calendar_page(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    view = request.GET.get("view") or "month"
    view = view if view in VIEWS else "month"
    team = request.GET.get("scope") == "team"
    day = _day(request.GET.get("date"), today)
    first, last, previous, following = _range(view, day)
    entries = calendar_entries(request.user, start=first, end=last, team=team)
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    context = {
        "view": view,
        "scope": "team" if team else "me",
        "day": day,
        "today": today,
        "first": first,
        "last": last,
        "previous": previous,
        "following": following,
        "weeks": _weeks(first, last, by_day) if view == "month" else [],
        "days": [{"day": d, "entries": by_day.get(d, [])} for d in days],
        "views": [("month", _("Month")), ("week", _("Week")), ("day", _("Day"))],
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "feed": CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first(),
        "feed_url": request.session.pop("calendar_feed_url", ""),
        "entry_count": len(entries),
    }
    return render(request, "interactions/calendar.html", context)


@login_required
@require_POST
def calendar_feed_new(request: AuthedRequest) -> HttpResponse:
    raw = calendar_feed_create(actor=request.user)
    url = request.build_absolute_uri(reverse("calendar-ics", kwargs={"token": raw}))
    request.session["calendar_feed_url"] = url  # shown once, on the next calendar page
    messages.success(request, _("Your calendar address is ready; older addresses stop working."))
    return redirect(reverse("calendar") + "#feed")


@login_required
@require_POST
def calendar_feed_end(request: AuthedRequest) -> HttpResponse:
    if calendar_feed_revoke(actor=request.user):
        messages.success(request, _("Your calendar address no longer works."))
    return redirect(reverse("calendar") + "#feed")


def calendar_feed(request: AuthedRequest, token: str) -> HttpResponse:
    """The secret ICS feed: no sign-in, the token is the credential; unknown or revoked: 404."""
    user = calendar_feed_user(token)
    if user is None:
        raise Http404("No such calendar.")
    zone = ZoneInfo(user.time_zone or company_settings().time_zone)
    with timezone.override(zone):
        body = calendar_ics(user, today=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
