# ruff: noqa: F811  (the fixtures of test_dashboard are imported by name)
"""The named reports stored per rep and manager (kehu.reports.people), on test_dashboard's
hand-computed dataset: stored equals live under each viewer's scope; a changed scope, an old
row, a month not stored or a customer handed over since reads live (or drops the row)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kehu.customers.models import CustomerShare
from kehu.reports.dashboard.tasks import dashboard_refresh, reports_weekly_run
from kehu.reports.health.services import people_reports_due, people_reports_store
from kehu.reports.models import ReportSnapshot

from .test_dashboard import dataset, frozen  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.django_db
KINDS = ("health", "churn", "dormancy")
MONTHS = ("2026-11", "2026-10")


def reports(api, user):
    """Every named report of this viewer, as the API gives it."""
    client = api.login(user)
    out = {kind: client.get(f"/api/v1/reports/{kind}").json() for kind in KINDS}
    for month in MONTHS:
        out[f"kpi {month}"] = client.get("/api/v1/reports/kpi", month=month).json()
    return out


def test_stored_equals_live_for_each_scope(api, rep, rep2, manager, outsider, dataset):
    people = (rep, rep2, manager, outsider)
    live = {user.pk: reports(api, user) for user in people}
    assert people_reports_store() == 4 * (len(KINDS) + len(MONTHS))
    for user in people:
        stored = reports(api, user)
        for name, body in stored.items():
            assert body["stored"] is True, (user.username, name)
            assert body["data"] == live[user.pk][name]["data"], (user.username, name)
    # the hand-computed figures, read from the store
    body = api.login(rep).get("/api/v1/reports/health").json()
    assert body["data"]["rollup"]["total"] == 3
    rows = api.login(manager).get("/api/v1/reports/churn").json()["data"]["customers"]
    assert [r["customer_no"] for r in rows] == [dataset["L"].customer_no]


def test_the_page_shows_the_stored_time(client, rep, dataset):
    people_reports_store()
    client.force_login(rep)
    page = client.get("/reports/health/").content.decode()
    assert "Figures over the customers you may see" in page or "您可见客户的数据更新于" in page


def test_a_changed_scope_or_an_old_row_reads_live(api, rep, rep2, team_south, dataset, frozen):
    people_reports_store()
    assert api.login(rep).get("/api/v1/reports/health").json()["stored"] is True
    assert api.get("/api/v1/reports/kpi", month="2026-09").json()["stored"] is False
    share = CustomerShare.objects.create(customer=dataset["S"], user=rep)
    body = api.get("/api/v1/reports/health").json()
    assert body["stored"] is False and body["data"]["rollup"]["total"] == 4  # S shared: live
    share.delete()
    assert api.get("/api/v1/reports/health").json()["stored"] is True
    rep2.team = team_south
    rep2.save(update_fields=["team"])
    assert api.login(rep2).get("/api/v1/reports/dormancy").json()["stored"] is False
    frozen.shift(timedelta(days=2, seconds=1))  # older than twice KEHU_PEOPLE_REPORT_SECONDS
    assert api.login(rep).get("/api/v1/reports/health").json()["stored"] is False


def test_a_customer_handed_over_since_leaves_the_stored_list(api, rep, rep2, dataset):
    people_reports_store()
    a = dataset["A"]
    a.owner = rep2
    a.save(update_fields=["owner"])
    body = api.login(rep).get("/api/v1/reports/health").json()
    assert body["stored"] is True
    numbers = {r["customer_no"] for r in body["data"]["customers"]}
    assert a.customer_no not in numbers and dataset["B"].customer_no in numbers


def test_weekly_run_stores_them_and_the_refresh_daily(api, rep, manager, dataset, frozen, settings):
    assert people_reports_due() is False  # never stored: the weekly run comes first
    dashboard_refresh.call()
    assert not ReportSnapshot.objects.filter(kind="health", key=f"rep:{rep.pk}").exists()
    result = reports_weekly_run()
    assert result["notified"] == 1 and result["people_reports"] > 0  # the manager's from the store
    assert people_reports_due() is False
    frozen.shift(timedelta(seconds=settings.KEHU_PEOPLE_REPORT_SECONDS))
    assert people_reports_due() is True
    assert dashboard_refresh.call()["people_reports"] > 0
    assert people_reports_due() is False
    settings.KEHU_PEOPLE_REPORT_SECONDS = 0
    assert people_reports_store() == 0
    assert api.login(rep).get("/api/v1/reports/health").json()["stored"] is False


def test_a_new_dormancy_window_drops_the_stored_rows(api, rep, admin_user, dataset):
    people_reports_store()
    api.login(admin_user).patch("/api/v1/reports/settings", {"dormancy_days": 30})
    for kind in ("dormancy", "churn"):
        body = api.login(rep).get(f"/api/v1/reports/{kind}").json()
        assert body["stored"] is False and body["data"]["window_days"] == 30
    assert api.get("/api/v1/reports/health").json()["stored"] is True


def test_stored_bands_read_in_the_readers_language(client, rep, admin_user, dataset):
    from django.utils import translation

    from kehu.reports.health.services import report_store

    with translation.override("zh-hans"):  # the worker's language
        people_reports_store()
        report_store("health")
    client.cookies["django_language"] = "en"  # the reader chose English
    for user in (rep, admin_user):
        client.force_login(user)
        body = client.get("/api/v1/reports/health").json()
        assert body["stored"] is True
        labels = {row["band_label"] for row in body["data"]["customers"]}
        assert labels and labels <= {"Healthy", "Watch", "At risk"}, labels
