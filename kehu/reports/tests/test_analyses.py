"""The six analyses on a small known dataset, under a rep's, a manager's and an executive's
visibility; their exports; source costs and targets with their permissions.

East team: rep owns A (官网注册, 广东省 深圳市, lead) and B (展会拜访, 广东省 广州市, won, two orders
100,000 and 50,000); rep2 owns C (官网注册, 浙江省 杭州市, lead). South team: outsider owns D
(官网注册, 北京市, lost). All created on 2026-11-15; the period is the fourth quarter of 2026.
Interactions: rep on A twice (a phone call now; a visit three days earlier, entered now: 72 h
late); rep2 on C once (now); outsider on D once (now).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from kehu.audit.models import AuditEntry, ReadEntry
from kehu.conftest import make_user
from kehu.customers.models import Source
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD
from kehu.opportunities.services import opportunity_create, opportunity_update, order_create
from kehu.reports.analyses.filters import parse_filters
from kehu.reports.analyses.models import SourceCost, Target
from kehu.reports.analyses.registry import analysis_run
from kehu.reports.analyses.services import source_cost_save, target_create
from kehu.reports.analyses.targets import targets_attainment

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PERIOD = {"from": "2026-10-01", "to": "2026-12-31"}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dataset(frozen, customer_factory, rep, rep2, manager, outsider, executive):
    fair = Source.objects.get_or_create(name="展会拜访", defaults={"code": "fair"})[0]
    web = Source.objects.get_or_create(name="官网注册", defaults={"code": "web"})[0]
    a = customer_factory(name="甲贸易有限公司", source=web.name, province="广东省", city="深圳市")
    b = customer_factory(
        name="乙贸易有限公司", source=fair.name, province="广东省", city="广州市", status="won"
    )
    c = customer_factory(
        actor=rep2, name="丙贸易有限公司", source=web.name, province="浙江省", city="杭州市"
    )
    d = customer_factory(
        actor=make_user("south-mgr", "manager", outsider.team),
        owner=outsider.username,
        name="丁贸易有限公司",
        source=web.name,
        province="北京市",
        status="lost",
    )
    interaction_log(actor=rep, customer=a, data={**STANDARD, "method": "phone"})
    interaction_log(
        actor=rep,
        customer=a,
        data={**STANDARD, "method": "visit", "occurred_at": (NOW - timedelta(days=3)).isoformat()},
    )
    interaction_log(actor=rep2, customer=c, data={**STANDARD, "method": "phone"})
    interaction_log(actor=outsider, customer=d, data={**STANDARD, "method": "phone"})
    order_create(actor=rep, customer=b, data={"signed_on": "2026-11-10", "amount": "100000"})
    order_create(actor=rep, customer=b, data={"signed_on": "2026-11-12", "amount": "50000"})
    opportunity = opportunity_create(
        actor=rep, customer=a, data={"title": "甲的机会", "expected_amount": "80000"}
    )
    opportunity_update(
        actor=rep,
        opportunity=opportunity,
        data={"stage": "needs_confirmed"},
        at=NOW + timedelta(days=2),
    )
    return {"A": a, "B": b, "C": c, "D": d, "web": web, "fair": fair}


def run(user, name, **params):
    return analysis_run(user, name, parse_filters({**PERIOD, **params}))


def figures(result):
    return {f.key: f.value for f in result.figures}


def test_acquisition_per_role(dataset, rep, manager, executive):
    assert figures(run(rep, "acquisition"))["new_customers"] == 2
    assert figures(run(rep, "acquisition"))["won"] == 1
    assert figures(run(manager, "acquisition"))["new_customers"] == 3
    everyone = run(executive, "acquisition")
    assert figures(everyone)["new_customers"] == 4
    assert figures(everyone)["conversion_rate"] == 0.25
    table = {row[0]: row for row in everyone.chart("conversion_by_source").rows}
    assert table["官网注册"][1:5] == [3, 2, 0, 0.0]
    assert table["展会拜访"][1:5] == [1, 0, 1, 1.0]
    over_time = everyone.chart("new_by_source")
    assert [r[0] for r in over_time.rows] == ["2026-10", "2026-11", "2026-12"]
    assert over_time.rows[1][1:] == [3, 1]


def test_acquisition_cost_per_customer(dataset, executive, marketing, rep):
    source_cost_save(actor=marketing, source=dataset["web"], month=NOW.date(), amount="3000")
    table = {r[0]: r for r in run(executive, "acquisition").chart("conversion_by_source").rows}
    assert table["官网注册"][5] == Decimal("3000.00")
    assert table["官网注册"][6] == Decimal("1000")  # 3,000 / 3 new customers
    assert table["官网注册"][7] is None  # none won
    rep_table = {r[0]: r for r in run(rep, "acquisition").chart("conversion_by_source").rows}
    assert rep_table["官网注册"][5] is None  # reps do not see costs


def test_activity_per_role(dataset, rep, manager, executive):
    mine = figures(run(rep, "activity"))
    assert mine["interactions"] == 2
    assert mine["customers"] == 1
    assert mine["timely_rate"] == 0.5
    assert mine["late_rate"] == 0.5
    assert mine["entry_delay"] == 36.0  # (0 h + 72 h) / 2
    assert mine["response_rate"] == 1.0
    team = run(manager, "activity")
    assert figures(team)["interactions"] == 3
    assert {r[0]: r[1] for r in team.chart("per_rep").rows} == {"张销售": 2, "李销售": 1}
    assert figures(run(executive, "activity"))["interactions"] == 4
    assert figures(run(executive, "activity", owner=str(rep.pk)))["interactions"] == 2


def test_response_rate_counts_no_answer(dataset, rep):
    from kehu.reports.analyses import activity

    original = activity.NO_ANSWER_FEEDBACK
    activity.NO_ANSWER_FEEDBACK = ("", "interested")  # as if both calls went unanswered
    try:
        assert figures(run(rep, "activity"))["response_rate"] == 0.0
    finally:
        activity.NO_ANSWER_FEEDBACK = original


def test_unanswered_calls_lower_the_response_rate(dataset, rep):
    interaction_log(
        actor=rep,
        customer=dataset["A"],
        data={**STANDARD, "method": "phone", "feedback": "no_answer"},
    )
    interaction_log(
        actor=rep,
        customer=dataset["A"],
        data={**STANDARD, "method": "phone", "feedback": "refused"},
    )
    mine = run(rep, "activity")
    assert figures(mine)["interactions"] == 4
    assert figures(mine)["response_rate"] == 0.5
    rows = mine.chart("method_share").rows
    assert any(r[1] == 3 and r[2] == 0.3333 for r in rows)  # 3 calls, 1 answered


def test_funnel_per_role(dataset, rep, manager, executive):
    mine = run(rep, "funnel")
    rows = mine.chart("customer_status").rows
    assert [r[1] for r in rows] == [2, 1, 1]  # A and B; B won (so passed 意向)
    assert rows[1][2] == 0.5 and rows[2][2] == 1.0
    stages = mine.chart("opportunity_stages").rows
    assert [r[1] for r in stages] == [1, 1, 0, 0, 0]
    assert stages[0][3] == 2.0  # two days in 初步接触
    assert [r[1] for r in run(manager, "funnel").chart("customer_status").rows] == [3, 1, 1]
    assert [r[1] for r in run(executive, "funnel").chart("customer_status").rows] == [4, 1, 1]


def test_funnel_cycle_medians(frozen, customer_factory, rep):
    """Days from creation to 意向 and from 意向 (or creation, when a customer skipped it) to 成交:
    medians over the cohort, the two middle values averaged when the count is even."""
    from kehu.customers.services import customer_change_status

    both = customer_factory(name="两步客户有限公司")
    direct = customer_factory(name="直接成交有限公司")
    customer_factory(name="未动客户有限公司")
    frozen.shift(timedelta(days=2))
    customer_change_status(actor=None, customer=both, status="intent", reason="要了报价")
    frozen.shift(timedelta(days=2))
    customer_change_status(actor=None, customer=direct, status="won", reason="签约")
    frozen.shift(timedelta(days=3))
    both.refresh_from_db()
    customer_change_status(actor=None, customer=both, status="won", reason="签约")
    rows = run(rep, "funnel").chart("customer_status").rows
    assert [r[1] for r in rows] == [3, 2, 2]
    assert rows[1][3] == 2.0  # only the first went through 意向, two days after creation
    assert rows[2][3] == 4.5  # 5 days from 意向 (the first), 4 from creation (the second)


def test_value_per_role(dataset, rep, manager, executive, support):
    mine = figures(run(rep, "value"))
    assert mine["revenue_to_date"] == Decimal("150000")
    assert mine["buyers"] == 1
    assert mine["repurchase_rate"] == 1.0
    assert mine["churn_rate"] == 0.0
    assert mine["ltv"] == Decimal("150000")
    everyone = figures(run(executive, "value"))
    assert everyone["churn_rate"] == 0.25  # D lost, of 4
    assert figures(run(manager, "value"))["churn_rate"] == 0.0
    assert figures(run(support, "value"))["revenue_to_date"] is None  # amounts as bands


def test_value_grades_and_octants(dataset, rep, executive):
    from kehu.value.models import CustomerValue

    CustomerValue.objects.create(
        customer=dataset["B"], grade="A", octant="diamond", lifecycle="active"
    )
    CustomerValue.objects.create(customer=dataset["C"], grade="B", octant="", lifecycle="new")
    CustomerValue.objects.create(customer=dataset["D"], grade="C", octant="watch", lifecycle="lost")
    mine = run(rep, "value")
    assert mine.chart("grades").rows == [["A", 1]]
    everyone = run(executive, "value")
    assert everyone.chart("grades").rows == [["A", 1], ["B", 1], ["C", 1]]
    assert sum(r[1] for r in everyone.chart("octants").rows) == 3
    assert len(everyone.chart("lifecycle").rows) == 3


def test_distribution_per_role(dataset, rep, executive):
    mine = run(rep, "distribution")
    assert mine.chart("by_province").rows == [["广东省", 2, "广东"]]
    everyone = run(executive, "distribution")
    provinces = {r[0]: r[1] for r in everyone.chart("by_province").rows}
    assert provinces == {"广东省": 2, "浙江省": 1, "北京市": 1}
    drill = run(executive, "distribution", region="广东省")
    assert {r[0]: r[1] for r in drill.chart("by_city").rows} == {"深圳市": 1, "广州市": 1}


def test_team_and_targets(dataset, rep, rep2, manager, executive, outsider):
    target_create(
        actor=manager,
        user=rep,
        team=None,
        period="quarter",
        period_start=NOW.date(),
        metric="revenue",
        amount="300000",
    )
    result = run(manager, "team")
    rows = {r[0]: r for r in result.chart("per_rep").rows}
    assert rows["张销售"][1:4] == [Decimal("150000"), Decimal("300000.00"), 0.5]
    assert rows["李销售"][7] == 1  # one new customer
    assert "赵销售" not in rows
    assert "赵销售" in {r[0] for r in run(executive, "team").chart("per_rep").rows}
    tiles = targets_attainment(manager, "2026-Q4")
    assert [(t["holder"], t["actual"], t["attainment"]) for t in tiles] == [
        ("张销售", 150000.0, 0.5)
    ]
    assert targets_attainment(outsider, "2026-Q4") == []


def test_filters_are_validated(client, rep):
    client.force_login(rep)
    assert client.get("/api/v1/reports/activity?from=2026-13-01").status_code == 422
    assert client.get("/api/v1/reports/activity?team=abc").status_code == 422
    assert client.get("/api/v1/reports/activity?region=%01").status_code == 422
    assert client.get("/reports/activity/?from=bad").status_code == 422
    assert client.get("/reports/nothing/").status_code == 404


def test_pages_and_api_agree(dataset, client, manager):
    client.force_login(manager)
    for name in ("acquisition", "activity", "funnel", "value", "distribution", "team"):
        page = client.get(f"/reports/{name}/", PERIOD)
        assert page.status_code == 200
        assert b'id="analysis-data"' in page.content
        data = client.get(f"/api/v1/reports/{name}", PERIOD).json()
        assert data["analysis"] == name
    assert client.get("/reports/").status_code == 200
    activity = client.get("/api/v1/reports/activity", PERIOD).json()
    assert {f["key"]: f["value"] for f in activity["figures"]}["interactions"] == 3


def test_csv_and_xlsx_exports_are_audited(dataset, client, manager):
    client.force_login(manager)
    before = AuditEntry.objects.filter(action="report.exported").count()
    response = client.get("/reports/activity/", {**PERIOD, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["Interactions by method over time"] or lines[0][0]
    per_rep = lines.index(next(line for line in lines if "张销售" in line))
    assert lines[per_rep][1] == "2"
    response = client.get("/api/v1/reports/team", {**PERIOD, "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "张销售" in names
    assert AuditEntry.objects.filter(action="report.exported").count() == before + 2
    assert ReadEntry.objects.filter(kind="export", actor=manager).count() == 2
    assert client.get("/reports/team/", {"format": "pdf"}).status_code == 422


def test_source_costs_api_permissions(dataset, api, rep, marketing, executive):
    payload = {"source_id": dataset["web"].pk, "month": "2026-11", "amount": "5000"}
    assert api.login(rep).post("/api/v1/source-costs", payload).status_code == 403
    assert api.login(executive).post("/api/v1/source-costs", payload).status_code == 403
    assert SourceCost.objects.count() == 0
    created = api.login(marketing).post("/api/v1/source-costs", payload)
    assert created.status_code == 201
    cost_id = created.json()["id"]
    assert api.login(executive).get("/api/v1/source-costs").json()[0]["amount"] == "5000.00"
    assert api.login(rep).get("/api/v1/source-costs").status_code == 403
    patched = api.login(marketing).patch(f"/api/v1/source-costs/{cost_id}", {"amount": "6000"})
    assert patched.json()["amount"] == "6000.00"
    assert api.login(marketing).delete(f"/api/v1/source-costs/{cost_id}").status_code == 204
    assert SourceCost.objects.count() == 0


def test_targets_api_permissions(dataset, api, rep, rep2, manager, outsider, admin_user):
    body = {
        "user_id": rep.pk,
        "period": "month",
        "period_start": "2026-11-01",
        "metric": "won_deals",
        "amount": "3",
    }
    assert api.login(rep).post("/api/v1/targets", body).status_code == 403
    south = {**body, "user_id": outsider.pk}
    assert api.login(manager).post("/api/v1/targets", south).status_code == 403
    assert Target.objects.count() == 0
    created = api.login(manager).post("/api/v1/targets", body)
    assert created.status_code == 201
    assert created.json()["holder"] == "张销售"
    assert api.login(manager).post("/api/v1/targets", body).status_code == 409
    target_id = created.json()["id"]
    assert api.login(admin_user).post("/api/v1/targets", south).status_code == 201
    listed = api.login(rep).get("/api/v1/targets", period="2026-11").json()
    assert [t["id"] for t in listed] == [target_id]
    assert (
        api.login(outsider).patch(f"/api/v1/targets/{target_id}", {"amount": 1}).status_code == 404
    )
    assert api.login(rep).patch(f"/api/v1/targets/{target_id}", {"amount": 1}).status_code == 403
    assert (
        api.login(manager).patch(f"/api/v1/targets/{target_id}", {"amount": 4}).status_code == 200
    )
    assert api.login(manager).delete(f"/api/v1/targets/{target_id}").status_code == 204
    assert api.login(rep).get("/api/v1/targets", period="2026-13").status_code == 422


def test_a_large_export_waits_for_the_manager(dataset, client, rep, settings):
    from kehu.review.models import ReviewItem, ReviewRule

    settings.KEHU_EXPORT_BASELINE_ROWS = 1
    ReviewRule.objects.update_or_create(
        kind="export_spike", defaults={"threshold": Decimal(2), "is_active": True}
    )
    client.force_login(rep)
    before = AuditEntry.objects.filter(action="report.exported").count()
    held = client.get("/api/v1/reports/activity", {**PERIOD, "format": "csv"})
    assert held.status_code == 202 and held.json()["code"] == "pending_review"
    item = ReviewItem.objects.get(status="pending")
    assert item.rule == "export_spike" and item.payload["analysis"] == "activity"
    assert AuditEntry.objects.filter(action="report.exported").count() == before
    page = client.get("/reports/activity/", {**PERIOD, "format": "xlsx"})
    assert page.status_code == 202


@pytest.mark.parametrize("name", ["acquisition", "activity", "funnel", "value", "team"])
@pytest.mark.parametrize(
    "period", [("0001-01-01", "0001-01-02"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "")]
)
def test_dates_at_the_calendars_ends_are_refused_not_a_crash(client, rep, name, period):
    client.force_login(rep)
    query = {"from": period[0], "to": period[1]}
    api = client.get(f"/api/v1/reports/{name}", query)
    assert api.status_code == 422, api.content[:300]
    assert "from" in api.json()["errors"]
    assert client.get(f"/reports/{name}/", query).status_code == 422
    assert client.get(f"/reports/{name}/", {**query, "format": "csv"}).status_code == 422


def test_a_reps_share_is_not_shown_as_the_teams_attainment(dataset, api, rep, manager):
    """The east team's revenue is 150,000 (B, the rep's); its new customers are A, B (the rep's)
    and C (rep2's). The rep sees the team's targets, but counts only their own book: no
    actual or attainment beside the team's target, on the targets API and the team analysis."""
    for metric, amount in (("revenue", "300000"), ("new_customers", "6")):
        target_create(
            actor=manager,
            user=None,
            team=manager.team,
            period="quarter",
            period_start=NOW.date(),
            metric=metric,
            amount=amount,
        )
    team_name = manager.team.name
    managers = {t["metric"]: t for t in api.login(manager).get("/api/v1/targets").json()}
    assert (managers["new_customers"]["actual"], managers["new_customers"]["attainment"]) == (
        3.0,
        0.5,
    )
    reps = {t["metric"]: t for t in api.login(rep).get("/api/v1/targets").json()}
    assert reps["new_customers"]["holder"] == team_name
    assert reps["new_customers"]["target"] == 6.0
    assert (reps["new_customers"]["actual"], reps["new_customers"]["attainment"]) == (None, None)
    row = {r[0]: r for r in run(rep, "team").chart("per_team").rows}[team_name]
    assert row[7] == 2  # the rep's own new customers, as counted in the rep's scope
    assert (row[8], row[9]) == (None, None)  # not set against the team's target of 6
    row = {r[0]: r for r in run(manager, "team").chart("per_team").rows}[team_name]
    assert row[7:10] == [3, Decimal("6.00"), 0.5]
