"""Contacts' custom fields in imports and exports (issue 15): the mapping offers them as targets
of the decision maker (decision_maker.custom_fields.<key>), each cell is checked by the
contacts' rules (the report names the row and the column), the XLSX template has a column for
each, and the export writes the decision maker's values under 决策人·<label>, which an import
reads back."""

from __future__ import annotations

import csv
import io
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from kehu.contacts.models import Contact
from kehu.customers.models import Customer
from kehu.customers.services import custom_field_create
from kehu.intake.models import ImportRow, ImportRun

from .helpers import HEADERS, standard_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Any) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fields(admin_user: Any) -> list[Any]:
    def add(**data: Any) -> Any:
        return custom_field_create(actor=admin_user, data={"entity": "contact", **data})

    return [
        add(key="hobby", label="爱好", kind="text"),
        add(key="level", label="决策层级", kind="choice", choices=["高层", "中层"], required=True),
        add(key="birthday", label="生日", kind="date"),
    ]


def _import(tmp_path: Any, rows: list[dict[str, str]], headers: list[str], *args: str) -> str:
    out = StringIO()
    source = write_csv(tmp_path / "people.csv", rows, headers=headers)
    call_command("import", str(source), *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_import_fills_the_decision_makers_custom_fields_and_checks_each_cell(
    tmp_path: Any, rep: Any, fields: list[Any], client: Any
) -> None:
    headers = [*HEADERS, "爱好", "决策人·决策层级", "birthday"]
    rows = [
        standard_row(1, 爱好="钓鱼", **{"决策人·决策层级": "高层"}, birthday="1980年5月1日"),
        standard_row(2, **{"决策人·决策层级": "董事会"}, birthday="not a day"),
        standard_row(3, **{"决策人·决策层级": ""}),  # mapped, required, left empty
        standard_row(4, 关键决策人姓名="", 决策人职位="", **{"决策人·决策层级": "中层"}),
    ]
    summary = _import(tmp_path, rows, headers)
    assert summary.startswith("created=1 updated=0 skipped=0 failed=3")
    maker = Contact.objects.get(customer__external_id="EXT00000001")
    assert maker.custom_fields == {"hobby": "钓鱼", "level": "高层", "birthday": "1980-05-01"}
    bad = ImportRow.objects.get(row_number=3)
    assert set(bad.errors) == {"决策人·决策层级", "birthday"}
    assert bad.errors["决策人·决策层级"][0].startswith("决策层级:")
    assert ImportRow.objects.get(row_number=4).errors == {
        "决策人·决策层级": ["决策层级 is required."]
    }
    assert "决策人·决策层级" in ImportRow.objects.get(row_number=5).errors  # no one to fill
    client.force_login(rep)
    targets = client.get("/api/v1/import-targets").json()
    assert "decision_maker.custom_fields.level" in targets
    assert "决策层级" in targets["decision_maker.custom_fields.level"]
    # The created contact's history names the fields by their labels.
    assert (
        client.get(f"/api/v1/customers/{maker.customer.customer_no}").json()["decision_maker"][
            "custom_fields"
        ]["level"]
        == "高层"
    )


def test_a_required_contact_field_no_column_fills_is_not_asked_for(
    tmp_path: Any, rep: Any, fields: list[Any]
) -> None:
    assert _import(tmp_path, [standard_row(1)], HEADERS).startswith("created=1 ")
    assert Contact.objects.get().custom_fields == {}


def _csv(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_writes_the_decision_makers_fields_and_an_import_reads_them_back(
    client: Any, rep: Any, fields: list[Any], customer_factory: Any, tmp_path: Any
) -> None:
    customer = customer_factory(name="导出联系人字段有限公司", external_id="X1")
    maker = customer.contacts.get()
    response = client.force_login(rep) or client.patch(
        f"/api/v1/contacts/{maker.pk}",
        {"custom_fields": {"level": "中层", "hobby": "围棋"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    rows = {r["客户名称"]: r for r in _csv(client.get("/exports/customers.csv"))}
    row = rows["导出联系人字段有限公司"]
    assert (row["决策人·决策层级"], row["决策人·爱好"], row["决策人·生日"]) == ("中层", "围棋", "")
    exported = tmp_path / "export.csv"
    row.update({"外部编号": "X2", "客户名称": "再导入联系人字段有限公司"})
    with exported.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    call_command("import", str(exported), stdout=StringIO())
    again = Customer.objects.get(name="再导入联系人字段有限公司").contacts.get()
    assert again.custom_fields == {"level": "中层", "hobby": "围棋"}


def test_the_xlsx_template_has_a_column_per_contact_field(
    client: Any, rep: Any, fields: list[Any]
) -> None:
    from openpyxl import load_workbook

    client.force_login(rep)
    data = load_workbook(io.BytesIO(client.get("/imports/template.xlsx").content))["客户"]
    headers = [c.value for c in data[1]]
    assert headers[-3:] == ["决策人·爱好", "决策人·决策层级", "决策人·生日"]


def test_a_re_import_updates_the_decision_makers_fields_and_a_revert_puts_them_back(
    tmp_path: Any, rep: Any, fields: list[Any]
) -> None:
    headers = [*HEADERS, "决策人·决策层级", "爱好"]
    first = _import(tmp_path, [standard_row(1, **{"决策人·决策层级": "高层"})], headers)
    assert first.startswith("created=1 ")
    again = _import(
        tmp_path, [standard_row(1, **{"决策人·决策层级": "中层"}, 爱好="登山")], headers, "--user",
        rep.username,
    )  # fmt: skip
    assert again.startswith("created=0 updated=1 ")
    maker = Contact.objects.get()
    assert maker.custom_fields == {"level": "中层", "hobby": "登山"}
    run = ImportRun.objects.order_by("-pk")[0]
    note = ImportRow.objects.get(run=run).note
    assert "决策人·决策层级" in note and "决策人·爱好" in note
    unchanged = _import(tmp_path, [standard_row(1, **{"决策人·决策层级": "中层"})], headers)
    assert unchanged.startswith("created=0 updated=0 skipped=1")
    from kehu.intake.services import import_revert

    import_revert(actor=None, run=run)
    maker.refresh_from_db()
    assert maker.custom_fields == {"level": "高层"}
