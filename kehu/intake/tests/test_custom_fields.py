"""Custom fields in imports and exports (issue 15): a column named like a field (its label or its
key) fills it, each row's values are checked by the customers' own rules (the report names the
row and the column), and the export has a column per active field that an import reads back."""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from kehu.customers.models import Customer
from kehu.customers.services import custom_field_create
from kehu.intake.models import ImportRow

from .helpers import HEADERS, standard_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fields(admin_user):
    def add(**data):
        return custom_field_create(actor=admin_user, data={"entity": "customer", **data})

    return [
        add(key="tier", label="客户等级", kind="choice", choices=["A", "B"], required=True),
        add(key="products", label="在用产品", kind="multi_choice", choices=["ERP", "CRM"]),
        add(key="deposit", label="保证金", kind="amount"),
    ]


def test_import_maps_custom_fields_by_label_or_key_and_checks_each_row(tmp_path, rep, fields):
    headers = [*HEADERS, "客户等级", "products", "保证金"]
    rows = [
        standard_row(1, 客户等级="A", products="ERP、CRM", 保证金="2万"),
        standard_row(2, 客户等级="C", products="SAP", 保证金="lots"),  # three bad cells
        standard_row(3, 客户等级="", products="", 保证金=""),  # the required one is missing
        standard_row(4, 客户等级="b"),
    ]
    report = tmp_path / "report.csv"
    out = StringIO()
    source = write_csv(tmp_path / "crm.csv", rows, headers=headers)
    call_command("import", str(source), "--report", str(report), stdout=out)
    assert (
        out.getvalue().strip().splitlines()[-1].startswith("created=2 updated=0 skipped=0 failed=2")
    )
    first = Customer.objects.get(external_id="EXT00000001")
    assert first.custom_fields == {"tier": "A", "products": ["ERP", "CRM"], "deposit": "20000.00"}
    assert Customer.objects.get(external_id="EXT00000004").custom_fields == {"tier": "B"}
    bad = ImportRow.objects.get(row_number=3)  # the file's row 3: the second data row
    assert bad.outcome == "failed"
    assert set(bad.errors) >= {"客户等级", "products", "保证金"}
    assert bad.errors["客户等级"][0].startswith("客户等级:")
    missing = ImportRow.objects.get(row_number=4)
    assert missing.errors["客户等级"] == ["客户等级 is required."]
    with report.open(encoding="utf-8-sig") as handle:
        lines = {int(r["row"]): r for r in csv.DictReader(handle)}
    assert "products" in lines[3]["errors"] and lines[3]["outcome"] == "failed"
    # The customer's history names the fields by their labels.
    from kehu.audit.models import AuditEntry

    created = AuditEntry.objects.get(action="customer.created", customer_id=first.pk)
    assert created.changes["客户等级"] == [None, "A"]


def test_import_targets_list_the_custom_fields(client, rep, fields):
    client.force_login(rep)
    targets = client.get("/api/v1/import-targets").json()
    assert targets["custom_fields.tier"] == "客户等级"
    assert "name" in targets


def _csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_a_column_per_field_that_an_import_reads_back(
    client, rep, fields, customer_factory, tmp_path
):
    customer_factory(
        name="导出字段有限公司",
        external_id="X1",
        custom_fields={"tier": "B", "products": ["ERP", "CRM"], "deposit": "8万"},
    )
    customer_factory(name="另一家有限公司", custom_fields={"tier": "A"})
    client.force_login(rep)
    response = client.get("/exports/customers.csv")
    assert response.status_code == 200
    rows = {r["客户名称"]: r for r in _csv(response)}
    row = rows["导出字段有限公司"]
    assert (row["客户等级"], row["在用产品"], row["保证金"]) == ("B", "ERP、CRM", "80000.00")
    assert rows["另一家有限公司"]["在用产品"] == ""
    filtered = _csv(client.get("/exports/customers.csv", {"cf_tier": "A"}))
    assert [r["客户名称"] for r in filtered] == ["另一家有限公司"]
    # The exported file imports again: same values.
    exported = tmp_path / "export.csv"
    row.update({"外部编号": "X2", "客户名称": "再导入有限公司"})
    with exported.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    call_command("import", str(exported), stdout=StringIO())
    again = Customer.objects.get(name="再导入有限公司")
    assert again.custom_fields == {"tier": "B", "products": ["ERP", "CRM"], "deposit": "80000.00"}


def test_the_xlsx_template_has_the_custom_fields_with_a_drop_down(client, rep, fields):
    from openpyxl import load_workbook

    from kehu.intake.validators import STANDARD_HEADERS

    client.force_login(rep)
    response = client.get("/imports/template.xlsx")
    assert response.status_code == 200
    data = load_workbook(io.BytesIO(response.content))["客户"]
    headers = [c.value for c in data[1]]
    assert headers == [*STANDARD_HEADERS, "客户等级", "在用产品", "保证金"]
    tier_column = data.cell(row=1, column=len(STANDARD_HEADERS) + 1).column_letter
    ranges = [str(v.sqref) for v in data.data_validations.dataValidation]
    assert any(r.startswith(f"{tier_column}2:") for r in ranges)
