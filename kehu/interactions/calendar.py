"""What the calendar shows: tasks by their due day (at their time, when they have one) and
visits and meetings, personal or the team's, every row through the access policy. The
/calendar/ page, `GET /api/v1/calendar` and the ICS feed read the same entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kehu.accounts.policy import scope_for

from .models import Interaction
from .selectors import followup_queryset_for

MAX_DAYS = 366
FIRST_YEAR, LAST_YEAR = 1900, 2100  # the days the calendar shows (dates beyond overflow)
LIMIT = 2000
MEETING_METHODS = (Interaction.Method.VISIT, Interaction.Method.MEETING)


@dataclass(frozen=True)
class Entry:
    kind: str  # "task" or "interaction"
    id: int
    title: str
    day: date
    start: datetime | None  # None: all day
    kind_label: str
    customer_no: str
    customer_name: str
    person: str
    is_done: bool
    url: str

    @property
    def uid(self) -> str:
        return f"{self.kind}-{self.id}@kehu"


def _customer_url(customer_no: str) -> str:
    return reverse("customer-detail", kwargs={"customer_no": customer_no})


def calendar_entries(user: Any, *, start: date, end: date, team: bool = False) -> list[Entry]:
    """Entries from start to end (inclusive, local days): the user's own tasks and the visits
    and meetings they performed, or with team=True everything of their team (everyone's, for a
    user without a team) that they may see. Time order, all-day entries first within a day."""
    end = min(end, start + timedelta(days=MAX_DAYS))
    tasks = followup_queryset_for(user).filter(due_date__gte=start, due_date__lte=end)
    zone = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(start, datetime.min.time()), zone)
    last = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()), zone)
    visits = scope_for(user, Interaction.objects.all()).filter(
        method__in=MEETING_METHODS, occurred_at__gte=first, occurred_at__lt=last
    )
    if team and getattr(user, "team_id", None):
        tasks = tasks.filter(owner__team_id=user.team_id)
        visits = visits.filter(performed_by__team_id=user.team_id)
    elif not team:
        tasks = tasks.filter(owner=user)
        visits = visits.filter(performed_by=user)
    entries = [
        Entry(
            kind="task",
            id=task.pk,
            title=task.title,
            day=task.due_date or start,
            start=task.due_at,
            kind_label=str(task.get_kind_display()),
            customer_no=task.customer.customer_no,
            customer_name=task.customer.name,
            person=task.owner.label if task.owner else "",
            is_done=task.done_at is not None,
            url=_customer_url(task.customer.customer_no) + "#tasks",
        )
        for task in tasks.order_by("due_date", "id")[:LIMIT]
    ]
    for visit in visits.select_related("customer", "performed_by").order_by("occurred_at")[:LIMIT]:
        entries.append(
            Entry(
                kind="interaction",
                id=visit.pk,
                title=visit.topic or str(visit.get_method_display()),
                day=timezone.localdate(visit.occurred_at, zone),
                start=visit.occurred_at,
                kind_label=str(visit.get_method_display()),
                customer_no=visit.customer.customer_no,
                customer_name=visit.customer.name,
                person=visit.performed_by.label if visit.performed_by else "",
                is_done=True,
                url=_customer_url(visit.customer.customer_no) + "#timeline",
            )
        )
    entries.sort(key=lambda e: (e.day, e.start is not None, e.start or first, e.kind, e.id))
    return entries


def calendar_ics(user: Any, *, today: date) -> bytes:
    """The user's calendar as iCalendar (RFC 5545): 30 days back, 180 ahead."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Kehu CRM//calendar//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Kehu")
    stamp = timezone.now()
    for entry in calendar_entries(
        user, start=today - timedelta(days=30), end=today + timedelta(days=180)
    ):
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("summary", f"{entry.title} · {entry.customer_name}")
        if entry.start is not None:
            event.add("dtstart", entry.start)
            event.add("dtend", entry.start + timedelta(hours=1))
        else:
            event.add("dtstart", entry.day)
            event.add("dtend", entry.day + timedelta(days=1))
        event.add("description", f"{entry.kind_label} · {entry.customer_no} {entry.customer_name}")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
