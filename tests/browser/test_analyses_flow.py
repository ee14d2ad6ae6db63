"""Two analyses render their charts in Chromium (issue 18): the activity analysis at phone size
(bars drawn as SVG, the table under them) and the distribution's map of China by province."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import User
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD

from .helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_activity_and_distribution_charts_render(
    live_server: Any, phone_page: Any, rep: User, customer_factory: Any
) -> None:
    shenzhen = customer_factory(name="图表科技有限公司", province="广东省", city="深圳市")
    hangzhou = customer_factory(name="图表贸易有限公司", province="浙江省", city="杭州市")
    for customer, method in ((shenzhen, "phone"), (shenzhen, "visit"), (hangzhou, "phone")):
        interaction_log(actor=rep, customer=customer, data={**STANDARD, "method": method})
    page = phone_page
    sign_in(page, live_server.url, "rep")

    page.goto(f"{live_server.url}/reports/activity/")
    page.wait_for_selector('[data-chart="per_rep"] svg path', state="attached")
    bars = page.locator('[data-chart="per_rep"] svg path').count()
    assert bars > 0
    assert "张销售" in page.locator("#chart-per_rep table").inner_text()
    box = page.locator('[data-chart="per_rep"]').bounding_box()
    assert box is not None and box["width"] <= 390
    page.screenshot(path="/tmp/analyses-activity.png", full_page=True)

    page.goto(f"{live_server.url}/reports/distribution/")
    page.wait_for_selector('[data-chart="by_province"] svg path', state="attached")
    # The map draws every province's outline: far more paths than the two with customers.
    assert page.locator('[data-chart="by_province"] svg path').count() > 30
    assert page.evaluate("!!echarts.getMap('china')")
    assert "广东省" in page.locator("#chart-by_province table").inner_text()
    page.screenshot(path="/tmp/analyses-distribution.png", full_page=True)
