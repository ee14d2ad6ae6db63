"""A file of names and addresses only (a trade-show list: no external id, no phone, no e-mail)
is imported once: a row is matched again on its name and street address, on a re-import and
within the file. A region alone is no address to match on, and another address of the same
name is another customer (a branch)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kehu.customers.models import Customer

from .helpers import run_import

pytestmark = pytest.mark.django_db

HEADER = "客户名称,客户地址,备注"
ROWS = [
    "苏州园林景观工程有限公司,江苏省苏州市姑苏区人民路88号,展会名单",
    "无锡太湖机电设备有限公司,江苏省无锡市滨湖区太湖大道1200号,展会名单",
]


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _import(tmp_path: Path, name: str, rows: list[str], *args: str) -> str:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return run_import(str(path), "--user", "rep", *args)[-1]


def test_a_name_and_address_file_imported_twice_creates_nothing_the_second_time(
    tmp_path: Path, rep: Any
) -> None:
    assert _import(tmp_path, "a.csv", ROWS).startswith("created=2 ")
    assert _import(tmp_path, "a.csv", ROWS).startswith("created=0 updated=0 ")
    # The file again, an address written another way (region words, spaces, 號): the same
    # customer, its address as the file now writes it.
    again = [
        "苏州园林景观工程有限公司,苏州 姑苏区 人民路88號,展会名单",
        "无锡太湖机电设备有限公司,江苏省无锡市滨湖区太湖大道1200号,展会名单",
    ]
    assert _import(tmp_path, "b.csv", again).startswith("created=0 updated=1 ")
    assert Customer.objects.count() == 2


def test_a_changed_row_updates_the_customer_it_names(tmp_path: Path, rep: Any) -> None:
    _import(tmp_path, "a.csv", ROWS)
    moved = [ROWS[0].replace("展会名单", "已回访")]
    report = tmp_path / "report.csv"
    summary = _import(tmp_path, "b.csv", moved, "--on-duplicate", "update", "--report", str(report))
    assert summary.startswith("created=0 updated=1 ")
    assert "名称和地址相同" in report.read_text(encoding="utf-8-sig")
    assert Customer.objects.get(name="苏州园林景观工程有限公司").notes == "已回访"


def test_a_row_repeated_in_the_file_is_its_duplicate(tmp_path: Path, rep: Any) -> None:
    report = tmp_path / "report.csv"
    summary = _import(tmp_path, "twice.csv", [*ROWS, ROWS[0]], "--report", str(report))
    assert summary.startswith("created=2 updated=0 skipped=1 ")
    assert "与本文件第 2 行重复" in report.read_text(encoding="utf-8-sig")


def test_another_address_or_a_city_alone_is_another_customer(tmp_path: Path, rep: Any) -> None:
    rows = [
        "苏州园林景观工程有限公司,江苏省苏州市姑苏区人民路88号,",
        "苏州园林景观工程有限公司,江苏省苏州市吴中区东吴北路15号,分公司",
        "常州精工模具有限公司,常州市,",
        "常州精工模具有限公司,常州市,另一位销售的名单",
    ]
    assert _import(tmp_path, "branches.csv", rows).startswith("created=4 ")


def test_one_street_in_two_cities_is_two_customers(tmp_path: Path, rep: Any) -> None:
    """The normalised name has no city (苏州市顺达… and 无锡市顺达… are one name) and neither has the
    compact address: the city tells them apart."""
    rows = [
        "苏州市顺达物流有限公司,江苏省苏州市姑苏区人民路1号,",
        "无锡市顺达物流有限公司,江苏省无锡市梁溪区人民路1号,",
    ]
    assert _import(tmp_path, "two.csv", rows).startswith("created=2 ")
    assert _import(tmp_path, "two.csv", rows).startswith("created=0 updated=0 ")
