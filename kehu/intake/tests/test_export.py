from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from kehu.audit.models import AuditEntry
from kehu.intake.validators import neutralize_cell

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 1", "'+86 1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("华东贸易", "华东贸易"),
        (80000, 80000),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert neutralize_cell(value) == expected


def test_csv_export_neutralises_formulas_and_is_audited(client, customer_factory, rep):
    customer_factory(name="=cmd|' /C calc'!A0", address="@SUM(1+1)")
    client.force_login(rep)
    response = client.get("/exports/customers.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    row = _csv(response)[0]
    assert row["客户名称"] == "'=cmd|' /C calc'!A0"
    assert row["客户地址"] == "'@SUM(1+1)"
    entry = AuditEntry.objects.get(action="customers.exported")
    assert entry.changes["rows"] == 1 and entry.changes["format"] == "csv"


def test_export_shows_whole_numbers_to_owner_manager_admin_and_masks_others(
    client, customer_factory, rep, manager, admin_user, executive
):
    customer_factory(name="杭州甲公司", email="buyer@jia.cn", decision_maker={
        "name": "王建国", "title": "总经理", "mobile": "13812345678"})  # fmt: skip
    for user in (rep, manager, admin_user):
        client.force_login(user)
        row = _csv(client.get("/exports/customers.csv"))[0]
        assert row["决策人联系方式"] == "13812345678", user
        assert row["邮箱"] == "buyer@jia.cn"
    client.force_login(executive)  # sees every customer, but not whole numbers
    row = _csv(client.get("/exports/customers.csv"))[0]
    assert row["决策人联系方式"] == "138****5678"
    assert row["邮箱"] == "b***@jia.cn"


def test_export_is_scoped_and_filtered(client, customer_factory, rep, outsider):
    customer_factory(name="杭州甲公司")
    customer_factory(name="杭州乙公司", status="intent")
    client.force_login(outsider)
    assert _csv(client.get("/exports/customers.csv")) == []
    client.force_login(rep)
    assert len(_csv(client.get("/exports/customers.csv"))) == 2
    rows = _csv(client.get("/exports/customers.csv", {"status": "intent"}))
    assert [r["客户名称"] for r in rows] == ["杭州乙公司"]


def test_xlsx_export_via_api(client, customer_factory, rep):
    customer_factory(name="+杭州丙公司")
    client.force_login(rep)
    response = client.get("/api/v1/exports/customers", {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][2] == "客户名称"
    assert rows[1][2] == "'+杭州丙公司"


def test_export_needs_a_login(client):
    assert client.get("/exports/customers.csv").status_code == 302
    assert client.get("/api/v1/exports/customers").status_code == 401
