"""An import speaks Chinese: the report names the file's columns, the mapping's errors the
fields' labels (zh-hans, the CLI's and the requests' language)."""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command

from .helpers import csv_text, standard_row, write_csv

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def test_report_names_the_columns_a_row_could_be_reached_by(tmp_path, rep):
    rows = [standard_row(1, 决策人联系方式="", 邮箱="", 客户地址="")]
    source = write_csv(tmp_path / "c.csv", rows)
    report = tmp_path / "r.csv"
    call_command("import", str(source), "--report", str(report), stdout=StringIO())
    with report.open(encoding="utf-8-sig") as handle:
        (line,) = list(csv.DictReader(handle))
    assert line["outcome"] == "failed"
    assert line["errors"] == (
        "决策人联系方式/邮箱/客户地址: 请至少填写一种联系客户的方式：电话、邮箱或地址。"
    )


# The upload is read by the worker: committed data, as in test_web.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mapping_errors_are_chinese_and_name_fields_by_label(client, rep):
    client.force_login(rep)
    text = csv_text(
        [{"Account Name": "上海浦江机械有限公司", "Phone": "021-64001234", "Foo": "x"}],
        ["Account Name", "Phone", "Foo"],
    )
    file = io.BytesIO(text.encode("utf-8"))
    file.name = "accounts.csv"
    run_id = client.post("/api/v1/imports", {"file": file}, **ZH).json()["id"]
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    mapping = {"Phone": "phone", "Foo": "phone", "不存在": "foo"}
    response = client.put(
        f"/api/v1/imports/{run_id}/mapping",
        {"mapping": mapping},
        content_type="application/json",
        **ZH,
    )
    assert response.status_code == 422, response.content.decode()
    assert response.json()["errors"] == {
        "Foo": ["“电话”已由“Phone”列填写。"],
        "不存在": ["文件中没有“不存在”这一列。", "未知的目标字段“foo”。"],
        "name": ["请将一列对应到客户名称。"],
    }
    page = client.post(
        f"/imports/{run_id}/", {"map-0": "", "map-1": "phone", "map-2": ""}, **ZH
    ).content.decode()
    assert "<li>客户名称: 请将一列对应到客户名称。</li>" in page
