"""Imported history is numbered by its first-contact month; a full month lends the nearest one's
numbers (4 digits kept), and a row fails by name only when no month has one left."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kehu.core.models import Counter
from kehu.customers.models import Customer
from kehu.intake.models import ImportRow

from .helpers import run_import, standard_row, write_csv

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _import(path) -> str:
    return run_import(str(path))[-1]


@time_machine.travel(NOW, tick=False)
def test_history_is_numbered_by_first_contact_month(tmp_path, rep):
    rows = [
        standard_row(1, 首次接触时间="2023-03-05"),
        standard_row(2, 首次接触时间="2023-03-28"),
        standard_row(3, 首次接触时间=""),
        standard_row(4, 首次接触时间="2027-01-01"),  # later than today: this month
    ]
    _import(write_csv(tmp_path / "history.csv", rows))
    numbers = dict(Customer.objects.values_list("external_id", "customer_no"))
    assert numbers == {
        "EXT00000001": "CX2023030001",
        "EXT00000002": "CX2023030002",
        "EXT00000003": "CX2026110001",
        "EXT00000004": "CX2026110002",
    }


@time_machine.travel(NOW, tick=False)
def test_a_full_month_lends_its_rows_the_nearest_months_numbers(tmp_path, rep):
    """9,999 a month stays the format; a full month's rows take the nearest later month's
    numbers up to this month, then the nearest earlier month's: no row fails for a number."""
    Counter.objects.bulk_create(
        [
            Counter(key="CX202611", last=9998),  # this month: one left
            Counter(key="CX202610", last=9999),  # full: the rows go on to September
            Counter(key="CX202506", last=9999),  # full: July 2025 is the nearest later one
            Counter(key="CX202507", last=3),
        ]
    )
    rows = [standard_row(n, 首次接触时间="") for n in (1, 2, 3)]
    rows += [standard_row(4, 首次接触时间="2025-06-01"), standard_row(5, 首次接触时间="2025-06-30")]
    summary = _import(write_csv(tmp_path / "many.csv", rows))
    assert summary.startswith("created=5 updated=0 skipped=0 failed=0")
    numbers = dict(Customer.objects.values_list("external_id", "customer_no"))
    assert numbers == {
        "EXT00000001": "CX2026119999",
        "EXT00000002": "CX2026090001",
        "EXT00000003": "CX2026090002",
        "EXT00000004": "CX2025070004",
        "EXT00000005": "CX2025070005",
    }
    first_contact = Customer.objects.get(external_id="EXT00000004").first_contact_date
    assert str(first_contact) == "2025-06-01"  # the customer's own date: only the number is lent
    last = dict(Counter.objects.values_list("key", "last"))
    assert (last["CX202611"], last["CX202609"], last["CX202507"]) == (9999, 2, 5)


@time_machine.travel(NOW, tick=False)
def test_rows_fail_by_name_only_when_every_month_is_full(tmp_path, rep):
    Counter.objects.bulk_create(
        Counter(key=f"CX{year:04d}{month:02d}", last=9999)
        for year in range(1900, 2027)
        for month in range(1, 13)
        if (year, month) <= (2026, 11)
    )
    summary = _import(write_csv(tmp_path / "full.csv", [standard_row(1, 首次接触时间="")]))
    assert summary.startswith("created=0 updated=0 skipped=0 failed=1")
    row = ImportRow.objects.get(outcome="failed")
    assert "9,999" in row.errors["customer_no"][0]
    assert row.raw["外部编号"] == "EXT00000001"
    assert not Customer.objects.exists()
