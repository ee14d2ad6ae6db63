"""A file without external ids or usable phones is imported once: a row is matched again on its
name and e-mail, on a re-import and within the file (found by the exploration of 7 Dec 2026:
each run created the customers again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kehu.customers.models import Customer

from .helpers import run_import

pytestmark = pytest.mark.django_db

ROWS = [
    "客户名称,关键决策人姓名,邮箱,客户地址,决策人联系方式",
    "重庆山城火锅餐饮有限公司,刘德,liude@shancheng.com,重庆市渝中区解放碑1号,95588",
    "成都锦里茶馆有限公司,陈晓,chenxiao@jinli.cn,成都市武侯区锦里1号,",
]


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _import(path: Path, *args: str) -> str:
    return run_import(str(path), "--user", "rep", *args)[-1]


def test_importing_the_same_file_twice_creates_nothing_the_second_time(
    tmp_path: Path, rep: Any
) -> None:
    path = tmp_path / "noid.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    assert _import(path).startswith("created=2 ")
    assert _import(path).startswith("created=0 updated=0 ")
    assert Customer.objects.count() == 2


def test_a_row_repeated_in_the_file_is_its_duplicate(tmp_path: Path, rep: Any) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("\n".join([*ROWS, ROWS[1].replace("刘德", "刘德华")]) + "\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    assert _import(path, "--report", str(report)).startswith("created=2 updated=0 skipped=1 ")
    assert "4,skipped,,,,,与本文件第 2 行重复。" in report.read_text(encoding="utf-8-sig")
