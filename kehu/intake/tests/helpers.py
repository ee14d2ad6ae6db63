"""Files for import tests, written in the standard template or a peer system's export."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kehu.intake.validators import STANDARD_HEADERS

HEADERS = list(STANDARD_HEADERS)
GENERATOR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "gen_cn_customers.py"


def generated_rows(tmp_path: Path, companies: int, *, seed: int = 7) -> list[dict[str, str]]:
    """The rows of the shared generator's customers.csv (standard template), or a skip."""
    if not GENERATOR.exists():
        pytest.skip("the shared data generator is not here")
    subprocess.run(
        [sys.executable, str(GENERATOR), "--customers", str(companies), "--seed", str(seed),
         "--contacts", "0", "--interactions", "0", "--orders", "0", "--events", "0",
         "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    with (tmp_path / "customers.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def standard_row(n: int, **overrides: str) -> dict[str, str]:
    row = {
        "外部编号": f"EXT{n:08d}",
        "客户名称": f"杭州测试{n}号贸易有限公司",
        "统一社会信用代码": "",
        "所属行业": "制造业",
        "二级行业": "汽车零部件",
        "客户规模": "中型企业(100-500人)",
        "关键决策人姓名": "王建国",
        "决策人职位": "总经理",
        "决策人联系方式": f"139{n:08d}",
        "邮箱": f"buyer{n}@example.com",
        "省份": "浙江省",
        "城市": "杭州市",
        "客户地址": f"浙江省杭州市西湖区文三路{n}号",
        "客户来源": "展会拜访",
        "首次接触时间": "2025-03-05",
        "客户状态": "潜在客户",
        "负责人": "张销售",
        "年合作预算": "80000",
        "企业性质": "民营企业",
    }
    row.update(overrides)
    return row


def csv_text(rows: list[dict[str, str]], headers: list[str] | None = None) -> str:
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({h: row.get(h, "") for h in headers})
    return out.getvalue()


def write_csv(
    path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8", headers: Any = None
) -> Path:
    path.write_bytes(csv_text(rows, headers).encode(encoding))
    return path


def run_import(*args: str) -> list[str]:
    """`kehu import ARGS` in this process: its output lines (the summary is the last)."""
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue().strip().splitlines()
