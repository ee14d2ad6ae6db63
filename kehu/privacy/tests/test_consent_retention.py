"""Consents through the API, consent gating of marketing exports, retention policies (issue 19)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.audit.services import audit_verify
from kehu.customers.models import Customer
from kehu.customers.services import customer_update
from kehu.privacy.models import Consent, RetentionPolicy, RetentionRun

pytestmark = pytest.mark.django_db


def _export_rows(api: Any, **params: Any) -> tuple[list[str], Any]:
    response = api.get("/api/v1/exports/customers", format="csv", **params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return [row[0] for row in rows], response


def test_consent_record_list_withdraw(api: Any, rep: Any, outsider: Any, customer_factory: Any):
    customer = customer_factory(name="上海晨光文具有限公司")
    contact = customer.contacts.get()
    api.login(rep)
    bad = api.post(
        "/api/v1/privacy/consents",
        {"customer_no": customer.customer_no, "purpose": "spam", "channel": "card"},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"purpose", "basis"}
    created = api.post(
        "/api/v1/privacy/consents",
        {
            "customer_no": customer.customer_no,
            "contact_id": contact.pk,
            "purpose": "marketing",
            "channel": "card",
            "basis": "2026年11月展会名片，口头同意接收产品资料",
            "wording_version": "v2",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["is_live"] and body["contact_name"] == contact.name
    assert body["purpose_label"] == "营销"
    separate = api.post(
        "/api/v1/privacy/consents",
        {"customer_no": customer.customer_no, "purpose": "cross_border", "channel": "paper"},
    )
    assert separate.status_code == 201
    listed = api.get("/api/v1/privacy/consents", customer_no=customer.customer_no).json()
    assert {row["purpose"] for row in listed} == {"marketing", "cross_border"}
    entries = AuditEntry.objects.filter(action="consent.recorded").count()
    # Someone else's customer: not found, nothing written.
    denied = api.login(outsider).post(
        "/api/v1/privacy/consents",
        {"customer_no": customer.customer_no, "purpose": "marketing", "channel": "phone"},
    )
    assert denied.status_code == 404
    assert AuditEntry.objects.filter(action="consent.recorded").count() == entries
    withdrawn = api.login(rep).post(
        f"/api/v1/privacy/consents/{body['id']}/withdraw", {"note": "电话要求退订"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["is_live"] is False
    again = api.post(f"/api/v1/privacy/consents/{body['id']}/withdraw", {})
    assert again.status_code == 409
    assert AuditEntry.objects.filter(action="consent.withdrawn").count() == 1


def test_marketing_export_leaves_out_customers_without_live_consent(
    api: Any, rep: Any, customer_factory: Any
):
    agreed = customer_factory(name="杭州同意科技有限公司")
    withdrawn = customer_factory(name="杭州撤回科技有限公司")
    customer_factory(name="杭州无同意科技有限公司")
    api.login(rep)
    for customer in (agreed, withdrawn):
        api.post(
            "/api/v1/privacy/consents",
            {"customer_no": customer.customer_no, "purpose": "marketing", "channel": "phone"},
        )
    consent = Consent.objects.get(customer=withdrawn)
    api.post(f"/api/v1/privacy/consents/{consent.pk}/withdraw", {})
    everyone, response = _export_rows(api)
    assert len(everyone) == 3 and "X-Kehu-Left-Out" not in response
    gated, response = _export_rows(api, purpose="marketing")
    assert gated == [agreed.customer_no]
    assert response["X-Kehu-Left-Out"] == "2"
    entry = AuditEntry.objects.filter(action="customers.exported").first()
    assert entry is not None and entry.changes["left_out_no_consent"] == 2
    service, response = _export_rows(api, purpose="service")
    assert service == [] and response["X-Kehu-Left-Out"] == "3"
    bad = api.get("/api/v1/exports/customers", format="csv", purpose="nothing")
    assert bad.status_code == 422 and "purpose" in bad.json()["errors"]
    page = api.client.get("/exports/customers.csv", {"purpose": "marketing"})
    assert page.status_code == 200 and page["X-Kehu-Left-Out"] == "2"


@pytest.fixture
def lost_and_lead(customer_factory: Any, manager: Any) -> dict[str, Customer]:
    with time_machine.travel(timezone.now() - timedelta(days=200), tick=False):
        lost = customer_factory(name="成都旧客户有限公司", notes="老客户")
        lead = customer_factory(name="成都线索有限公司")
        customer_update(
            actor=manager, customer=lost, data={"status": "lost", "status_reason": "转投竞品"}
        )
    fresh = customer_factory(name="成都新线索有限公司")
    return {"lost": lost, "lead": lead, "fresh": fresh}


def test_retention_dry_run_then_run(api: Any, steward: Any, lost_and_lead: dict[str, Customer]):
    api.login(steward)
    policies = {p["kind"]: p for p in api.get("/api/v1/privacy/retention-policies").json()}
    assert set(policies) == {"lost_customers", "stale_leads", "import_files", "read_audit"}
    assert not any(p["is_enabled"] for p in policies.values())  # shipped disabled
    lost_policy = policies["lost_customers"]
    lost = lost_and_lead["lost"]
    maker = lost.contacts.get()
    preview = api.post(f"/api/v1/privacy/retention-policies/{lost_policy['id']}/run", {})
    assert preview.status_code == 200
    assert preview.json()["is_dry_run"] and preview.json()["matched"] == 1
    assert preview.json()["report"]["sample"] == [lost.customer_no]
    maker.refresh_from_db()
    assert maker.mobile  # a preview changes nothing
    run = api.post(
        f"/api/v1/privacy/retention-policies/{lost_policy['id']}/run", {"dry_run": False}
    ).json()
    assert run["processed"] == 1
    maker.refresh_from_db()
    lost.refresh_from_db()
    assert maker.name == "[erased]" and maker.mobile == "" and lost.notes == ""
    assert lost.name == "成都旧客户有限公司"  # a company's name is not personal data
    again = api.post(f"/api/v1/privacy/retention-policies/{lost_policy['id']}/run", {}).json()
    assert again["matched"] == 0  # erased already
    assert list(audit_verify()) == []
    runs = api.get(f"/api/v1/privacy/retention-policies/{lost_policy['id']}/runs").json()
    assert [r["is_dry_run"] for r in runs] == [True, False, True]

    # The stale-lead policy, enabled with 30 days, runs from the CLI: the 200-day-old lead goes,
    # the fresh one stays.
    lead_policy = policies["stale_leads"]
    changed = api.patch(
        f"/api/v1/privacy/retention-policies/{lead_policy['id']}", {"is_enabled": True}
    )
    assert changed.status_code == 200 and changed.json()["is_enabled"]
    out = StringIO()
    call_command("retention_run", stdout=out)
    assert f"policy={lead_policy['id']}" in out.getvalue() and "processed=1" in out.getvalue()
    assert lost_and_lead["lead"].contacts.get().name == "[erased]"
    assert lost_and_lead["fresh"].contacts.get().name != "[erased]"
    assert RetentionRun.objects.filter(policy_id=lead_policy["id"], is_dry_run=False).count() == 1


def test_retention_policies_validate_and_are_for_stewards(
    api: Any, rep: Any, admin_user: Any
) -> None:
    assert api.login(rep).get("/api/v1/privacy/retention-policies").status_code == 403
    before = RetentionPolicy.objects.count()
    denied = api.post(
        "/api/v1/privacy/retention-policies", {"name": "x", "kind": "read_audit", "days": 5}
    )
    assert denied.status_code == 403 and RetentionPolicy.objects.count() == before
    bad = api.login(admin_user).post(
        "/api/v1/privacy/retention-policies", {"name": "", "kind": "everything", "days": 0}
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"name", "kind", "days"}
    made = api.post(
        "/api/v1/privacy/retention-policies",
        {"name": "读取日志90天", "kind": "read_audit", "days": 90},
    )
    assert made.status_code == 201 and made.json()["is_enabled"] is False


def test_segment_count_says_how_many_a_marketing_action_leaves_out(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    agreed = customer_factory(name="温州同意分群有限公司", province="浙江省")
    customer_factory(name="温州无同意分群有限公司", province="浙江省")
    api.login(rep)
    api.post(
        "/api/v1/privacy/consents",
        {"customer_no": agreed.customer_no, "purpose": "marketing", "channel": "email"},
    )
    made = api.post("/api/v1/segments", {"name": "浙江", "query": "province=浙江省"})
    assert made.status_code == 201, made.content
    sid = made.json()["id"]
    assert api.get(f"/api/v1/segments/{sid}/count").json() == {"count": 2}
    gated = api.get(f"/api/v1/segments/{sid}/count", purpose="marketing").json()
    assert gated == {"count": 2, "reachable": 1, "left_out": 1}
    assert api.get(f"/api/v1/segments/{sid}/count", purpose="x").status_code == 422


def test_card_capture_records_the_stated_consent(api: Any, rep: Any) -> None:
    api.login(rep)
    card = {"name": "马名片", "company": "厦门名片科技有限公司", "mobile": "13500002222"}
    missing = api.post("/api/v1/capture/card/save", {**card, "consent_purposes": ["marketing"]})
    assert missing.status_code == 422 and "consent_basis" in missing.json()["errors"]
    assert not Customer.objects.filter(name="厦门名片科技有限公司").exists()  # atomic
    saved = api.post(
        "/api/v1/capture/card/save",
        {**card, "consent_purposes": ["marketing", "service"], "consent_basis": "展会当面同意"},
    )
    assert saved.status_code == 201, saved.content
    consents = Consent.objects.filter(customer__customer_no=saved.json()["customer_no"])
    assert sorted(c.purpose for c in consents) == ["marketing", "service"]
    assert {c.channel for c in consents} == {"card"}
    assert {c.contact_id for c in consents} == {saved.json()["contact_id"]}
    page = api.client.post(
        "/capture/card/",
        {"step": "save", **card, "name": "牛名片", "mobile": "13500003333",
         "company": "厦门页面名片有限公司", "consent_purposes": "marketing",
         "consent_basis": "名片背面签字"},
    )  # fmt: skip
    assert page.status_code == 302
    assert (
        Consent.objects.filter(customer__name="厦门页面名片有限公司", channel="card").count() == 1
    )
