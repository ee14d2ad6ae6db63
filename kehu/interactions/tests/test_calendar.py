"""The calendar (issue 16): personal and team views of tasks, visits and meetings, the API, and
the secret, revocable ICS feed, parsed back with icalendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from kehu.accounts.models import CalendarFeed
from kehu.audit.models import AuditEntry
from kehu.interactions.services import interaction_log
from kehu.interactions.services.followups import followup_create
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def planned(customer_factory, rep, rep2, outsider, frozen):
    mine = customer_factory(name="日历贸易")
    theirs = customer_factory(actor=rep2, name="同事的客户")
    far = customer_factory(actor=outsider, name="华南的客户")
    followup_create(
        actor=rep,
        customer=mine,
        kind="meeting",
        title="方案评审会",
        due_at=datetime(2026, 3, 12, 15, 0, tzinfo=SHANGHAI),
    )
    followup_create(
        actor=rep, customer=mine, kind="other", title="全天的事", due_date=date(2026, 3, 13)
    )
    followup_create(
        actor=rep2, customer=theirs, kind="visit", title="同事拜访", due_date=date(2026, 3, 11)
    )
    followup_create(
        actor=outsider, customer=far, kind="visit", title="华南拜访", due_date=date(2026, 3, 11)
    )
    interaction_log(
        actor=rep,
        customer=mine,
        data={**STANDARD, "method": "拜访", "topic": "上门拜访", "occurred_at": "2026-03-09 10:00"},
    )
    return mine


def titles(body):
    return [item["title"] for item in body["items"]]


def test_api_mine_and_my_team(api, rep, manager, planned):
    api.login(rep)
    mine = api.get("/api/v1/calendar", start="2026-03-01", end="2026-03-31").json()
    assert titles(mine) == ["上门拜访", "方案评审会", "全天的事"]
    meeting = mine["items"][1]
    assert meeting["all_day"] is False and meeting["start"].startswith("2026-03-12T07:00:00")
    assert mine["items"][2]["all_day"] is True
    # A rep's team view: what the rep may see of the team (not a teammate's own customers).
    team = api.get("/api/v1/calendar", start="2026-03-01", end="2026-03-31", scope="team").json()
    assert "华南拜访" not in titles(team)
    # The manager sees the whole team, never the other team's.
    managed = api.login(manager).get(
        "/api/v1/calendar", start="2026-03-01", end="2026-03-31", scope="team"
    )
    assert set(titles(managed.json())) == {"上门拜访", "方案评审会", "全天的事", "同事拜访"}
    bad = api.get("/api/v1/calendar", start="2026-03-31", end="2026-03-01", scope="all")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"end", "scope"}
    far = api.get("/api/v1/calendar", start="0001-01-01", end="9999-12-31")
    assert far.status_code == 422 and set(far.json()["errors"]) == {"start", "end"}
    assert api.get("/calendar/", date="9999-12-31").status_code == 200


@pytest.mark.parametrize("view", ["month", "week", "day"])
def test_calendar_page_views(client, rep, planned, view):
    client.force_login(rep)
    page = client.get("/calendar/", {"view": view, "date": "2026-03-12"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "方案评审会" in text and "15:00" in text
    assert ("上门拜访" in text) == (view != "day")  # the 9th: that Monday, not that day


def test_ics_feed_is_secret_revocable_and_valid(client, rep, planned):
    client.force_login(rep)
    assert client.post("/calendar/feed/").status_code == 302
    page = client.get("/calendar/")
    url = page.context["feed_url"]
    assert url.startswith("http://testserver/calendar/ics/") and url.endswith(".ics")
    assert page.context["feed_url"] and client.get("/calendar/").context["feed_url"] == ""
    client.logout()
    path = url.removeprefix("http://testserver")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"上门拜访 · 日历贸易", "方案评审会 · 日历贸易", "全天的事 · 日历贸易"}
    start = events["方案评审会 · 日历贸易"].decoded("DTSTART")
    assert start == datetime(2026, 3, 12, 15, 0, tzinfo=SHANGHAI)
    assert events["全天的事 · 日历贸易"].decoded("DTSTART") == date(2026, 3, 13)
    assert all(e.get("UID") for e in events.values())
    # Revoked: the address is gone; a new one replaces the old.
    client.force_login(rep)
    client.post("/calendar/feed/revoke/")
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get("/calendar/ics/not-a-token.ics").status_code == 404
    actions = AuditEntry.objects.filter(action__startswith="calendar_feed.").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["calendar_feed.created", "calendar_feed.revoked"]
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()


def test_feed_of_a_deactivated_user_stops(client, rep, planned):
    client.force_login(rep)
    client.post("/calendar/feed/")
    path = client.get("/calendar/").context["feed_url"].removeprefix("http://testserver")
    rep.is_active = False
    rep.save()
    client.logout()
    assert client.get(path).status_code == 404
