"""The lawful basis recorded on the import and card-capture paths (issue 19): per created
contact, channel import / card, the import as source, audited, listed, and gating exports."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils.translation import override

from kehu.audit.models import AuditEntry
from kehu.customers.consent_gate import LawfulBasis
from kehu.customers.models import Customer
from kehu.intake.models import ImportRun
from kehu.intake.tests.helpers import standard_row, write_csv
from kehu.privacy.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _cli_import(path: Path, *args: str) -> list[str]:
    out = StringIO()
    call_command("import", str(path), "--user", "rep", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def _rows(first: int, count: int, city: str) -> list[dict[str, str]]:
    return [
        standard_row(n, 客户名称=f"{city}导入{n}号贸易有限公司", 决策人联系方式=f"137{n:08d}")
        for n in range(first, first + count)
    ]


def _export(api: Any, **params: Any) -> tuple[list[str], Any]:
    response = api.get("/api/v1/exports/customers", format="csv", **params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]], response


def test_cli_import_records_the_basis_per_contact_and_gates_marketing(
    api: Any, rep: Any, tmp_path: Path
) -> None:
    agreed = write_csv(tmp_path / "agreed.csv", _rows(1, 2, "宁波"))
    nothing = write_csv(tmp_path / "nothing.csv", _rows(11, 3, "温州"))
    lines = _cli_import(
        agreed,
        "--consent-lawful-basis", "consent",
        "--consent-purpose", "marketing",
        "--consent-basis", "2026年11月展会签到表，勾选接收产品资料",
        "--consent-wording-version", "expo-v3",
    )  # fmt: skip
    assert lines[-1].startswith("created=2 ")
    assert "consent: consent for marketing" in lines
    assert _cli_import(nothing)[-1].startswith("created=3 ")  # default: none recorded
    run = ImportRun.objects.get(original_name="agreed.csv")
    consents = list(Consent.objects.filter(import_run=run))
    imported = Customer.objects.filter(name__startswith="宁波导入")
    assert len(consents) == 2
    assert {c.contact_id for c in consents} == {
        contact.pk for customer in imported for contact in customer.contacts.all()
    }
    assert {(c.purpose, c.channel, c.lawful_basis, c.wording_version) for c in consents} == {
        ("marketing", "import", "consent", "expo-v3")
    }
    assert {c.recorded_by_id for c in consents} == {rep.pk}
    assert not Consent.objects.filter(customer__name__startswith="温州导入").exists()
    entries = AuditEntry.objects.filter(action="consent.recorded")
    assert entries.count() == 2
    assert {e.changes["import_run"] for e in entries} == {run.pk}
    started = AuditEntry.objects.get(action="import.started", target_id=str(run.pk))
    assert started.changes["consent_lawful_basis"] == "consent"

    # The contact's consent list (API and the 360 section) names the import.
    customer = imported.first()
    assert customer is not None
    api.login(rep)
    listed = api.get("/api/v1/privacy/consents", customer_no=customer.customer_no).json()
    assert [(r["channel"], r["lawful_basis"], r["import_id"]) for r in listed] == [
        ("import", "consent", run.pk)
    ]
    with override("zh-hans"):
        label = str(LawfulBasis.CONSENT.label)
    assert listed[0]["lawful_basis_label"] == label and listed[0]["recorded_by"] == "张销售"
    section = api.client.get(f"/customers/{customer.customer_no}/consents/").content.decode()
    assert f"/imports/{run.pk}/" in section and label in section

    # Marketing exports reach the two who agreed and say how many they left out.
    gated, response = _export(api, purpose="marketing")
    assert sorted(gated) == sorted(imported.values_list("customer_no", flat=True))
    assert response["X-Kehu-Left-Out"] == "3"
    exported = AuditEntry.objects.filter(action="customers.exported").first()
    assert exported is not None and exported.changes["left_out_no_consent"] == 3
    made = api.post("/api/v1/segments", {"name": "导入", "query": "province=浙江省"})
    assert made.status_code == 201, made.content
    count = api.get(f"/api/v1/segments/{made.json()['id']}/count", purpose="marketing").json()
    assert count == {"count": 5, "reachable": 2, "left_out": 3}


def test_cli_refuses_a_basis_that_does_not_fit_and_writes_nothing(rep: Any, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "c.csv", _rows(1, 1, "台州"))
    with pytest.raises(Exception, match="consent_purposes") as refused:
        _cli_import(source, "--consent-lawful-basis", "contract", "--consent-purpose", "marketing",
                    "--consent-basis", "年度采购合同")  # fmt: skip
    assert "service" in str(refused.value) or "服务" in str(refused.value)
    with pytest.raises(Exception, match="consent_basis"):
        _cli_import(source, "--consent-lawful-basis", "consent", "--consent-purpose", "marketing")
    assert not ImportRun.objects.exists() and not Customer.objects.exists()
    # A contract covers service: recorded as such without a purpose given.
    _cli_import(source, "--consent-lawful-basis", "contract", "--consent-basis", "年度采购合同")
    consent = Consent.objects.get()
    assert (consent.purpose, consent.lawful_basis, consent.basis) == (
        "service",
        "contract",
        "年度采购合同",
    )


def test_upload_page_takes_the_basis_and_names_the_field_it_refuses(client: Any, rep: Any):
    client.force_login(rep)
    page = client.get("/imports/").content.decode()
    with override("zh-hans"):
        contract = str(LawfulBasis.CONTRACT.label)
    assert 'name="consent_lawful_basis"' in page and contract in page

    def upload(**data: Any) -> Any:
        file = io.BytesIO("客户名称\n杭州上传贸易有限公司\n".encode())
        file.name = "up.csv"
        return client.post("/imports/", {"file": file, **data})

    refused = upload(consent_lawful_basis="none", consent_purposes=["marketing"])
    assert refused.status_code == 422
    assert 'id="upload-errors"' in refused.content.decode()
    assert not ImportRun.objects.exists()
    done = upload(
        consent_lawful_basis="consent",
        consent_purposes=["marketing", "analysis"],
        consent_basis="线上表单勾选",
        consent_wording_version="v7",
    )
    assert done.status_code == 302
    run = ImportRun.objects.get()
    assert (run.consent_lawful_basis, run.consent_purposes, run.consent_wording_version) == (
        "consent",
        ["marketing", "analysis"],
        "v7",
    )
    detail = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'id="import-consent"' in detail and "营销" in detail


def test_api_upload_takes_and_shows_the_basis(client: Any, rep: Any) -> None:
    client.force_login(rep)

    def upload(**data: Any) -> Any:
        file = io.BytesIO("客户名称\n杭州接口贸易有限公司\n".encode())
        file.name = "api.csv"
        return client.post("/api/v1/imports", {"file": file, **data})

    bad = upload(consent_lawful_basis="maybe")
    assert bad.status_code == 422 and "consent_lawful_basis" in bad.json()["errors"]
    unticked = upload(consent_lawful_basis="consent", consent_basis="当面")
    assert unticked.status_code == 422 and "consent_purposes" in unticked.json()["errors"]
    assert not ImportRun.objects.exists()
    made = upload(consent_lawful_basis="existing_customer", consent_basis="老客户，合同在履行中")
    assert made.status_code == 202, made.content
    body = made.json()
    assert body["consent_lawful_basis"] == "existing_customer"
    assert body["consent_purposes"] == ["service"]
    assert body["consent_basis"] == "老客户，合同在履行中"
    listed = client.get("/api/v1/imports").json()
    assert listed[0]["consent_lawful_basis"] == "existing_customer"


def test_card_capture_records_a_lawful_basis(api: Any, rep: Any) -> None:
    api.login(rep)
    card = {"name": "陈名片", "company": "福州名片贸易有限公司", "mobile": "13500004444"}
    wrong = api.post(
        "/api/v1/capture/card/save",
        {**card, "consent_lawful_basis": "none", "consent_purposes": ["marketing"]},
    )
    assert wrong.status_code == 422 and "consent_purposes" in wrong.json()["errors"]
    assert not Customer.objects.filter(name="福州名片贸易有限公司").exists()
    saved = api.post(
        "/api/v1/capture/card/save",
        {**card, "consent_lawful_basis": "existing_customer", "consent_basis": "多年老客户"},
    )
    assert saved.status_code == 201, saved.content
    consent = Consent.objects.get(customer__customer_no=saved.json()["customer_no"])
    assert (consent.channel, consent.purpose, consent.lawful_basis) == (
        "card",
        "service",
        "existing_customer",
    )
    assert consent.contact_id == saved.json()["contact_id"] and consent.recorded_by_id == rep.pk
    page = api.client.get("/capture/card/")
    assert page.status_code == 200
    plain = api.post(
        "/api/v1/capture/card/save",
        {**card, "name": "林名片", "company": "福州无依据贸易有限公司", "mobile": "13500005555"},
    )
    assert plain.status_code == 201  # none recorded: saved, no consent
    assert not Consent.objects.filter(customer__name="福州无依据贸易有限公司").exists()


def test_consent_api_takes_a_lawful_basis(api: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory(name="南昌合同客户有限公司")
    api.login(rep)
    refused = api.post(
        "/api/v1/privacy/consents",
        {"customer_no": customer.customer_no, "purpose": "marketing", "channel": "paper",
         "lawful_basis": "contract"},
    )  # fmt: skip
    assert refused.status_code == 422 and "lawful_basis" in refused.json()["errors"]
    made = api.post(
        "/api/v1/privacy/consents",
        {"customer_no": customer.customer_no, "purpose": "service", "channel": "paper",
         "lawful_basis": "contract"},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["lawful_basis"] == "contract" and made.json()["import_id"] is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_import_records_the_basis_set_at_the_mapping_step(
    client: Any, rep: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The whole API path: upload (none), the mapping step sets consent, the commit records it."""
    client.force_login(rep)
    from kehu.intake.tests.helpers import csv_text

    file = io.BytesIO(csv_text(_rows(21, 2, "嘉兴")).encode("utf-8"))
    file.name = "jx.csv"
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post("/api/v1/imports", {"file": file})
    assert made.status_code == 202, made.content
    import_id = made.json()["id"]
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    url = f"/api/v1/imports/{import_id}"
    assert client.get(url).json()["consent_lawful_basis"] == "none"
    changed = client.put(
        f"{url}/mapping",
        {"consent_lawful_basis": "consent", "consent_purposes": ["marketing", "service"],
         "consent_basis": "线上报名表同意", "consent_wording_version": "form-2"},
        content_type="application/json",
    )  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["consent_purposes"] == ["marketing", "service"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{url}/commit").status_code == 202
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert client.get(url).json()["created"] == 2
    consents = Consent.objects.filter(import_run_id=import_id)
    assert sorted(c.purpose for c in consents) == ["marketing", "marketing", "service", "service"]
    assert {(c.channel, c.wording_version, c.recorded_by_id) for c in consents} == {
        ("import", "form-2", rep.pk)
    }
