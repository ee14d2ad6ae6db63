"""The whole-database scan: pairs, explanations, the CLI's CSV, decisions that stick."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import pytest
from django.core.management import call_command

from kehu.core.spreadsheet import neutralize_cell
from kehu.customers.models import Customer
from kehu.dedupe.models import DuplicatePair
from kehu.dedupe.scan import scan_customers
from kehu.dedupe.services import dedupe_scan_run, pair_mark_not_duplicate


def _unrelated(customer_factory: Any) -> Any:
    return customer_factory(
        name="北京华夏物流有限公司",
        city="北京市",
        address="北京市朝阳区建国路1号",
        decision_maker={"name": "李娜", "title": "经理", "mobile": "13700000001"},
    )


def test_scan_finds_the_pair_and_explains_it(pair_of_customers: Any, customer_factory: Any) -> None:
    a, b = pair_of_customers
    _unrelated(customer_factory)
    pairs = scan_customers()
    assert [(p.id_a, p.id_b) for p in pairs] == [(a.pk, b.pk)]
    reasons = {r["field"]: r for r in pairs[0].explanation()}
    assert reasons["phone"]["level"] == "same mobile" and reasons["phone"]["weight"] > 0
    assert reasons["name"]["level"] == "same" and reasons["name"]["weight"] > 0
    assert reasons["contact"]["level"] == "same person"
    assert reasons["address"]["weight"] > 0
    assert reasons["credit_code"]["level"] == "missing"


def test_explanation_shows_what_pulled_the_score_down(customer_factory: Any) -> None:
    customer_factory(
        name="深圳市华信软件有限公司",
        city="深圳市",
        decision_maker={"name": "王建国", "title": "总经理", "mobile": "13912345678"},
    )
    customer_factory(
        name="华信软件有限公司",
        city="广州市",
        decision_maker={"name": "王建国", "title": "总经理", "mobile": "13912345678"},
    )
    pairs = scan_customers(threshold=0.0)
    reasons = {r["field"]: r for r in pairs[0].explanation()}
    assert reasons["city"]["level"] == "different" and reasons["city"]["weight"] < 0


def test_hard_negative_is_not_proposed(customer_factory: Any) -> None:
    customer_factory(name="北京华为科技有限公司", city="北京市")
    customer_factory(name="北京华夏科技有限公司", city="北京市")
    assert scan_customers() == []


def test_cli_writes_exactly_the_columns(pair_of_customers: Any, tmp_path: Any) -> None:
    a, b = pair_of_customers
    out = tmp_path / "pairs.csv"
    call_command("dedupe_scan", "--output", str(out), stderr=io.StringIO())
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["customer_no_a", "customer_no_b", "external_id_a", "external_id_b", "score"]
    assert len(rows) == 2
    assert rows[1][:2] == [a.customer_no, b.customer_no]
    assert 0.9 <= float(rows[1][4]) <= 1.0


def test_scan_task_stores_pairs_and_not_a_duplicate_sticks(
    pair_of_customers: Any, steward: Any, tmp_path: Any
) -> None:
    assert dedupe_scan_run() == {"pairs": 1, "new": 1}
    pair = DuplicatePair.objects.get()
    assert pair.explanation and pair.status == DuplicatePair.Status.OPEN
    pair_mark_not_duplicate(actor=steward, pair=pair)
    assert dedupe_scan_run() == {"pairs": 0, "new": 0}
    out = tmp_path / "pairs.csv"
    call_command("dedupe_scan", "--output", str(out), stderr=io.StringIO())
    assert len(out.read_text().splitlines()) == 1
    assert DuplicatePair.objects.get().status == DuplicatePair.Status.NOT_DUPLICATE


def test_scan_api_starts_a_job(api: Any, steward: Any, rep: Any, pair_of_customers: Any) -> None:
    assert api.login(rep).post("/api/v1/dedupe/scan").status_code == 403
    response = api.login(steward).post("/api/v1/dedupe/scan")
    assert response.status_code == 202
    assert response.json()["url"].startswith("/api/v1/jobs/")


def test_cli_neutralises_formula_like_cells(pair_of_customers: Any, tmp_path: Any) -> None:
    """External ids come from other systems; a spreadsheet must not run them (issue 14.20)."""
    a, b = pair_of_customers
    Customer.objects.filter(pk=a.pk).update(external_source="old", external_id='=HYPERLINK("x")')
    Customer.objects.filter(pk=b.pk).update(external_source="old", external_id="@SUM(A1)")
    out = tmp_path / "pairs.csv"
    call_command("dedupe_scan", "--output", str(out), stderr=io.StringIO())
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[1][2:4] == ['\'=HYPERLINK("x")', "'@SUM(A1)"]
    assert rows[1][:2] == [a.customer_no, b.customer_no]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+86", "'+86"), ("-5", "'-5"), ("@a", "'@a"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("CX2026", "CX2026"), ("", ""), (None, None), (0.95, 0.95)],
)  # fmt: skip
def test_formula_starters(value: Any, expected: Any) -> None:
    assert neutralize_cell(value) == expected


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux: threads in /proc")
def test_a_scan_leaves_no_threads_behind(pair_of_customers: Any, tmp_path: Any) -> None:
    """DuckDB's threads end with the scan: a long-lived task worker does not pile them up, and
    an import's worker processes forked later do not inherit them."""
    out = tmp_path / "pairs.csv"
    call_command("dedupe_scan", "--output", str(out), stderr=io.StringIO())  # modules loaded
    before = _threads()
    for _ in range(3):
        call_command("dedupe_scan", "--output", str(out), stderr=io.StringIO())
    assert _threads() <= before
