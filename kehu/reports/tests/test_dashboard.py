"""The home dashboard per role and the named reports, on a small dataset computed by hand.

East (华东): rep 张销售 owns A (潜在, complete, source 官网注册), B (意向, incomplete) and W (成交,
complete, 官网注册, won on 11-10, never contacted, an order of 30,000 on 11-05); rep2 李销售 owns S
(潜在); the manager created L (流失, an order of 50,000, 10-15) for the rep. South: outsider
赵销售 owns E (潜在). Interactions: the rep on A now (timely) and on B three days ago (entered now:
late); the outsider on E now. Open opportunities: A proposal 100,000; S initial contact 50,000;
E negotiation 80,000. The rep's tasks: one due yesterday, one today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.audit.models import AuditEntry
from kehu.interactions.services import interaction_log
from kehu.interactions.services.followups import followup_create
from kehu.interactions.tests.helpers import STANDARD
from kehu.opportunities.services import opportunity_create, order_create
from kehu.reports.dashboard.selectors import snapshot_refresh
from kehu.reports.dashboard.tasks import dashboard_refresh, reports_weekly_run
from kehu.reports.models import ReportSetting

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COMPLETE = {
    "industry": "制造业",
    "size": "small",
    "source": "官网注册",
    "first_contact_date": "2026-11-01",
}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dataset(frozen, customer_factory, rep, rep2, manager, outsider):
    frozen.move_to(datetime(2026, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    lost = customer_factory(name="流失贸易有限公司", status="lost", **COMPLETE)
    order_create(actor=manager, customer=lost, data={"signed_on": "2026-10-15", "amount": "50000"})
    frozen.move_to(datetime(2026, 11, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    won = customer_factory(name="成交贸易有限公司", status="won", **COMPLETE)
    order_create(actor=manager, customer=won, data={"signed_on": "2026-11-05", "amount": "30000"})
    frozen.move_to(NOW)
    a = customer_factory(name="完整贸易有限公司", **COMPLETE)
    b = customer_factory(name="意向贸易有限公司", status="intent")
    s = customer_factory(actor=rep2, name="李氏贸易有限公司")
    e = customer_factory(actor=outsider, name="华南贸易有限公司")
    interaction_log(actor=rep, customer=a, data={**STANDARD, "method": "phone"})
    interaction_log(
        actor=rep,
        customer=b,
        data={**STANDARD, "method": "visit", "occurred_at": (NOW - timedelta(days=3)).isoformat()},
    )
    interaction_log(actor=outsider, customer=e, data={**STANDARD, "method": "phone"})
    for actor, customer, stage, amount in (
        (rep, a, "proposal", 100000),
        (rep2, s, "initial_contact", 50000),
        (outsider, e, "negotiation", 80000),
    ):
        opportunity_create(
            actor=actor,
            customer=customer,
            data={
                "title": f"{customer.name}项目",
                "stage": stage,
                "expected_amount": amount,
                "expected_close_date": "2026-12-15",
            },
        )
    today = date(2026, 11, 27)
    followup_create(
        actor=rep, customer=a, kind="other", title="逾期", due_date=today - timedelta(1)
    )
    followup_create(actor=rep, customer=b, kind="other", title="今天", due_date=today)
    return {"A": a, "B": b, "W": won, "L": lost, "S": s, "E": e}


def tiles(api, user):
    body = api.login(user).get("/api/v1/dashboard").json()
    return {t["key"]: {i["key"]: i for i in t["items"]} for t in body["tiles"]}, body


def test_rep_dashboard_counts_their_book(api, rep, dataset):
    got, body = tiles(api, rep)
    assert body["role"] == "rep" and body["generated_at"] is None
    assert got["my_day"]["overdue"]["value"] == 1
    assert got["my_day"]["today"]["value"] == 1
    assert got["pipeline"]["proposal"]["value"] == 1
    assert got["pipeline"]["initial_contact"]["value"] == 0  # S is rep2's
    assert got["pipeline"]["proposal"]["link"] == "/opportunities/?stage=proposal&owner=me"
    # A, W complete; B incomplete (L is lost but still the rep's: complete) -> 3 of 4.
    assert got["completeness"]["complete_rate"]["value"] == 0.75
    assert got["completeness"]["incomplete"]["value"] == 1
    assert got["completeness"]["incomplete"]["link"] == "/customers/?owner=me&quality=incomplete"
    # kehu.value is installed; no CustomerValue row is computed in this dataset yet
    assert {k: i["value"] for k, i in got["lifecycle"].items()} == dict.fromkeys(
        ("new", "active", "dormant", "lost"), 0
    )


def test_manager_dashboard_counts_the_team(api, manager, dataset):
    got, _body = tiles(api, manager)
    funnel = got["funnel"]
    assert (funnel["lead"]["value"], funnel["intent"]["value"], funnel["won"]["value"]) == (2, 1, 1)
    assert funnel["lost"]["value"] == 1
    assert funnel["rate_lead_intent"]["value"] == 0.5  # (1 + 1) of 4
    assert funnel["rate_intent_won"]["value"] == 0.5  # 1 of 2
    assert funnel["lead"]["link"] == "/customers/?status=lead"
    assert got["pipeline"]["proposal"]["value"] == 1
    assert got["pipeline"]["initial_contact"]["value"] == 1
    assert got["pipeline"]["negotiation"]["value"] == 0  # E is the south team's
    activity = {i["label"]: i["value"] for i in got["activity"].values()}
    assert activity["张销售"] == 2 and activity["李销售"] == 0
    assert "赵销售" not in activity
    assert got["review"]["pending"]["value"] >= 0
    board = got["quality_board"]
    assert board[f"owner:{dataset['A'].owner_id}"]["value"] == 0.75
    assert "targets" not in got  # the slot stays empty until targets are wired


def test_executive_dashboard_company_kpis(api, executive, dataset):
    got, body = tiles(api, executive)
    assert body["generated_at"] is not None  # from the stored company snapshot
    month = got["kpi_month"]
    assert month["new_customers"]["value"] == 5  # W, A, B, S, E
    assert month["new_customers"]["previous"] == 1  # L
    assert month["new_customers"]["change"] == 4.0
    assert month["won_customers"]["value"] == 1
    assert month["revenue"]["value"] == 30000.0
    assert month["revenue"]["previous"] == 50000.0
    assert month["interactions"]["value"] == 3
    pipeline = got["company_pipeline"]
    assert pipeline["open_amount"]["value"] == 230000.0
    assert got["funnel"]["lead"]["value"] == 3  # A, S, E


def test_a_unit_steward_sees_the_unit_not_the_company(api, rep, executive, dataset):
    from kehu.accounts.models import Role
    from kehu.conftest import make_user

    steward = make_user("east-steward", Role.STEWARD, None, steward_unit=rep.team)
    got, body = tiles(api, steward)
    assert body["generated_at"] is None  # counted live over the unit, not the company snapshot
    assert got["funnel"]["lead"]["value"] == 2  # A and S; E is the south team's
    assert tiles(api, executive)[0]["funnel"]["lead"]["value"] == 3


def test_snapshot_freshness_and_refresh(api, executive, dataset, frozen):
    snapshot_refresh()
    frozen.shift(timedelta(minutes=5))
    page = api.login(executive).client.get("/")
    assert page.status_code == 200
    assert "2026-11-27 10:00" in page.content.decode()  # the snapshot's time is shown
    result = dashboard_refresh.call()
    assert result["refreshed"] == 1


def test_support_and_marketing(api, support, marketing, dataset):
    got, _ = tiles(api, support)
    assert got["onboarding"]["count"]["value"] == 1  # W: won 11-10, no interaction since
    assert dataset["W"].customer_no in got["onboarding"]
    got, _ = tiles(api, marketing)
    sources = {i["label"]: i for i in got["sources"].values()}
    assert sources["官网注册"]["value"] == 1  # A (W and L are not prospects)
    assert "33.3%" in sources["官网注册"]["display"]  # of A, W, L one was won


def test_home_page_per_role_has_tiles_and_tables(client, rep, executive, dataset):
    client.force_login(rep)
    page = client.get("/").content.decode()
    assert 'id="tile-my_day"' in page and 'data-chart="bar"' in page
    assert 'id="chart-data-pipeline"' in page and "/my-day/" in page
    client.force_login(executive)
    page = client.get("/").content.decode()
    assert 'id="tile-kpi_month"' in page and 'id="dashboard-freshness"' in page


def test_anonymous_is_sent_to_login(client):
    assert client.get("/").url.startswith("/login/")
    assert client.get("/api/v1/dashboard").status_code == 401


# --- Named reports


def test_health_report_of_the_rep(api, rep, dataset):
    body = api.login(rep).get("/api/v1/reports/health").json()
    assert body["stored"] is False
    rollup = body["data"]["rollup"]
    assert rollup["total"] == 3  # A, B, W (L is lost)
    assert rollup["last_30"] == 2 and rollup["previous_30"] == 0
    rows = {r["customer_no"]: r for r in body["data"]["customers"]}
    assert set(rows) == {dataset[k].customer_no for k in "ABW"}
    w = rows[dataset["W"].customer_no]
    assert w["band"] == "at_risk" and w["last_order"] == "2026-11-05" and w["recency_days"] == 22
    assert rows[dataset["A"].customer_no]["open_tasks"] == 1 + 1  # the overdue task + next action


def test_health_report_is_stored_for_the_executive(api, executive, dataset):
    body = api.login(executive).get("/api/v1/reports/health").json()
    assert body["stored"] is True
    assert body["data"]["rollup"]["total"] == 5  # A, B, W, S, E


def test_churn_lists_lost_high_value_customers(api, manager, outsider, dataset):
    body = api.login(manager).get("/api/v1/reports/churn").json()
    rows = body["data"]["customers"]
    assert [r["customer_no"] for r in rows] == [dataset["L"].customer_no]
    assert rows[0]["revenue"] == 50000.0 and rows[0]["dormant"] is False
    assert api.login(outsider).get("/api/v1/reports/churn").json()["data"]["customers"] == []


def test_dormancy_rate_and_window(api, rep, admin_user, dataset, frozen):
    body = api.login(rep).get("/api/v1/reports/dormancy").json()["data"]
    assert (body["total"], body["dormant"], body["window_days"]) == (3, 0, 90)
    api.login(admin_user).patch("/api/v1/reports/settings", {"dormancy_days": 1})
    frozen.shift(timedelta(days=2))
    body = api.login(rep).get("/api/v1/reports/dormancy").json()["data"]
    assert (body["total"], body["dormant"]) == (3, 3)  # nobody was contacted in the last day


def test_kpi_sheet_against_targets(api, rep, dataset):
    body = api.login(rep).get("/api/v1/reports/kpi", month="2026-11").json()["data"]
    overall = {m["key"]: m for m in body["overall"]}
    assert overall["timeliness"]["value"] == 0.5  # B's was entered three days late
    assert overall["completeness"]["value"] == pytest.approx(0.6667)  # A, W of A, B, W
    assert overall["update_rate"]["value"] == pytest.approx(0.6667)  # A, B of A, B, W
    assert overall["update_rate"]["target"] == 0.95 and overall["update_rate"]["met"] is False
    assert api.get("/api/v1/reports/kpi", month="2026-13").status_code == 422
    assert api.get("/api/v1/reports/kpi", month="x\x07").status_code == 422


def test_kpi_sheet_is_stored_for_read_all_roles(api, rep, executive, dataset, frozen):
    """The company's sheet is stored on the worker and read while fresh; a target change
    drops the stored sheets so the next read carries the new target."""
    from django.utils import timezone

    from kehu.customers.models import Customer
    from kehu.reports.health.figures import kpi_sheet
    from kehu.reports.models import ReportSnapshot

    month = date.today().strftime("%Y-%m")
    dashboard_refresh.call()
    assert ReportSnapshot.objects.filter(kind="kpi", key=f"all|{month}").exists()
    body = api.login(executive).get("/api/v1/reports/kpi", month="2026-11").json()
    assert body["stored"] is True
    live = kpi_sheet(Customer.objects.all(), date(2026, 11, 1), timezone.now())
    assert body["data"]["overall"] == live["overall"] and body["data"]["reps"] == live["reps"]
    assert len(body["data"]["reps"]) > 1  # the whole company's, not one book
    assert "（后台定时刷新）" in api.client.get("/reports/kpi/?month=2026-11").text
    assert api.patch("/api/v1/reports/settings", {"kpi_update_rate_target": 80}).status_code == 200
    body = api.get("/api/v1/reports/kpi", month="2026-11").json()
    assert {m["key"]: m for m in body["data"]["overall"]}["update_rate"]["target"] == 0.8
    frozen.shift(timedelta(days=1))  # older than two refresh intervals: computed again
    assert (
        api.get("/api/v1/reports/kpi", month="2026-11").json()["generated_at"]
        != body["generated_at"]
    )
    assert api.login(rep).get("/api/v1/reports/kpi", month="2026-11").json()["stored"] is False


def test_report_settings_only_for_admins_and_executives(api, rep, executive, dataset):
    before = AuditEntry.objects.count()
    response = api.login(rep).patch("/api/v1/reports/settings", {"kpi_update_rate_target": 90})
    assert response.status_code == 403
    assert not ReportSetting.objects.exists() and AuditEntry.objects.count() == before
    response = api.login(executive).patch(
        "/api/v1/reports/settings", {"kpi_update_rate_target": 90}
    )
    assert response.status_code == 200 and response.json()["kpi_update_rate_target"] == 0.9
    assert AuditEntry.objects.filter(action="report_settings.updated").count() == 1
    bad = api.patch("/api/v1/reports/settings", {"dormancy_days": 0})
    assert bad.status_code == 422


def test_weekly_run_notifies_managers_and_executives(manager, executive, rep, dataset):
    from kehu.accounts.models import Notification

    result = reports_weekly_run()
    assert result["notified"] == 2
    note = Notification.objects.get(user=manager)
    assert note.link == "/reports/dormancy/"
    assert not Notification.objects.filter(user=rep).exists()


def test_report_pages_render(client, rep, executive, dataset):
    for user in (rep, executive):
        client.force_login(user)
        for name in ("health", "churn", "dormancy", "kpi"):
            response = client.get(f"/reports/{name}/")
            assert response.status_code == 200, name
    assert client.get("/reports/kpi/", {"month": "nope"}).status_code == 422
    response = client.post("/reports/kpi/", {"kpi_timeliness_target": "90"})
    assert response.status_code == 302
    assert ReportSetting.objects.get(key="kpi_timeliness_target").value == 0.9
    assert Decimal("0.9") == Decimal(str(ReportSetting.objects.get().value))


def test_weekly_reports_are_due_after_the_first_import_and_weekly(dataset, frozen, settings):
    from kehu.reports.dashboard.tasks import reports_due
    from kehu.reports.health.services import report_store

    assert reports_due() is False  # no import finished, nothing stored yet
    report_store("health")
    assert reports_due() is False
    frozen.shift(timedelta(seconds=settings.KEHU_WEEKLY_REPORT_SECONDS))
    assert reports_due() is True


def test_rep_reads_the_book_snapshot_when_fresh(api, rep, dataset, frozen):
    live, body = tiles(api, rep)
    assert body["generated_at"] is None
    snapshot_refresh()
    stored, body = tiles(api, rep)
    assert body["generated_at"] is not None  # the book's counts came from the worker
    assert stored == live  # the same figures, the pipeline's amounts and forecast included
    assert stored["pipeline"]["proposal"]["value"] == 1
    assert stored["completeness"]["complete"]["value"] == 3
    frozen.shift(timedelta(hours=1))  # older than two refresh periods: counted live again
    _got, body = tiles(api, rep)
    assert body["generated_at"] is None


def test_manager_reads_the_team_snapshot_when_fresh(api, manager, dataset, frozen):
    live, _body = tiles(api, manager)
    snapshot_refresh()
    stored, _body = tiles(api, manager)
    assert stored == live  # the pipeline, forecast and activity per rep included
    assert stored["activity"] and stored["pipeline"]["proposal"]["value"] == 1
    got, body = tiles(api, manager)
    assert body["generated_at"] is not None  # the team's figures came from the worker
    assert got["funnel"]["lead"]["value"] == 2 and got["funnel"]["won"]["value"] == 1
    assert got["quality_board"][f"owner:{dataset['A'].owner_id}"]["value"] == 0.75
    frozen.shift(timedelta(hours=1))  # older than two refresh periods: counted live again
    _got, body = tiles(api, manager)
    assert body["generated_at"] is None


def test_marketing_funnel_leaves_out_what_marketing_cannot_see(api, marketing, dataset):
    """Marketing sees the prospects only: the funnel shows 潜在 and 意向, not 成交 0, 流失 0 and
    a 意向 → 成交 conversion of 0.0% (the company's W was won)."""
    got, _ = tiles(api, marketing)
    assert list(got["funnel"]) == ["lead", "intent"]
    assert got["funnel"]["lead"]["link"] == "/customers/?status=lead"
