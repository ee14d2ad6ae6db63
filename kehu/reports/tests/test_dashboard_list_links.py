"""The dashboard's figures link to lists of exactly the customers they count."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)


def _items(api, user):
    body = api.login(user).get("/api/v1/dashboard").json()
    return {t["key"]: {i["key"]: i for i in t["items"]} for t in body["tiles"]}


def test_won_this_month_links_to_the_customers_won_this_month(
    api, client, executive, customer_factory
):
    with time_machine.travel(NOW, tick=False) as clock:
        # 成交 on 31 October at 23:30 in Shanghai (15:30 UTC): last month's, still won
        clock.move_to(datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI))
        customer_factory(name="十月成交有限公司", status="won")
        # 成交 on 1 November at 00:30 in Shanghai (still 31 October in UTC): this month's
        clock.move_to(datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI))
        customer_factory(name="十一月成交有限公司", status="won")
        clock.move_to(NOW)
        item = _items(api, executive)["kpi_month"]["won_customers"]
        assert item["value"] == 1
        query = item["link"].split("?", 1)[1]
        listed = api.login(executive).get(f"/api/v1/customers?{query}").json()
        assert [c["name"] for c in listed["items"]] == ["十一月成交有限公司"]
        client.force_login(executive)
        page = client.get(item["link"]).content.decode()
        assert "十一月成交有限公司" in page and "十月成交有限公司" not in page


def test_won_dates_must_be_dates(api, executive):
    response = api.login(executive).get("/api/v1/customers?won_from=yesterday")
    assert response.status_code == 422
    assert "won_from" in response.content.decode()
