from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from kehu.core.models import Job
from kehu.customers.models import Customer
from kehu.intake.models import ImportRun, MappingPreset

from .helpers import csv_text, standard_row

# Committed data: the worker (db_worker) closes and reopens connections on PostgreSQL.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.tasks,
]  # run on both task backends (.ci/run)


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _upload(client, text: str, name: str = "customers.csv", **data):
    file = io.BytesIO(text.encode("gb18030"))
    file.name = name
    return client.post("/imports/", {"file": file, **data})


def _work() -> None:
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def test_upload_map_dry_run_commit_report_and_revert(
    client, rep, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    rows = [standard_row(1), standard_row(2, 客户名称=""), standard_row(3)]
    text = csv_text(rows).replace("外部编号", "外部编号", 1)
    response = _upload(client, text)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.INSPECTING and not run.headers  # not read in the request
    page = client.get(f"/imports/{run.pk}/")
    assert "mapping-form" not in page.content.decode()
    progress = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    _work()  # the worker reads the file
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED
    assert run.encoding == "gb18030" and run.preset == "standard" and run.total_rows == 3
    assert Job.objects.get(pk=run.job_id).result == {"rows": 3}
    page = client.get(f"/imports/{run.pk}/")
    assert page.status_code == 200 and "mapping-form" in page.content.decode()

    # Save the mapping as a preset (leaving out the budget column).
    form = {f"map-{i}": run.mapping.get(h, "") for i, h in enumerate(run.headers)}
    form[f"map-{run.headers.index('年合作预算')}"] = ""
    form["save_as"] = "我们的模板"
    assert client.post(f"/imports/{run.pk}/", form).status_code == 302
    assert "年合作预算" not in MappingPreset.objects.get(name="我们的模板").mapping

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/dry-run/")
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert run.preview["created"] == 2 and run.preview["failed"] == 1
    assert run.preview["problems"][0]["row"] == 3
    assert "客户名称" in run.preview["problems"][0]["errors"]
    assert Customer.objects.count() == 0
    assert "客户名称" in client.get(f"/imports/{run.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/commit/")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    progress = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FINISHED, run.message
    assert (run.created, run.failed) == (2, 1)
    assert Job.objects.get(pk=run.job_id).status == Job.Status.SUCCEEDED
    assert Customer.objects.filter(budget_amount__isnull=True).count() == 2  # left out

    report = b"".join(client.get(f"/imports/{run.pk}/report.csv").streaming_content)
    lines = list(csv.DictReader(io.StringIO(report.decode("utf-8-sig"))))
    assert [line["处理结果"] for line in lines] == [
        "已创建",
        "失败",
        "已创建",
    ]  # the page's: readable
    failed = b"".join(client.get(f"/imports/{run.pk}/failed.csv").streaming_content)
    failed_rows = list(csv.DictReader(io.StringIO(failed.decode("utf-8-sig"))))
    assert failed_rows[0]["外部编号"] == "EXT00000002" and "客户名称" in failed_rows[0]["错误说明"]

    assert client.post(f"/imports/{run.pk}/revert/").status_code == 302
    assert Customer.objects.count() == 0


def test_imports_are_private_to_whoever_ran_them(client, rep, outsider, support, marketing):
    client.force_login(rep)
    _upload(client, csv_text([standard_row(1)]))
    _work()
    run = ImportRun.objects.get()
    client.force_login(outsider)
    assert client.get(f"/imports/{run.pk}/").status_code == 404
    assert client.get(f"/api/v1/imports/{run.pk}").status_code == 404
    assert client.post(f"/imports/{run.pk}/commit/").status_code == 404
    assert ImportRun.objects.get().status == ImportRun.Status.UPLOADED
    client.force_login(support)  # support may not create customers (it imports interactions)
    assert 'value="customers"' not in client.get("/imports/").content.decode()
    assert _upload(client, csv_text([standard_row(2)]), kind="customers").status_code == 403
    client.force_login(marketing)  # marketing neither creates customers nor logs interactions
    assert client.get("/imports/").status_code == 403


def test_api_upload_mapping_and_commit(client, rep, django_capture_on_commit_callbacks):
    client.force_login(rep)
    text = csv_text(
        [{"Account Name": "上海浦江机械有限公司", "Phone": "021-64001234", "Foo": "x"}],
        ["Account Name", "Phone", "Foo"],
    )
    file = io.BytesIO(text.encode("utf-8"))
    file.name = "accounts.csv"
    response = client.post("/api/v1/imports", {"file": file})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "inspecting" and response.json()["headers"] == []
    _work()
    body = client.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert body["status"] == "uploaded"
    assert body["preset"] == "salesforce" and body["unknown_columns"] == ["Foo"]
    bad = client.put(
        f"/api/v1/imports/{body['id']}/mapping",
        {"mapping": {"Phone": "phone"}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "name" in bad.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{body['id']}/commit")
    assert response.status_code == 202
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert client.get(f"/api/v1/imports/{body['id']}").json()["created"] == 1
    assert Customer.objects.get().phone == "+862164001234"
