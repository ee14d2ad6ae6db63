"""Issue 15, the messages the issue names: e-mail errors (email-validator explains in English),
duplicate explanations ("credit code: same (+20.0)"), an import's unknown owner ("No active user
'nobody'") and outcomes, pydantic's own schema errors: all in zh-hans, built from translated
pieces."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from kehu.core.validators import normalize_email
from kehu.intake.models import ImportRun
from kehu.intake.tests.helpers import standard_row, write_csv

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("wang.example.com", "缺少 @"),
        ("@example.com", "@ 前面没有内容"),
        ("wang@@example.com", ""),
        ("wang..li@example.com", "句点位置不对"),
        ("wang@example", "@ 后面的域名无效"),
    ],
)
def test_email_errors_are_ours(typed: str, reason: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        normalize_email(typed)
    message = caught.value.messages[0]
    assert message.startswith("请输入有效的电子邮箱地址"), message
    assert reason in message
    assert not any(word in message for word in ("email", "address", "sign", "must"))


def test_duplicate_explanations_read_in_chinese(
    api: Any, client: Any, rep: Any, customer_factory: Any
) -> None:
    customer_factory(name="深圳市华信软件有限公司", credit_code="91440300708461136T")
    response = api.login(rep).post(
        "/api/v1/customers",
        {"name": "华信软件（深圳）有限公司", "credit_code": "91440300708461136T"},
    )
    assert response.status_code == 409, response.content
    body = response.json()
    reasons = {r["field"]: r for r in body["matches"][0]["reasons"]}
    credit = reasons["credit_code"]
    assert (credit["label"], credit["level"], credit["level_label"]) == ("信用代码", "same", "相同")
    assert re.search(r"[\u4e00-\u9fff]", body["detail"]) and "customer" not in body["detail"]
    page = client.post(
        "/dedupe/check/",
        {"name": "华信软件（深圳）有限公司", "credit_code": "91440300708461136T"},
        **ZH,
    ).content.decode()
    assert "信用代码：相同（+20.0）" in page
    assert "credit code" not in page and "same (" not in page


def test_an_imports_unknown_owner_and_outcomes_read_in_chinese(
    tmp_path: Path, settings: Any, client: Any, rep: Any
) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    rows = [standard_row(1), standard_row(2, 负责人="nobody"), standard_row(1)]
    source = write_csv(tmp_path / "c.csv", rows)
    call_command("import", str(source), "--user", rep.username, stdout=StringIO())
    run = ImportRun.objects.get()
    client.force_login(rep)
    report = b"".join(client.get(f"/imports/{run.pk}/report.csv", **ZH).streaming_content)
    lines = list(csv.DictReader(StringIO(report.decode("utf-8-sig"))))
    assert [line["处理结果"] for line in lines] == ["已创建", "失败", "已跳过"]
    assert lines[1]["错误"] == "负责人: 没有名为“nobody”的有效用户。"
    assert lines[2]["备注"] == "与本文件第 2 行重复。"
    listing = client.get("/imports/", **ZH).content.decode()
    assert "新建 1，更新 0，跳过 1，失败 1，待补全 0" in listing
    assert "created=" not in listing


def test_schema_errors_are_ours_not_pydantics(api: Any, rep: Any) -> None:
    response = api.login(rep).post("/api/v1/customers", {"name": ["不是文本"], "fax": "1"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {"name": ["请填写文本。"], "fax": ["未知字段。"]}
    assert body["detail"] == "请检查以下字段：name, fax"
