# ruff: noqa: F811  (the fixtures of test_analyses are imported by name)
"""The activity analysis read from the daily facts (kehu.reports.analyses.facts) equals the
live read, under each role's scope and the filters the facts can answer; the facts refresh
incrementally; the page shows their freshness; scopes the facts cannot express read live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from kehu.customers.services.ownership import customer_share
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD
from kehu.reports.analyses.facts import InteractionDayFact, facts_fresh_at, full_due
from kehu.reports.analyses.services import facts_refresh

from .test_analyses import NOW, PERIOD, dataset, figures, frozen, run  # noqa: F401

pytestmark = pytest.mark.django_db


def _shape(result):
    data = result.as_dict()
    return data["figures"], data["charts"]


def _cases(rep, rep2, manager, executive, outsider):
    return [
        (rep, {}),
        (rep2, {}),
        (manager, {}),
        (manager, {"owner": str(rep.pk)}),
        (executive, {}),
        (executive, {"owner": str(rep.pk)}),
        (executive, {"team": str(outsider.team_id)}),
        (executive, {"group": "week"}),
        (executive, {"from": "2026-11-12", "to": "2026-11-12"}),
        (outsider, {}),
    ]


def test_facts_equal_live_for_every_role(dataset, rep, rep2, manager, executive, outsider):
    cases = _cases(rep, rep2, manager, executive, outsider)
    live = [_shape(run(user, "activity", **params)) for user, params in cases]
    assert all(run(u, "activity", **p).fresh_at is None for u, p in cases)  # never built: live
    facts_refresh()
    assert InteractionDayFact.objects.exists()
    for (user, params), expected in zip(cases, live, strict=True):
        result = run(user, "activity", **params)
        assert result.fresh_at == NOW  # read from the facts
        got = _shape(result)
        assert got[0] == expected[0], (user.username, params)
        for chart, want in zip(got[1], expected[1], strict=True):
            assert chart == want, (user.username, params)
    assert figures(run(rep, "activity"))["interactions"] == 2
    assert figures(run(executive, "activity"))["interactions"] == 4


def test_filters_the_facts_do_not_keep_read_live(dataset, rep, executive):
    facts_refresh()
    by_region = run(executive, "activity", region="广东省")
    assert by_region.fresh_at is None
    assert figures(by_region)["interactions"] == 2
    by_source = run(executive, "activity", source=str(dataset["web"].pk))
    assert by_source.fresh_at is None
    assert figures(by_source)["interactions"] == 4


def test_shared_customers_are_added_live_to_the_facts(
    dataset, rep, rep2, manager, outsider, executive
):
    customer_share(actor=rep2, customer=dataset["C"], user=rep)  # another rep's, same team
    customer_share(actor=outsider, customer=dataset["D"], user=manager)  # another team's
    cases = [
        (rep, {}),
        (manager, {}),
        (manager, {"owner": str(outsider.pk)}),
        (rep, {"group": "week"}),
    ]
    live = [_shape(run(user, "activity", **params)) for user, params in cases]
    facts_refresh()
    for (user, params), expected in zip(cases, live, strict=True):
        result = run(user, "activity", **params)
        assert result.fresh_at == NOW, (user.username, params)  # facts, plus the shares live
        assert _shape(result) == expected, (user.username, params)
    mine = figures(run(rep, "activity"))
    assert mine["interactions"] == 3  # A twice, and C shared by rep2
    assert mine["customers"] == 2
    assert figures(run(manager, "activity"))["interactions"] == 4  # the team's 3, and D
    dist = run(rep, "distribution")
    assert dist.fresh_at is None  # the distribution reads a user with shares live
    assert figures(dist)["customers"] == 3


def test_incremental_refresh_picks_up_new_interactions(dataset, frozen, rep, executive):
    facts_refresh()
    assert not full_due()
    frozen.shift(timedelta(minutes=30))
    interaction_log(
        actor=rep,
        customer=dataset["A"],
        data={
            **STANDARD,
            "method": "visit",
            "occurred_at": (NOW - timedelta(days=10)).isoformat(),
        },
    )
    assert figures(run(executive, "activity"))["interactions"] == 4  # the facts lag
    result = facts_refresh()
    assert result["days"] >= 3  # today, yesterday, and the day ten days ago
    fresh = run(executive, "activity")
    assert fresh.fresh_at == NOW + timedelta(minutes=30)
    assert figures(fresh)["interactions"] == 5
    live = _shape(run(executive, "activity", region="广东省"))  # live read, A is in 广东省
    assert figures(run(executive, "activity", region="广东省"))["interactions"] == 3
    assert live[1][0] is not None
    facts_refresh(full=True)
    assert figures(run(executive, "activity"))["interactions"] == 5


def test_full_rebuild_once_a_day_and_by_command(dataset, frozen, executive):
    assert full_due()
    call_command("report_facts_rebuild", stdout=None)
    assert facts_fresh_at() == NOW
    assert not full_due()
    frozen.shift(timedelta(days=1, minutes=1))
    assert full_due()
    call_command("report_facts_rebuild", "--incremental")
    assert full_due()  # an incremental refresh leaves the full rebuild due


def test_the_page_shows_the_facts_freshness(dataset, frozen, client, manager):
    facts_refresh()
    frozen.shift(timedelta(hours=2))
    client.force_login(manager)
    page = client.get("/reports/activity/", PERIOD)
    assert page.status_code == 200
    assert "2026-11-15 10:00" in page.content.decode()  # the refresh, not now (12:00)
    live = client.get("/reports/activity/", {**PERIOD, "region": "广东省"})
    assert "2026-11-15 12:00" in live.content.decode()


def test_the_worker_task_refreshes_and_queues_the_next(dataset, settings):
    from kehu.reports.tasks import analysis_facts_refresh

    result = analysis_facts_refresh.call()
    assert result["rows"] > 0
    assert facts_fresh_at() == NOW


def test_distribution_facts_equal_live(dataset, rep, rep2, manager, executive, outsider):
    industry = str(dataset["A"].industry_id or "")
    cases = [
        (rep, {}),
        (rep2, {}),
        (manager, {}),
        (manager, {"owner": str(rep2.pk)}),
        (executive, {}),
        (executive, {"team": str(outsider.team_id)}),
        (outsider, {}),
    ]
    if industry:
        cases.append((executive, {"industry": industry}))
    live = [_shape(run(user, "distribution", **params)) for user, params in cases]
    facts_refresh()
    for (user, params), expected in zip(cases, live, strict=True):
        result = run(user, "distribution", **params)
        assert result.fresh_at == NOW, (user.username, params)
        assert _shape(result) == expected, (user.username, params)
    assert run(executive, "distribution", region="广东省").fresh_at is None  # cities: live
    assert figures(run(executive, "distribution"))["customers"] == 4


def test_value_facts_equal_live(dataset, rep, rep2, manager, executive, outsider):
    from kehu.value.services.nightly import values_recompute_all

    values_recompute_all(audit=False)  # the segments charts have rows to compare
    cases = [
        (rep, {}),
        (rep2, {}),
        (manager, {}),
        (executive, {}),
        (executive, {"group": "week"}),
        (outsider, {}),
    ]
    live = [_shape(run(user, "value", **params)) for user, params in cases]
    facts_refresh()
    for (user, params), expected in zip(cases, live, strict=True):
        result = run(user, "value", **params)
        assert result.fresh_at == NOW, (user.username, params)
        assert _shape(result) == expected, (user.username, params)
    assert run(executive, "value", owner=str(rep.pk)).fresh_at is None  # a filter: live
    from kehu.reports.analyses.filters import parse_filters
    from kehu.reports.analyses.value_facts import value_daily_rows

    assert value_daily_rows(executive, parse_filters(dict(PERIOD))) is not None  # stored
    charts = {c["key"]: c["rows"] for c in run(executive, "value").as_dict()["charts"]}
    assert charts["grades"] and charts["pipeline"] and charts["top_customers"]


def test_acquisition_funnel_and_team_stored_equal_live(
    dataset, rep, rep2, manager, executive, outsider
):
    """The worker's per-scope counts (stored.py) give the live figures and charts; a filter,
    another period or a changed scope counts live; a new target shows at once."""
    from kehu.customers.models import CustomerShare
    from kehu.reports.analyses.services import target_create

    cases: list[tuple[Any, dict[str, str]]] = [
        (u, {}) for u in (rep, rep2, manager, executive, outsider)
    ]
    cases += [(manager, {"group": "week"})]
    names = ("acquisition", "funnel", "team")
    live = {(n, i): _shape(run(u, n, **p)) for n in names for i, (u, p) in enumerate(cases)}
    assert all(run(u, n, **p).fresh_at is None for n in names for u, p in cases)
    facts_refresh()
    for n in names:
        for i, (user, params) in enumerate(cases):
            result = run(user, n, **params)
            assert result.fresh_at == NOW, (n, user.username)  # read from the store
            assert _shape(result) == live[(n, i)], (n, user.username, params)
    assert [r[1] for r in run(rep, "funnel").chart("customer_status").rows] == [2, 1, 1]
    assert run(manager, "funnel", owner=str(rep.pk)).fresh_at is None  # a filter: live
    assert run(rep, "funnel", **{"from": "2026-11-01", "to": "2026-11-30"}).fresh_at is None
    share = CustomerShare.objects.create(customer=dataset["C"], user=rep)
    assert run(rep, "team").fresh_at is None  # the scope changed since: live
    share.delete()
    target_create(
        actor=manager,
        user=rep,
        team=None,
        period="quarter",
        period_start=NOW.date(),
        metric="revenue",
        amount="300000",
    )
    result = run(rep, "team")
    assert result.fresh_at == NOW
    assert result.chart("per_rep").rows[0][2] == 300000.0  # the target, read now


def test_incremental_refresh_keeps_the_previous_quarter_unless_touched(dataset, frozen, rep):
    """The previous quarter's per-customer figures are rebuilt at the daily full rebuild, or
    when an interaction recorded since falls in that quarter; the current quarter's each time."""
    from kehu.reports.models import ReportSnapshot

    def stored_at(suffix):
        return ReportSnapshot.objects.get(
            kind="activity_customers", key="all" + suffix
        ).generated_at

    facts_refresh()  # full
    first = stored_at("|260701260930")
    frozen.shift(timedelta(hours=1))
    facts_refresh()
    assert stored_at("|260701260930") == first
    assert stored_at("|261001261231") > first
    interaction_log(
        actor=rep,
        customer=dataset["A"],
        data={**STANDARD, "method": "phone", "occurred_at": "2026-09-20T10:00:00+08:00"},
    )
    frozen.shift(timedelta(hours=1))
    facts_refresh()
    assert stored_at("|260701260930") > first
