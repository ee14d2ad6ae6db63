"""The value octant chart (/value/, issue 17) in Chromium: ECharts draws a canvas from the page's
JSON data island, and an octant of the table opens the customer list filtered to it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kehu.accounts.models import User
from kehu.value.services.nightly import values_recompute_all
from kehu.value.tests.helpers import order

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_octant_chart_draws_the_visible_base(
    live_server: Any, browser: Any, rep: User, customer_factory: Any
) -> None:
    today = timezone.localdate()
    for i in range(4):
        c = customer_factory(name=f"图表客户{i}")
        for k in range(i + 1):
            order(c, 1000 * (i + 1), today - timedelta(days=30 * k))
    values_recompute_all()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, rep.username)
    page.goto(f"{live_server.url}/value/")
    page.wait_for_selector("#value-chart[data-ready='1'] canvas")
    assert page.locator("#value-chart").get_attribute("data-total") == "4"
    box = page.locator("#value-chart canvas").first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    # The canvas has drawn pixels (not blank).
    drawn = page.evaluate(
        "() => { const c = document.querySelector('#value-chart canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"
    )
    assert drawn > 1000
    first = page.locator("#octant-table tbody tr").first
    code = first.get_attribute("data-octant")
    first.locator("a").click()
    page.wait_for_url(f"**/customers/?octant={code}**")
    context.close()
