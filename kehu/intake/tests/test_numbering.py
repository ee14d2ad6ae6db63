"""Imported history is numbered by its first-contact month; a full month fails its rows by name."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from kehu.core.models import Counter
from kehu.customers.models import Customer
from kehu.intake.models import ImportRow

from .helpers import standard_row, write_csv

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _import(path) -> str:
    out = StringIO()
    call_command("import", str(path), stdout=out)
    return out.getvalue().strip().splitlines()[-1]


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
def test_a_full_month_fails_the_rows_it_cannot_number(tmp_path, rep):
    Counter.objects.create(key="CX202611", last=9998)
    rows = [standard_row(n, 首次接触时间="") for n in (1, 2, 3)]
    rows.append(standard_row(4, 首次接触时间="2025-06-01"))
    summary = _import(write_csv(tmp_path / "many.csv", rows))
    assert summary.startswith("created=2 updated=0 skipped=0 failed=2")
    assert sorted(Customer.objects.values_list("customer_no", flat=True)) == [
        "CX2025060001",
        "CX2026119999",
    ]
    failed = ImportRow.objects.filter(outcome="failed").order_by("row_number")
    assert [r.row_number for r in failed] == [3, 4]
    assert "9,999" in failed[0].errors["customer_no"][0]
    assert failed[0].raw["外部编号"] == "EXT00000002"
    assert Counter.objects.get(key="CX202611").last == 9999
