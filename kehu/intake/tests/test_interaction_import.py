"""Importing interactions (issue 15): `kehu import FILE --kind interactions`, the API's
`kind=interactions` and the import page, through the customers' import machinery (dry run,
report, failed.csv naming the field and the row, revert). The field standard applies as on the
pages and in the API; a customer the importer may not see is never named."""

from __future__ import annotations

import csv
import datetime as dt
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from kehu.audit.models import AuditEntry
from kehu.intake.models import ImportRun
from kehu.intake.validators import INTERACTION_HEADERS
from kehu.interactions.models import Interaction

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]  # run on both task backends (.ci/run)
HEADERS = list(INTERACTION_HEADERS)
SUMMARY = "created={} updated={} skipped={} failed={} incomplete={}"


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def row(**cells: str) -> dict[str, str]:
    base = {
        "互动时间": "2026-03-05 14:30",
        "互动方式": "拜访",
        "互动主题": "年度采购计划",
        "沟通内容摘要": "客户计划下季度扩容。",
        "客户反馈": "有兴趣",
        "下一步行动": "发送报价单",
        "下一步截止日期": "2026-03-12",
    }
    return {**base, **cells}


def csv_bytes(rows: list[dict[str, str]], headers: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers or HEADERS, lineterminator="\n")
    writer.writeheader()
    for item in rows:
        writer.writerow({h: item.get(h, "") for h in headers or HEADERS})
    return out.getvalue().encode("utf-8")


def run_import(*args: str) -> list[str]:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.fixture
def customers(customer_factory: Any, outsider: Any) -> dict[str, Any]:
    return {
        "mine": customer_factory(
            name="杭州互动测试有限公司",
            decision_maker={"name": "王建国", "title": "总经理", "mobile": "13900000011"},
        ),
        "named": customer_factory(name="宁波名称测试有限公司"),
        "hidden": customer_factory(actor=outsider, name="广州保密客户有限公司"),
    }


def test_cli_imports_interactions_as_the_field_standard_requires(
    tmp_path: Path, rep: Any, customers: dict[str, Any]
) -> None:
    mine, named, hidden = customers["mine"], customers["named"], customers["hidden"]
    rows = [
        row(客户编号=mine.customer_no, 联系人="王建国", 跟进人=rep.username),
        row(客户名称=named.name, 互动方式="电话", 客户反馈="需进一步知晓"),
        row(客户编号=mine.customer_no, 互动主题="", 沟通内容摘要="", 互动时间="2026-03-06 09:00"),
        row(客户编号=hidden.customer_no, 互动时间="2026-03-07 09:00"),
        row(客户编号="CX2000010001"),
        row(客户编号=mine.customer_no, 互动方式="飞鸽传书", 联系人="无此人"),
    ]
    source = tmp_path / "interactions.csv"
    source.write_bytes(csv_bytes(rows))
    report = tmp_path / "report.csv"
    lines = run_import(str(source), "--kind", "interactions", "--user", rep.username,
                       "--report", str(report))  # fmt: skip
    assert "preset interactions" in lines[0]
    assert lines[-1] == SUMMARY.format(2, 0, 0, 4, 0)
    logged = Interaction.objects.get(customer=mine)
    assert logged.interaction_no.startswith(f"HD{mine.customer_no}")
    assert (logged.topic, logged.method, logged.feedback) == ("年度采购计划", "visit", "interested")
    assert logged.contact is not None and logged.contact.name == "王建国"
    assert logged.performed_by == rep and str(logged.next_action_due) == "2026-03-12"
    assert timezone.localtime(logged.occurred_at).strftime("%Y-%m-%d %H:%M") == "2026-03-05 14:30"
    other = Interaction.objects.get(customer=named)
    assert other.method == "phone" and other.feedback == "needs_more_info"
    assert other.performed_by == rep  # no performer column filled: the importer
    assert not Interaction.objects.filter(customer=hidden).exists()
    assert AuditEntry.objects.filter(action="interaction.logged").count() == 2
    with report.open(encoding="utf-8-sig") as handle:
        lines_out = list(csv.DictReader(handle))
    by_row = {int(r["row"]): r for r in lines_out}  # the file's rows: the header is row 1
    assert by_row[2]["outcome"] == "created" and logged.interaction_no in by_row[2]["note"]
    assert "互动主题" in by_row[4]["errors"] and "沟通内容摘要" in by_row[4]["errors"]
    assert "客户反馈" not in by_row[4]["errors"]
    assert hidden.customer_no in by_row[5]["errors"]  # the row's own value, and why
    assert hidden.name not in by_row[5]["errors"] and by_row[5]["customer_no"] == ""
    assert "客户编号" in by_row[6]["errors"]
    assert "互动方式" in by_row[7]["errors"] and "联系人" in by_row[7]["errors"]
    # The same file again logs nothing twice.
    again = run_import(str(source), "--kind", "interactions", "--user", rep.username)
    assert again[-1] == SUMMARY.format(0, 0, 2, 4, 0)
    assert Interaction.objects.count() == 2


def test_cli_dry_run_writes_nothing(tmp_path: Path, rep: Any, customers: dict[str, Any]) -> None:
    source = tmp_path / "interactions.csv"
    source.write_bytes(csv_bytes([row(客户编号=customers["mine"].customer_no)] * 2))
    lines = run_import(str(source), "--kind", "interactions", "--user", rep.username, "--dry-run")
    assert lines[-1] == SUMMARY.format(1, 0, 1, 0, 0)  # the second is the first one again
    assert not Interaction.objects.exists()


def test_the_generators_interaction_file_imports_by_external_id(
    tmp_path: Path, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="外部编号测试有限公司", external_id="EXT00000007")
    headers = [
        "外部编号",
        "互动时间",
        "互动方式",
        "互动主题",
        "沟通内容摘要",
        "客户反馈",
        "下一步行动",
        "跟进人",
    ]
    source = tmp_path / "interactions.csv"
    source.write_bytes(csv_bytes([row(外部编号="EXT00000007", 跟进人=rep.display_name)], headers))
    lines = run_import(str(source), "--kind", "interactions", "--user", rep.username)
    assert lines[-1] == SUMMARY.format(1, 0, 0, 0, 0)
    assert Interaction.objects.get().customer == customer


def test_times_are_the_importers_local_times(
    tmp_path: Path, rep: Any, customers: dict[str, Any]
) -> None:
    from kehu.accounts.services import user_time_zone_set

    user_time_zone_set(actor=rep, time_zone="Europe/Berlin")
    source = tmp_path / "interactions.csv"
    source.write_bytes(csv_bytes([row(客户编号=customers["mine"].customer_no)]))
    run_import(str(source), "--kind", "interactions", "--user", rep.username)
    occurred = Interaction.objects.get().occurred_at.astimezone(dt.UTC)
    assert occurred.strftime("%Y-%m-%d %H:%M") == "2026-03-05 13:30"  # 14:30 in Berlin


def test_support_logs_only_on_won_customers_and_marketing_not_at_all(
    tmp_path: Path, support: Any, marketing: Any, customers: dict[str, Any]
) -> None:
    source = tmp_path / "interactions.csv"
    source.write_bytes(csv_bytes([row(客户编号=customers["mine"].customer_no)]))
    lines = run_import(str(source), "--kind", "interactions", "--user", support.username)
    assert lines[-1] == SUMMARY.format(0, 0, 0, 1, 0)  # a lead: support cannot see it
    with pytest.raises(Exception, match="interactions|互动记录"):
        run_import(str(source), "--kind", "interactions", "--user", marketing.username)


def _work() -> None:
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_upload_dry_run_commit_failed_csv_and_revert(
    client: Any, rep: Any, customers: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    mine = customers["mine"]
    client.force_login(rep)
    file = io.BytesIO(
        csv_bytes([row(客户编号=mine.customer_no), row(客户编号=mine.customer_no, 下一步行动="")])
    )
    file.name = "visits.csv"
    response = client.post("/api/v1/imports", {"file": file, "kind": "interactions"})
    assert response.status_code == 202, response.content
    _work()
    body = client.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert (body["status"], body["kind"], body["preset"]) == (
        "uploaded",
        "interactions",
        "interactions",
    )
    assert body["mapping"]["互动主题"] == "topic" and body["unknown_columns"] == []
    bad = client.put(
        f"/api/v1/imports/{body['id']}/mapping", {"mapping": {"互动主题": "topic"}},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 422 and "customer_no" in bad.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/imports/{body['id']}/dry-run").status_code == 202
    _work()
    preview = client.get(f"/api/v1/imports/{body['id']}").json()["preview"]
    assert (preview["created"], preview["failed"]) == (1, 1) and not Interaction.objects.exists()
    assert "下一步行动" in preview["problems"][0]["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/imports/{body['id']}/commit").status_code == 202
    _work()
    done = client.get(f"/api/v1/imports/{body['id']}").json()
    assert (done["status"], done["created"], done["failed"]) == ("finished", 1, 1)
    failed = client.get(f"/api/v1/imports/{body['id']}/failed.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(failed.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["原文件行号"] == "3" and "下一步行动" in rows[0]["错误说明"]
    assert rows[0]["客户编号"] == mine.customer_no
    reverted = client.post(f"/api/v1/imports/{body['id']}/revert")
    assert reverted.status_code == 200 and reverted.json()["removed"] == 1
    assert not Interaction.objects.exists()
    assert AuditEntry.objects.filter(action="interaction.deleted").count() == 1


def test_api_targets_and_template_of_the_kind(client: Any, rep: Any) -> None:
    client.force_login(rep)
    targets = client.get("/api/v1/import-targets", {"kind": "interactions"}).json()
    assert {"customer_no", "topic", "summary", "feedback", "next_action"} <= set(targets)
    assert client.get("/api/v1/import-targets", {"kind": "orders"}).status_code == 422
    csv_file = client.get("/api/v1/import-template", {"kind": "interactions", "format": "csv"})
    assert b"".join(csv_file.streaming_content).decode("utf-8-sig").strip() == ",".join(HEADERS)
    xlsx = client.get("/api/v1/import-template", {"kind": "interactions"})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert [c.value for c in book.worksheets[0][1]] == HEADERS
    assert {"填写说明", "值列表"} <= set(book.sheetnames)
    assert client.get("/api/v1/import-template", {"kind": "x"}).status_code == 422


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_page_offers_the_kind_and_its_template(
    client: Any, rep: Any, support: Any, marketing: Any, customers: dict[str, Any]
) -> None:
    client.force_login(rep)
    page = client.get("/imports/").content.decode()
    assert 'name="kind"' in page and 'value="interactions"' in page
    assert "kind=interactions" in page
    template = client.get("/imports/template.xlsx", {"kind": "interactions"})
    assert load_workbook(io.BytesIO(template.content)).worksheets[0]["A1"].value == HEADERS[0]
    file = io.BytesIO(csv_bytes([row(客户编号=customers["mine"].customer_no)]))
    file.name = "visits.csv"
    response = client.post("/imports/", {"file": file, "kind": "interactions"})
    assert response.status_code == 302
    _work()
    run = ImportRun.objects.get()
    assert run.kind == "interactions"
    detail = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'value="topic" selected' in detail and 'name="on_duplicate"' not in detail
    client.force_login(support)  # support logs interactions (on won customers), not customers
    page = client.get("/imports/").content.decode()
    assert 'value="interactions"' in page and 'value="customers"' not in page
    client.force_login(marketing)
    assert client.get("/imports/").status_code == 403
