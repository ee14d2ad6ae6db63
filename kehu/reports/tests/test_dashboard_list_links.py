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


def test_red_and_black_list_links_to_every_customer_not_complete(
    api, client, manager, rep, customer_factory
):
    from kehu.interactions.freshness import quality_rules_run

    complete = {
        "industry": "制造业",
        "size": "small",
        "source": "官网注册",
        "first_contact_date": "2026-11-01",
    }
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI), tick=False) as clock:
        customer_factory(name="早缺信息有限公司")  # 待补全, then 需补充 a week on
        clock.move_to(NOW)
        assert quality_rules_run()["needs_info"] == 1
        customer_factory(name="缺信息有限公司")  # 待补全
        customer_factory(name="完整有限公司", **complete)
        item = _items(api, manager)["quality_board"][f"owner:{rep.pk}"]
    assert "(1/3)" in item["display"]  # two of three not complete
    query = item["link"].split("?", 1)[1]
    listed = api.login(manager).get(f"/api/v1/customers?{query}").json()
    assert sorted(c["name"] for c in listed["items"]) == ["早缺信息有限公司", "缺信息有限公司"]
    client.force_login(manager)
    page = client.get(item["link"]).content.decode()
    assert "早缺信息有限公司" in page and "完整有限公司" not in page


def test_an_unknown_quality_is_named(api, manager):
    response = api.login(manager).get("/api/v1/customers?quality=incomplete,bogus")
    assert response.status_code == 422
    assert "quality" in response.json().get("errors", response.json())


def test_kpi_targets_are_always_percent(api, executive):
    api.login(executive)
    for given, stored in ((1, 0.01), (2, 0.02), (0.5, 0.005), (95, 0.95), (100, 1.0), (0, 0.0)):
        response = api.patch("/api/v1/reports/settings", {"kpi_timeliness_target": given})
        assert response.status_code == 200, given
        assert response.json()["kpi_timeliness_target"] == pytest.approx(stored), given
    for bad in (-1, 101, 150):
        response = api.patch("/api/v1/reports/settings", {"kpi_completeness_target": bad})
        assert response.status_code == 422, bad
        assert "kpi_completeness_target" in response.json().get("errors", response.json())
    schema = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    described = schema["ReportSettingsIn"]["properties"]["kpi_timeliness_target"]
    assert "percent, from 0 to 100" in described["description"]


def test_quality_api_names_the_pool_as_the_page_does(api, client, admin_user, customer_factory):
    from kehu.customers.models import Customer

    pooled = customer_factory(name="公海贸易有限公司")
    Customer.objects.filter(pk=pooled.pk).update(owner=None, team=None)  # no owner, no team
    customer_factory(name="有主贸易有限公司")
    api.client.cookies["django_language"] = "en"
    body = api.login(admin_user).get("/api/v1/reports/quality").json()
    [pool] = [r for r in body["reps"] if r["key"] == "owner:none"]
    assert pool["label"] == "(unassigned)"
    [team] = [r for r in body["teams"] if r["key"] == "team:none"]
    assert team["label"] == "(unassigned)"
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    assert "(unassigned)" in client.get("/reports/quality/").content.decode()


def test_acquisition_names_the_channels(client, executive, customer_factory):
    customer_factory(name="沙箱贸易有限公司", external_source="sandbox", external_id="S1")
    customer_factory(name="外部贸易有限公司", external_source="salesforce", external_id="0015")
    customer_factory(name="手工贸易有限公司")
    client.force_login(executive)
    client.cookies["django_language"] = "en"
    page = client.get("/reports/acquisition/").content.decode()
    assert "<td>Training sandbox</td>" in page
    assert "<td>Salesforce</td>" in page
    assert "<td>Entered by hand</td>" in page
    assert "<td>sandbox</td>" not in page and "<td>salesforce</td>" not in page
