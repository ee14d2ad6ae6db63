"""Data-quality dashboard, snapshots, alerts and the quarterly audit on a small known dataset."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from openpyxl import load_workbook

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD
from kehu.reports.exports import neutralise
from kehu.reports.models import QualityAlert, QualitySnapshot
from kehu.reports.services import is_alarming, quality_nightly

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COMPLETE = {
    "industry": "制造业",
    "size": "small",
    "source": "官网注册",
    "first_contact_date": "2026-11-20",
}
DASHBOARD = "/api/v1/reports/quality"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dataset(frozen, customer_factory, rep, rep2, outsider, manager):
    """East: S (rep2, stale, complete), A (rep, complete), B (rep, incomplete, duplicate);
    South: E (outsider, incomplete, duplicate of B). Two interactions on A, one late."""
    frozen.move_to(NOW - timedelta(days=200))
    silent = customer_factory(
        actor=rep2, name="久未联系有限公司", **{**COMPLETE, "first_contact_date": "2026-05-01"}
    )
    frozen.move_to(NOW)
    complete = customer_factory(name="完整贸易有限公司", **COMPLETE)
    duplicate = customer_factory(name="重复贸易有限公司")
    other = customer_factory(actor=outsider, name="重复贸易有限公司")
    interaction_log(actor=rep, customer=complete, data={**STANDARD, "method": "phone"})
    interaction_log(
        actor=rep,
        customer=complete,
        data={**STANDARD, "method": "visit", "occurred_at": (NOW - timedelta(days=3)).isoformat()},
    )
    return {"S": silent, "A": complete, "B": duplicate, "E": other}


def by_label(rows, label):
    [row] = [r for r in rows if r["label"] == label]
    return row


def test_dashboard_figures_on_a_known_dataset(api, admin_user, dataset):
    body = api.login(admin_user).get(DASHBOARD).json()
    overall = body["overall"]
    assert (overall["customers"], overall["complete"], overall["duplicates"]) == (4, 2, 2)
    assert (overall["stale"], overall["interactions"], overall["timely"]) == (1, 2, 1)
    assert overall["completeness_rate"] == 0.5
    assert overall["duplicate_rate"] == 0.5
    assert overall["stale_rate"] == 0.25
    assert overall["timely_rate"] == 0.5
    east = by_label(body["teams"], "华东销售部")
    assert (east["customers"], east["complete"], east["duplicates"], east["stale"]) == (3, 2, 1, 1)
    assert east["completeness_rate"] == pytest.approx(0.6667)
    south = by_label(body["teams"], "华南销售部")
    assert (south["customers"], south["duplicate_rate"], south["timely_rate"]) == (1, 1.0, None)
    rep_row = by_label(body["reps"], "张销售")
    assert (rep_row["customers"], rep_row["completeness_rate"], rep_row["timely_rate"]) == (
        2,
        0.5,
        0.5,
    )
    # Ranked by completeness, best first: 李销售 (1.0), 张销售 (0.5), 赵销售 (0.0).
    assert [r["label"] for r in body["reps"]] == ["李销售", "张销售", "赵销售"]
    stale_first = api.get(DASHBOARD, sort="stale_rate").json()["reps"]
    assert stale_first[-1]["label"] == "李销售"


def test_figures_respect_visibility(api, manager, rep, outsider, dataset):
    body = api.login(manager).get(DASHBOARD).json()
    assert body["overall"]["customers"] == 3
    assert [t["label"] for t in body["teams"]] == ["华东销售部"]
    assert {r["label"] for r in body["reps"]} == {"张销售", "李销售"}

    body = api.login(rep).get(DASHBOARD).json()
    assert body["overall"]["customers"] == 2
    assert [r["label"] for r in body["reps"]] == ["张销售"]

    body = api.login(outsider).get(DASHBOARD).json()
    assert body["overall"]["customers"] == 1
    assert body["overall"]["duplicates"] == 1  # its twin is in another team, still a duplicate
    assert [r["label"] for r in body["reps"]] == ["赵销售"]


def test_dashboard_page_shows_only_the_viewers_teams(client, manager, outsider, dataset):
    client.force_login(manager)
    page = client.get("/reports/quality/")
    assert page.status_code == 200
    assert "华东销售部" in page.content.decode()
    assert "赵销售" not in page.content.decode()
    client.force_login(outsider)
    assert "华东销售部" not in client.get("/reports/quality/").content.decode()


def test_anonymous_gets_nothing(api, client, dataset):
    assert api.get(DASHBOARD).status_code == 401
    assert client.get("/reports/quality/").status_code == 302


@pytest.mark.parametrize(
    ("value", "baseline", "alarming"),
    [
        (0.68, 0.8, True),
        (0.92, 0.8, True),
        (0.69, 0.8, False),
        (0.9, 0.8, False),
        (0.1, 0.0, False),
        (0.15, 0.0, True),
    ],
)
def test_alert_threshold_is_fifteen_percent_of_the_baseline(value, baseline, alarming):
    assert is_alarming(value, baseline)[0] is alarming


def _history(key, team, *, days=28, **counts):
    for back in range(1, days + 1):
        QualitySnapshot.objects.create(
            day=NOW.date() - timedelta(days=back), key=key, scope="team", team=team, **counts
        )


EAST_BEFORE = {  # as today, but 80 % complete
    "customers": 30, "complete": 24, "duplicates": 10, "stale": 10, "interactions": 20, "timely": 10
}  # fmt: skip


def test_nightly_snapshot_and_alert_for_the_teams_manager(
    api, manager, rep, outsider, team_east, team_south, dataset
):
    _history(f"team:{team_east.pk}", team_east, **EAST_BEFORE)  # today 66.7 % complete
    _history(f"team:{team_south.pk}", team_south, customers=1, duplicates=1)  # as today
    result = quality_nightly()
    assert result["snapshots"] == 1 + 2 + 3
    today = QualitySnapshot.objects.filter(day=NOW.date())
    assert set(today.values_list("key", flat=True)) == {
        "all",
        f"team:{team_east.pk}",
        f"team:{team_south.pk}",
        f"owner:{rep.pk}",
        f"owner:{dataset['S'].owner_id}",
        f"owner:{outsider.pk}",
    }
    alert = QualityAlert.objects.get()
    assert (alert.metric, alert.team, alert.recipient) == ("completeness_rate", team_east, manager)
    assert alert.baseline == 0.8 and alert.change == pytest.approx(-0.1667, abs=1e-4)
    assert alert.is_worse
    assert AuditEntry.objects.filter(action="quality.alert", source="rule").count() == 1

    quality_nightly()  # a re-run replaces the day's snapshot and keeps one alert
    assert QualityAlert.objects.count() == 1
    assert QualitySnapshot.objects.filter(day=NOW.date()).count() == 6

    assert len(api.login(manager).get(f"{DASHBOARD}/alerts").json()) == 1
    assert api.get(DASHBOARD).json()["alerts"][0]["metric"] == "completeness_rate"
    assert api.login(outsider).get(f"{DASHBOARD}/alerts").json() == []
    assert api.login(rep).get(f"{DASHBOARD}/alerts").json() == []


def test_trend_follows_the_viewers_scope(api, manager, rep, team_east, dataset):
    _history(f"team:{team_east.pk}", team_east, days=5, **EAST_BEFORE)
    call_command("quality_snapshot")
    points = api.login(manager).get(f"{DASHBOARD}/trend").json()
    assert len(points) == 6
    assert points[0]["completeness_rate"] == 0.8
    assert points[-1]["customers"] == 3
    assert api.login(rep).get(f"{DASHBOARD}/trend", key=f"team:{team_east.pk}").json() == []
    assert len(api.get(f"{DASHBOARD}/trend").json()) == 1  # the rep's own line


def test_no_alert_without_enough_history(team_east, dataset):
    _history(f"team:{team_east.pk}", team_east, days=3, **EAST_BEFORE)
    with override_settings(KEHU_QUALITY_BASELINE_MIN_DAYS=7):
        quality_nightly()
    assert not QualityAlert.objects.exists()


# --- Quarterly audit


@pytest.fixture
def broken(dataset):
    """An old import left values today's validators refuse, and a formula-like name."""
    Customer.objects.filter(pk=dataset["B"].pk).update(
        phone="12345", email="not-an-email", credit_code="91350100M000100Y4X"
    )
    Customer.objects.filter(pk=dataset["E"].pk).update(name='=HYPERLINK("http://x")')
    return dataset


def test_quarterly_audit_sections(api, admin_user, broken):
    body = api.login(admin_user).get(f"{DASHBOARD}/audit", quarter="2026Q4").json()
    assert (body["quarter"], body["start"], body["end"]) == ("2026Q4", "2026-10-01", "2026-12-31")
    sections = {s["section"]: s for s in body["sections"]}
    assert {r["customer_no"] for r in sections["silent"]["rows"]} == {
        broken[k].customer_no for k in ("S", "B", "E")
    }
    assert sections["duplicate"]["customers"] == 2
    assert {r["field"] for r in sections["format"]["rows"]} == {"phone", "email", "credit_code"}
    assert sections["missing"]["customers"] == 2


def test_quarterly_audit_is_scoped(api, rep, broken):
    body = api.login(rep).get(f"{DASHBOARD}/audit", quarter="2026Q4").json()
    numbers = {r["customer_no"] for s in body["sections"] for r in s["rows"]}
    assert numbers <= {broken["A"].customer_no, broken["B"].customer_no}
    assert body["customers"] == 2


def test_bad_quarter_is_named(api, client, admin_user, dataset):
    response = api.login(admin_user).get(f"{DASHBOARD}/audit", quarter="2026Q5")
    assert response.status_code == 422
    assert "quarter" in response.json()["errors"]
    assert client.get("/reports/quality/audit/", {"quarter": "x"}).status_code == 422


@pytest.mark.parametrize("raw", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_starters(raw):
    assert neutralise(raw) == "'" + raw
    assert neutralise("华东=ok") == "华东=ok"


def test_csv_export_neutralises_cells(client, admin_user, broken):
    client.force_login(admin_user)
    response = client.get("/reports/quality/audit/export.csv", {"quarter": "2026Q4"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_xlsx_export_neutralises_cells(api, admin_user, broken):
    response = api.login(admin_user).get(
        f"{DASHBOARD}/audit/export", quarter="2026Q4", format="xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
    assert not any(str(n).startswith("=") for n in names)
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)


def test_audit_page_renders(client, manager, broken):
    client.force_login(manager)
    page = client.get("/reports/quality/audit/", {"quarter": "2026Q4"})
    assert page.status_code == 200
    assert broken["B"].customer_no in page.content.decode()
    assert broken["E"].customer_no not in page.content.decode()


def test_duplicate_rate_uses_dedupes_open_pairs_once_there_are_any(api, admin_user, rep, dataset):
    from django.apps import apps

    if not apps.is_installed("kehu.dedupe"):
        pytest.skip("kehu.dedupe is not installed")
    pair_model = apps.get_model("dedupe", "DuplicatePair")
    first, second = sorted([dataset["S"], dataset["A"]], key=lambda c: c.pk)
    pair_model.objects.create(customer_a=first, customer_b=second, score=0.98)
    pair_model.objects.create(
        customer_a=dataset["B"], customer_b=dataset["E"], score=0.9, status="not_duplicate"
    )
    body = api.login(admin_user).get(DASHBOARD).json()
    assert body["overall"]["duplicates"] == 2  # S and A; B~E was judged not a duplicate
    assert body["duplicate_measure"].startswith("查重扫描")  # customers in an open candidate pair
    audit = api.get(f"{DASHBOARD}/audit", quarter="2026Q4").json()
    [duplicates] = [s for s in audit["sections"] if s["section"] == "duplicate"]
    assert {r["customer_no"] for r in duplicates["rows"]} == {first.customer_no, second.customer_no}
    # The rep sees A's pair, but not S's number (another rep's customer).
    audit = api.login(rep).get(f"{DASHBOARD}/audit", quarter="2026Q4").json()
    [duplicates] = [s for s in audit["sections"] if s["section"] == "duplicate"]
    [row] = duplicates["rows"]
    assert row["customer_no"] == dataset["A"].customer_no
    assert dataset["S"].customer_no not in row["detail"] and "不在您的可见范围内" in row["detail"]
