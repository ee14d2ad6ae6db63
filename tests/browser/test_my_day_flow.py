"""A rep completes a task from "my day" at phone size (390×844) in Chromium (issue 16): the
card turns done in place (htmx), the task is done in the database, and snoozing moves another
to tomorrow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kehu.accounts.models import User
from kehu.interactions.models import FollowUp
from kehu.interactions.services.followups import followup_create

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_complete_a_task_from_my_day_on_a_phone(
    live_server: Any, phone_page: Any, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory(name="我的一天科技有限公司")
    today = timezone.localdate()
    overdue = followup_create(
        actor=rep, customer=customer, kind="next_action", title="回电确认预算",
        due_date=today - timedelta(days=1),
    )  # fmt: skip
    later = followup_create(
        actor=rep, customer=customer, kind="visit", title="上门拜访", due_date=today
    )
    page = phone_page
    sign_in(page, live_server.url, "rep")
    page.locator("#menu-toggle").click()
    page.locator("#nav-my-day").click()
    page.wait_for_url("**/my-day/")
    card = page.locator(f"#task-{overdue.pk}")
    assert "我的一天科技有限公司" in card.inner_text()
    # The buttons fit on the phone's screen.
    box = page.locator(f"#task-done-{overdue.pk}").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.locator(f"#task-done-{overdue.pk}").click()
    page.wait_for_selector(f"#task-{overdue.pk}.done")
    overdue.refresh_from_db()
    assert overdue.done_at is not None and overdue.done_by == rep
    page.locator(f"#task-snooze-1-{later.pk}").click()
    tomorrow = (today + timedelta(days=1)).isoformat()
    page.locator(f"#task-{later.pk} .due", has_text=tomorrow).wait_for()
    later.refresh_from_db()
    assert later.due_date == today + timedelta(days=1)
    assert FollowUp.objects.filter(owner=rep, done_at__isnull=True).count() == 1
    page.screenshot(path="/tmp/desk-my-day.png", full_page=True)


def test_calendar_fits_a_phone(
    live_server: Any, phone_page: Any, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory(name="日历手机科技有限公司")
    today = timezone.localdate()
    followup_create(
        actor=rep, customer=customer, kind="meeting", title="方案评审会", due_date=today
    )
    page = phone_page
    sign_in(page, live_server.url, "rep")
    for view in ("month", "week", "day"):
        page.goto(f"{live_server.url}/calendar/?view={view}")
        assert page.locator(".cal-entry", has_text="方案评审会").first.is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (view, width)
    page.screenshot(path="/tmp/desk-calendar.png", full_page=True)
