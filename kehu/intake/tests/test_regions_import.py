"""Imports resolve region text to GB/T 2260 codes through customer_clean, and take a region code
column (行政区划代码 / region_code); a bad code fails its row, naming the column."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kehu.customers.models import Customer

from .helpers import HEADERS, standard_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def test_region_text_resolves_to_codes(tmp_path: Path, rep) -> None:
    rows = [
        standard_row(1),  # 浙江省 / 杭州市
        standard_row(2, 省份="广东", 城市="深圳"),  # short forms
        standard_row(3, 省份="北京市", 城市="北京市"),
        standard_row(4, 省份="新加坡", 城市="裕廊"),  # kept as written, no code
    ]
    run_import(str(write_csv(tmp_path / "regions.csv", rows)))
    got = {
        c.external_id: (c.region_code, c.province, c.city)
        for c in Customer.objects.filter(external_id__startswith="EXT")
    }
    assert got == {
        "EXT00000001": ("330100", "浙江省", "杭州市"),
        "EXT00000002": ("440300", "广东省", "深圳市"),
        "EXT00000003": ("110100", "北京市", "北京市"),
        "EXT00000004": ("", "新加坡", "裕廊"),
    }


def test_region_code_column_is_accepted_and_checked(tmp_path: Path, rep) -> None:
    headers = [*HEADERS, "行政区划代码", "区县"]
    rows = [
        standard_row(1, 省份="", 城市="", 行政区划代码="440305"),
        standard_row(2, 行政区划代码="449999"),
        standard_row(3, 省份="广东省", 城市="深圳市", 区县="南山区"),
    ]
    source = write_csv(tmp_path / "codes.csv", rows, headers=headers)
    report = tmp_path / "report.csv"
    run_import(str(source), "--report", str(report))
    first = Customer.objects.get(external_id="EXT00000001")
    assert (first.region_code, first.province, first.city, first.district) == (
        "440305",
        "广东省",
        "深圳市",
        "南山区",
    )
    assert Customer.objects.get(external_id="EXT00000003").region_code == "440305"
    assert not Customer.objects.filter(external_id="EXT00000002").exists()
    with report.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    failed = next(r for r in lines if r["row"] == "3")
    assert failed["outcome"] == "failed"
    assert "行政区划代码:" in failed["errors"] and "449999" in failed["errors"]


def test_the_export_carries_the_district_and_the_code(client, rep, customer_factory) -> None:
    customer_factory(name="导出区划有限公司", region_code="440305")
    client.force_login(rep)
    response = client.get("/exports/customers.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {r["客户名称"]: r for r in csv.DictReader(StringIO(text))}
    row = rows["导出区划有限公司"]
    assert (row["省份"], row["城市"], row["区县"], row["行政区划代码"]) == (
        "广东省", "深圳市", "南山区", "440305",
    )  # fmt: skip
