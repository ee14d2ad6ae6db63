"""The downloadable XLSX import template: instructions, examples, a drop-down for every
value-list column, and a file that imports as it is filled in."""

from __future__ import annotations

from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from kehu.customers.models import Customer
from kehu.intake.validators import STANDARD_HEADERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _download(client: Any, user: Any, url: str) -> Any:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content))


def test_the_template_has_instructions_examples_and_drop_downs(client: Any, rep: Any) -> None:
    book = _download(client, rep, "/imports/template.xlsx")
    assert book.sheetnames[0] == "客户" and "填写说明" in book.sheetnames
    data = book["客户"]
    assert [c.value for c in data[1]] == list(STANDARD_HEADERS)
    assert data.max_row == 1  # no example rows to delete before importing
    assert book["值列表"].sheet_state == "hidden"
    headers = list(STANDARD_HEADERS)
    covered = {}
    for rule in data.data_validations.dataValidation:
        column = str(rule.sqref).split(":")[0].rstrip("0123456789")
        covered[headers[ord(column) - ord("A")]] = rule.formula1
    for header in ("所属行业", "二级行业", "客户规模", "客户来源", "客户状态", "负责人"):
        assert header in covered and "值列表" in covered[header]
    values = book["值列表"]
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in values.iter_cols()}
    assert "制造业" in lists["industry"] and "官网注册" in lists["source"]
    assert set(lists["status"]) == {"潜在客户", "意向客户", "成交客户", "流失客户"}
    assert rep.display_name in lists["owner"]
    guide = [[c.value for c in row] for row in book["填写说明"].iter_rows()]
    assert any(row[0] == "客户名称" and row[1] == "是" for row in guide)
    api = _download(client, rep, "/api/v1/import-template?format=xlsx")
    assert api.sheetnames == book.sheetnames


def test_the_examples_import_cleanly_through_the_data_sheet(
    client: Any, rep: Any, tmp_path: Path
) -> None:
    book = _download(client, rep, "/imports/template.xlsx")
    guide = [[c.value for c in row] for row in book["填写说明"].iter_rows()]
    start = next(i for i, row in enumerate(guide) if row[:2] == list(STANDARD_HEADERS)[:2])
    examples = [row[: len(STANDARD_HEADERS)] for row in guide[start + 1 :] if row[1]]
    assert len(examples) == 2
    owner = list(STANDARD_HEADERS).index("负责人")
    for number, row in enumerate(examples, start=2):
        row[owner] = rep.display_name  # a value from the owner drop-down
        for col, value in enumerate(row, start=1):
            book["客户"].cell(row=number, column=col, value=value)
    path = tmp_path / "filled.xlsx"
    book.save(path)
    out = StringIO()
    call_command("import", str(path), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == (
        "created=2 updated=0 skipped=0 failed=0 incomplete=0"
    )
    made = Customer.objects.get(external_id="ERP-0002")
    assert (made.size, made.status, made.owner_id) == ("large", "lead", rep.pk)
    assert made.sub_industry is not None and made.sub_industry.name == "机械设备"


def test_csv_format_and_a_bad_format(client: Any, rep: Any) -> None:
    client.force_login(rep)
    response = client.get("/api/v1/import-template", {"format": "csv"})
    assert response.status_code == 200
    assert "客户名称" in b"".join(response.streaming_content).decode("utf-8-sig")
    response = client.get("/api/v1/import-template", {"format": "pdf"})
    assert response.status_code == 422 and "format" in response.json()["errors"]
