"""The sandbox's desk (issue 16): every rep has open, done and overdue tasks, and the calendar
has visits and meetings this week."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kehu.accounts.models import User
from kehu.interactions.models import FollowUp

pytestmark = pytest.mark.django_db


def test_demo_has_tasks_and_calendar_entries():
    call_command("demo", "--customers", "60", stdout=StringIO())
    zhang = User.objects.get(username="zhang")
    today = timezone.localdate()
    tasks = FollowUp.objects.filter(owner=zhang)
    assert tasks.filter(done_at__isnull=True, due_date__lt=today).exists()  # overdue
    assert tasks.filter(done_at__isnull=False).exists()
    assert tasks.filter(due_date=today, due_at__isnull=False).exists()
    assert tasks.filter(kind__in=["visit", "meeting"], due_at__isnull=False).count() >= 3
    assert tasks.filter(kind="next_action", interaction__method="visit").exists()
    client = Client()
    client.force_login(zhang)
    day = client.get("/my-day/")
    assert day.status_code == 200 and "方案评审会" in day.content.decode()
    monday = today - timedelta(days=today.weekday())
    week = client.get("/calendar/", {"view": "week", "date": monday.isoformat()})
    assert "上门拜访" in week.content.decode()
