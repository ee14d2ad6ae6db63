"""Issue 14.18: the volume rule counts what a user pulls per day (list API pages, search results,
exports together), so split exports and paging the list API no longer get round it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.audit.models import DailyVolume
from kehu.review.models import ReviewItem, ReviewRule

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def twelve(customer_factory: Any, settings: Any) -> list[Any]:
    """12 of the rep's customers (6 leads, 6 意向); a daily limit of 2 × 5 = 10 rows."""
    settings.KEHU_EXPORT_BASELINE_ROWS = 2
    ReviewRule.objects.update_or_create(
        kind="export_spike", defaults={"threshold": Decimal(5), "is_active": True}
    )
    return [
        customer_factory(name=f"日量测试{i}号有限公司", status="lead" if i < 6 else "intent")
        for i in range(12)
    ]


def _pages(api: Any, *, limit: int) -> list[Any]:
    """Page through /api/v1/customers until the end or a refusal."""
    responses, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get("/api/v1/customers", **params)
        responses.append(response)
        if response.status_code != 200 or not response.json()["has_more"]:
            return responses
        cursor = response.json()["next_cursor"]


def test_split_exports_are_held_once_the_day_passes_the_limit(
    api: Any, rep: Any, manager: Any, twelve: list[Any]
) -> None:
    api.login(rep)
    first = api.get("/api/v1/exports/customers", status="lead")
    assert first.status_code == 200
    second = api.get("/api/v1/exports/customers", status="intent")
    assert second.status_code == 202 and second.json()["code"] == "pending_review"
    item = ReviewItem.objects.get(status="pending")
    assert item.rule == "export_spike" and item.payload["count"] == 6
    assert item.payload["today"] == 6
    assert "10" in item.reason  # the daily limit is named
    assert DailyVolume.objects.get(user=rep).row_count == 6  # the held export pulled nothing


def test_paging_the_list_api_counts_and_stops_with_a_clear_message(
    api: Any, rep: Any, twelve: list[Any]
) -> None:
    api.login(rep)
    responses = _pages(api, limit=4)
    assert [r.status_code for r in responses] == [200, 200, 200]  # 12 rows: the third crosses
    refused = api.get("/api/v1/customers", limit=4)
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "permission_denied"
    assert "12" in body["detail"] and "10" in body["detail"]
    assert "manager" in body["detail"] or "经理" in body["detail"]
    assert DailyVolume.objects.get(user=rep).row_count == 12  # the refused page is not counted
    # What was pulled through the list counts against exports too.
    held = api.get("/api/v1/exports/customers", status="lead")
    assert held.status_code == 202


def test_list_pages_and_an_export_together(api: Any, rep: Any, twelve: list[Any]) -> None:
    api.login(rep)
    assert api.get("/api/v1/customers", limit=6, status="lead").status_code == 200
    assert api.get("/api/v1/exports/customers", status="intent").status_code == 202


def test_search_results_count_and_the_search_api_stops_but_the_page_does_not(
    client: Any, api: Any, rep: Any, twelve: list[Any]
) -> None:
    api.login(rep)
    found = api.get("/api/v1/search", q="日量测试", limit=50, kind="customer")
    assert found.status_code == 200 and len(found.json()["groups"][0]["hits"]) == 12
    assert DailyVolume.objects.get(user=rep).row_count == 12
    assert api.get("/api/v1/search", q="日量测试", kind="customer").status_code == 403
    assert api.get("/api/v1/customers").status_code == 403
    page = api.client.get("/search/", {"q": "日量测试"})
    assert page.status_code == 200 and "日量测试" in page.content.decode()


def test_an_approved_export_lifts_the_limit_for_that_day_only(
    api: Any, rep: Any, manager: Any, twelve: list[Any]
) -> None:
    today = datetime.now(SHANGHAI).replace(hour=10)
    with time_machine.travel(today, tick=False):
        api.login(rep)
        _pages(api, limit=6)
        assert api.get("/api/v1/customers").status_code == 403
        held = api.get("/api/v1/exports/customers")
        assert held.status_code == 202
        pending = held.json()["pending_id"]
        assert api.login(manager).post(f"/api/v1/review/{pending}/approve", {}).status_code == 200
        api.login(rep)
        assert api.get("/api/v1/customers").status_code == 200  # lifted for today
        assert api.get("/api/v1/exports/customers").status_code == 200  # the approved one
        assert api.get("/api/v1/customers", limit=50).status_code == 200
    with time_machine.travel(today + timedelta(days=1), tick=False):
        _pages(api, limit=6)
        assert api.get("/api/v1/customers").status_code == 403  # a new day, a new limit


def test_administrators_and_a_switched_off_rule_have_no_limit(
    api: Any, rep: Any, admin_user: Any, twelve: list[Any]
) -> None:
    api.login(admin_user)
    for _n in range(3):
        assert all(r.status_code == 200 for r in _pages(api, limit=6))
    ReviewRule.objects.filter(kind="export_spike").update(is_active=False)
    api.login(rep)
    for _n in range(3):
        assert all(r.status_code == 200 for r in _pages(api, limit=6))
    assert api.get("/api/v1/exports/customers").status_code == 200
    assert DailyVolume.objects.get(user=rep).row_count == 48


def test_switching_the_rule_off_mid_day_lets_a_refused_user_go_on(
    api: Any, rep: Any, twelve: list[Any]
) -> None:
    api.login(rep)
    _pages(api, limit=6)
    assert api.get("/api/v1/customers").status_code == 403
    ReviewRule.objects.filter(kind="export_spike").update(is_active=False)
    assert api.get("/api/v1/customers").status_code == 200


def test_the_limit_follows_the_usual_daily_volume(api: Any, rep: Any, twelve: list[Any]) -> None:
    """A user who pulls 10 rows on most days may pull 5 × 10 = 50; a few big days do not count."""
    today = datetime.now(SHANGHAI).date()
    for days in range(1, 61):
        DailyVolume.objects.create(user=rep, day=today - timedelta(days=days), row_count=10)
    for days in range(61, 65):
        DailyVolume.objects.create(user=rep, day=today - timedelta(days=days), row_count=100_000)
    api.login(rep)
    for _n in range(4):  # 48 rows
        assert all(r.status_code == 200 for r in _pages(api, limit=6))
    assert DailyVolume.objects.get(user=rep, day=today).limit_rows == 50
    assert api.get("/api/v1/customers", limit=6).status_code == 200  # 54: crosses the limit
    assert api.get("/api/v1/customers", limit=6).status_code == 403
