"""A row is kept when one phone cannot be used: kept aside, 待补全, a warning (issue 14.9)."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from kehu.customers.models import Customer
from kehu.intake.models import ImportRow

from .helpers import standard_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the CLI speaks zh-hans by default
        yield


def test_unusable_phones_are_kept_aside_and_the_rows_kept(tmp_path, rep):
    rows = [
        standard_row(1, 决策人联系方式="138****5678"),  # masked by another CRM
        standard_row(2, 决策人联系方式="(029)74103153-4104"),  # a landline with extension
        standard_row(3, 决策人联系方式="74103153"),  # no area code
        standard_row(4, 决策人联系方式="138****5678", 邮箱="", 客户地址=""),  # nothing else
    ]
    report = tmp_path / "report.csv"
    out = StringIO()
    call_command(
        "import", str(write_csv(tmp_path / "crm.csv", rows)), "--report", str(report), stdout=out
    )
    assert (
        out.getvalue().strip().splitlines()[-1].startswith("created=3 updated=0 skipped=0 failed=1")
    )

    masked = Customer.objects.get(external_id="EXT00000001")
    assert masked.quality == Customer.Quality.INCOMPLETE
    assert "phone_unusable" in masked.missing_fields
    maker = masked.contacts.get()
    assert maker.mobile == "" and maker.landline == ""  # never a way to reach the customer
    if hasattr(maker, "phone_partial"):
        assert maker.phone_partial == "138****5678"
        assert maker.phone_unusable == "138****5678"

    landline = Customer.objects.get(external_id="EXT00000002").contacts.get()
    assert landline.landline == "+862974103153;ext=4104"
    assert "phone_unusable" not in Customer.objects.get(external_id="EXT00000002").missing_fields

    local = Customer.objects.get(external_id="EXT00000003")
    assert local.quality == Customer.Quality.INCOMPLETE and local.contacts.get().mobile == ""

    with report.open(encoding="utf-8-sig") as handle:
        lines = {int(r["row"]): r for r in csv.DictReader(handle)}
    assert lines[2]["outcome"] == "created" and lines[2]["errors"] == ""
    assert "决策人联系方式" in lines[2]["warnings"] and "138****5678" in lines[2]["warnings"]
    assert "area code" in lines[4]["warnings"]
    assert lines[3]["warnings"] == ""
    failed = ImportRow.objects.get(row_number=5)
    assert failed.outcome == "failed" and "决策人联系方式" in failed.errors
    assert "138****5678" in failed.errors["决策人联系方式"][0]


def test_the_dry_run_lists_the_warning(tmp_path, rep):
    out = StringIO()
    source = write_csv(tmp_path / "crm.csv", [standard_row(1, 决策人联系方式="139****0001")])
    call_command("import", str(source), "--dry-run", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("created=1")
    from kehu.intake.models import ImportRun

    problem = ImportRun.objects.get().preview["problems"][0]
    assert problem["outcome"] == "created" and "决策人联系方式" in problem["warnings"]
    assert Customer.objects.count() == 0


def test_numbers_parted_by_semicolons_or_lines_are_all_kept_or_reported(tmp_path, rep):
    """';', '；', a line break: like '/', a mobile and a landline are both kept, a second
    mobile is reported (the row fails), never silently dropped."""
    rows = [
        standard_row(1, 决策人联系方式="0574-87654321;13800137430"),
        standard_row(2, 决策人联系方式="13800137410；13800137411"),
        standard_row(3, 决策人联系方式="13800137420\n13800137421"),
    ]
    report = tmp_path / "report.csv"
    call_command(
        "import",
        str(write_csv(tmp_path / "c.csv", rows)),
        "--user",
        "rep",
        "--report",
        str(report),
        stdout=StringIO(),
    )
    maker = Customer.objects.get(external_id="EXT00000001").contacts.get()
    assert (maker.mobile, maker.landline) == ("+8613800137430", "+8657487654321")
    with report.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    for line, second in zip(lines[1:], ["13800137411", "13800137421"], strict=True):
        assert line["outcome"] == "failed"
        assert "决策人联系方式" in line["errors"] and second in line["errors"]
    assert Customer.objects.count() == 1
