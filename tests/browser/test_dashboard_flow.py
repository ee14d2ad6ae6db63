"""The home dashboard in Chromium (issue 18): a rep's and an executive's dashboards draw their
ECharts charts (SVG with bars / slices) from the data islands, and the tiles stack on a phone.
Screenshots are kept in pytest's tmp dir (and /tmp/kehu-dashboard-*.png) as artefacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kehu.accounts.models import User
from kehu.opportunities.services import opportunity_create

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _charts_drawn(page: Any) -> int:
    """How many charts hold an SVG with drawn marks (paths), after ECharts ran."""
    page.wait_for_selector("[data-chart][data-drawn] svg path", state="attached")
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('[data-chart][data-drawn]'))"
            ".filter(el => el.querySelectorAll('svg path').length > 0).length"
        )
    )


def test_rep_and_executive_dashboards_draw_charts(
    live_server: Any,
    browser: Any,
    phone_page: Any,
    rep: User,
    executive: User,
    customer_factory: Any,
    tmp_path: Path,
) -> None:
    customer = customer_factory(name="图表测试科技有限公司")
    customer_factory(name="图表意向科技有限公司", status="intent")
    for stage, amount in (("initial_contact", 100000), ("proposal", 200000)):
        opportunity_create(
            actor=rep,
            customer=customer,
            data={"title": f"{stage}项目", "stage": stage, "expected_amount": amount},
        )

    page = phone_page
    sign_in(page, live_server.url, "rep")
    assert page.locator("#tile-pipeline").count() == 1
    assert _charts_drawn(page) >= 2  # the pipeline's bars, the completeness pie
    assert (
        page.locator("#tile-pipeline tr[data-key=proposal] td").first.inner_text().startswith("1")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # tiles stack
    for path in (tmp_path / "dashboard-rep.png", Path("/tmp/kehu-dashboard-rep.png")):
        page.screenshot(path=str(path), full_page=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = context.new_page()
    desk.set_default_timeout(15_000)
    try:
        sign_in(desk, live_server.url, executive.username)
        assert desk.locator("#dashboard-freshness").count() == 1
        assert _charts_drawn(desk) >= 2  # this month's and this quarter's KPIs, the funnel
        new = desk.locator("#tile-kpi_month tr[data-key=new_customers] td.num").first
        assert new.inner_text().strip() == "2"
        for path in (tmp_path / "dashboard-exec.png", Path("/tmp/kehu-dashboard-exec.png")):
            desk.screenshot(path=str(path), full_page=True)
    finally:
        context.close()
