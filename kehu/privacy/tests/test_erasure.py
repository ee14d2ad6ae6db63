"""Erasure through the API: the person is gone from search, export, API and audit views; the
revenue keeps its totals; the hash chain still verifies (issue 19)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kehu.audit.models import AuditEntry, ReadEntry
from kehu.audit.services import audit_reads_seal, audit_verify
from kehu.customers.models import Customer
from kehu.interactions.services import interaction_log
from kehu.opportunities.services import order_create
from kehu.reports.analyses.filters import parse_filters
from kehu.reports.analyses.registry import analysis_run

pytestmark = pytest.mark.django_db

PERSON_MOBILE = "13912345678"
PERSON_E164 = "+8613912345678"
PERSON_EMAIL = "chen.jing@example.cn"
PERSON_NAME = "陈静怡"
INDIVIDUAL = "欧阳明远"
INDIVIDUAL_MOBILE = "13787654321"


@pytest.fixture
def people(customer_factory: Any, rep: Any, manager: Any) -> dict[str, Any]:
    company = customer_factory(
        name="华南精密仪器有限公司",
        decision_maker={
            "name": PERSON_NAME,
            "title": "采购经理",
            "mobile": PERSON_MOBILE,
            "email": PERSON_EMAIL,
        },
        notes="已联系",
    )
    contact = company.contacts.get()
    interaction_log(
        actor=rep,
        customer=company,
        data={
            "method": "phone",
            "contact_id": contact.pk,
            "topic": "报价",
            "feedback": "interested",
            "next_action": "下周跟进",
            "summary": f"{PERSON_NAME}说下周回复",
        },
    )
    person = customer_factory(
        name=INDIVIDUAL,
        kind="individual",
        decision_maker={"name": INDIVIDUAL, "mobile": INDIVIDUAL_MOBILE},
        notes=f"{INDIVIDUAL}的私人备注",
    )
    order_create(actor=rep, customer=person, data={"signed_on": "2026-11-10", "amount": "88000"})
    order_create(actor=rep, customer=company, data={"signed_on": "2026-11-12", "amount": "12000"})
    return {"company": company, "contact": contact, "person": person}


def _revenue(user: Any) -> Decimal:
    result = analysis_run(user, "value", parse_filters({"from": "2026-01-01", "to": "2026-12-31"}))
    return Decimal(str({f.key: f.value for f in result.figures}["revenue_to_date"]))


def _register(api: Any, user: Any, **data: Any) -> dict[str, Any]:
    response = api.login(user).post("/api/v1/privacy/requests", {"kind": "erasure", **data})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _everything_said(api: Any, user: Any, customer: Customer) -> str:
    """What the API, the audit view and an export show about a customer, as one text."""
    export = api.login(user).get("/api/v1/exports/customers", format="csv")
    parts = [
        api.get(f"/api/v1/customers/{customer.customer_no}").content.decode(),
        api.get("/api/v1/audit", customer=customer.customer_no, limit=100).content.decode(),
        api.get("/api/v1/audit", limit=100).content.decode(),
        b"".join(export.streaming_content).decode("utf-8-sig"),
        api.client.get(f"/customers/{customer.customer_no}/").content.decode(),
        api.client.get("/audit/").content.decode(),
    ]
    assert all("请检查" not in part[:200] for part in parts)  # every view answered
    return "\n".join(parts)


def test_erasure_removes_identity_keeps_totals_and_chain(
    api: Any, admin_user: Any, steward: Any, people: dict[str, Any]
) -> None:
    revenue = _revenue(admin_user)
    assert revenue == Decimal("100000")
    search = api.login(admin_user).get("/api/v1/search", q=PERSON_NAME).json()
    assert search["total"] >= 1
    assert PERSON_NAME in _everything_said(api, admin_user, people["company"])

    # Find by phone: the contact, and by name the individual customer.
    request = _register(api, steward, phone=PERSON_MOBILE, note="电话要求删除")
    assert request["phone"] == PERSON_E164
    holdings = api.get(f"/api/v1/privacy/requests/{request['id']}/holdings").json()
    assert holdings["contacts"] == [people["contact"].pk]
    assert holdings["counts"]["interactions"] == 1
    export = api.get(f"/api/v1/privacy/requests/{request['id']}/export")
    assert export.status_code == 200
    data = json.loads(export.content)
    assert data["contacts"][0]["mobile"] == PERSON_E164
    assert data["interactions"][0]["summary"].startswith(PERSON_NAME)

    refused = api.post(f"/api/v1/privacy/requests/{request['id']}/erase", {"confirm": False})
    assert refused.status_code == 422 and "confirm" in refused.json()["errors"]
    erased = api.post(f"/api/v1/privacy/requests/{request['id']}/erase", {"confirm": True})
    assert erased.status_code == 200, erased.content
    body = erased.json()
    assert body["status"] == "done"
    assert body["phone"] == "[erased]"
    assert body["result"]["erased"]["contacts"] == 1

    second = _register(api, steward, name=INDIVIDUAL)
    assert (
        api.post(f"/api/v1/privacy/requests/{second['id']}/erase", {"confirm": True}).status_code
        == 200
    )

    # Not found by any search, export, API or audit view.
    for query in (PERSON_NAME, PERSON_MOBILE, PERSON_EMAIL, INDIVIDUAL, INDIVIDUAL_MOBILE):
        found = api.login(admin_user).get("/api/v1/search", q=query).json()
        assert found["total"] == 0, (query, found)
    for customer in (people["company"], people["person"]):
        said = _everything_said(api, admin_user, customer)
        for value in (PERSON_NAME, PERSON_MOBILE, PERSON_EMAIL, INDIVIDUAL, INDIVIDUAL_MOBILE):
            assert value not in said, value
    log = json.dumps(
        list(AuditEntry.objects.values("changes", "target_label", "note")), ensure_ascii=False
    )
    for value in (PERSON_NAME, PERSON_E164, PERSON_EMAIL, INDIVIDUAL, "+86" + INDIVIDUAL_MOBILE):
        assert value not in log, value
    again = api.login(steward).post(
        "/api/v1/privacy/requests", {"kind": "access", "phone": PERSON_MOBILE}
    )
    assert (
        api.get(f"/api/v1/privacy/requests/{again.json()['id']}/holdings").json()["counts"][
            "contacts"
        ]
        == 0
    )
    register = api.get("/api/v1/privacy/requests").content.decode()
    assert PERSON_E164 in register  # the new access request names the number it was given
    assert INDIVIDUAL not in register

    # The company keeps its name; the individual does not; the totals stay.
    people["company"].refresh_from_db()
    people["person"].refresh_from_db()
    assert people["company"].name == "华南精密仪器有限公司"
    assert people["person"].name == f"[erased] {people['person'].customer_no}"
    assert _revenue(admin_user) == revenue

    # The chain verifies, by the command too.
    assert list(audit_verify()) == []
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "chain intact" in out.getvalue()


def test_a_redacted_entry_edited_afterwards_is_reported(
    api: Any, steward: Any, people: dict[str, Any]
) -> None:
    request = _register(api, steward, email=PERSON_EMAIL.upper())
    assert (
        api.post(f"/api/v1/privacy/requests/{request['id']}/erase", {"confirm": True}).status_code
        == 200
    )
    redacted = AuditEntry.objects.filter(target_label="[erased]").first()
    assert redacted is not None
    assert list(audit_verify()) == []
    AuditEntry.objects.filter(pk=redacted.pk).update(note="forged")
    problems = list(audit_verify())
    assert [p.seq for p in problems] == [redacted.seq]


def test_an_entry_edited_without_redaction_still_fails(people: dict[str, Any]) -> None:
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    AuditEntry.objects.filter(pk=entry.pk).update(target_label="[erased]")
    assert [p.seq for p in audit_verify()] == [entry.seq]


def test_only_steward_and_admin_handle_requests(
    api: Any, rep: Any, manager: Any, executive: Any, steward: Any, admin_user: Any
) -> None:
    for user in (rep, manager, executive):
        response = api.login(user).post(
            "/api/v1/privacy/requests", {"kind": "erasure", "phone": PERSON_MOBILE}
        )
        assert response.status_code == 403
        assert api.get("/api/v1/privacy/requests").status_code == 403
    assert _register(api, admin_user, phone=PERSON_MOBILE)["status"] == "open"


def test_request_register_validates_and_sets_the_deadline(
    api: Any, steward: Any, settings: Any
) -> None:
    settings.KEHU_PRIVACY_REQUEST_DAYS = 30
    bad = api.login(steward).post("/api/v1/privacy/requests", {"kind": "forget", "phone": "12"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"kind", "phone"}
    empty = api.post("/api/v1/privacy/requests", {"kind": "access"})
    assert "phone" in empty.json()["errors"]
    row = _register(api, steward, email="a@example.cn", received_at="2026-11-01T09:00:00+08:00")
    assert row["due_at"].startswith("2026-12-01")
    done = api.patch(f"/api/v1/privacy/requests/{row['id']}", {"status": "rejected"})
    assert done.json()["status"] == "rejected" and done.json()["completed_at"]


def test_erasure_takes_the_person_out_of_the_read_log_and_its_seals_still_verify(
    api: Any, client: Any, admin_user: Any, steward: Any, people: dict[str, Any]
) -> None:
    """The read log names people too: a 360 page of an individual is labelled with their name,
    a search holds what was typed. After erasure no read-log view or API shows them, and the
    days already sealed into the chain verify against the erasure's new digests."""
    client.force_login(admin_user)
    assert client.get(f"/customers/{people['person'].customer_no}/").status_code == 200
    api.login(admin_user)
    for query in (PERSON_MOBILE, PERSON_EMAIL, INDIVIDUAL_MOBILE):
        assert api.get("/api/v1/search", q=query).status_code == 200
    reads = ReadEntry.objects.values_list("target_label", "query")
    assert any(INDIVIDUAL in label for label, _query in reads)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert audit_reads_seal() >= 4  # sealed into the chain before the erasure
    api.client.get(f"/customers/{people['company'].customer_no}/")  # not sealed yet

    for data in ({"phone": PERSON_MOBILE}, {"name": INDIVIDUAL}):
        request = _register(api, steward, **data)
        erased = api.post(f"/api/v1/privacy/requests/{request['id']}/erase", {"confirm": True})
        assert erased.status_code == 200, erased.content

    api.login(admin_user)
    shown = "\n".join(
        [
            api.get("/api/v1/audit/reads", limit=100).content.decode(),
            client.get("/audit/", {"log": "reads"}).content.decode(),
            json.dumps(list(ReadEntry.objects.values()), ensure_ascii=False, default=str),
        ]
    )
    assert "[erased]" in shown
    for value in (PERSON_MOBILE, PERSON_EMAIL, INDIVIDUAL, INDIVIDUAL_MOBILE):
        assert value not in shown, value
    assert "华南精密仪器有限公司" in shown  # the company's own reads keep their label
    assert list(audit_verify()) == []
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "chain intact" in out.getvalue()

    # A redacted read edited afterwards no longer matches the erasure's digest.
    redacted = ReadEntry.objects.filter(query="[erased]").first()
    assert redacted is not None
    ReadEntry.objects.filter(pk=redacted.pk).update(query="something else")
    problems = list(audit_verify())
    assert problems and "do not match their seal" in problems[0].problem


def test_a_request_keeps_the_requesters_phone_and_email_encrypted(api: Any, steward: Any) -> None:
    row = _register(api, steward, kind="access", phone="13912345678", email="Qing.Li@example.cn")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email FROM privacy_subjectrequest WHERE id = %s", [row["id"]])
        stored = cursor.fetchone()
    assert "13912345678" not in str(stored) and "Qing.Li" not in str(stored)
    shown = api.get(f"/api/v1/privacy/requests/{row['id']}").json()
    assert shown["phone"].endswith("13912345678") and shown["email"] == "Qing.Li@example.cn"


def test_erasure_scrubs_the_stored_reports(
    api: Any, admin_user: Any, steward: Any, rep: Any, people: dict[str, Any]
) -> None:
    from kehu.reports.health.services import people_reports_store, report_store
    from kehu.reports.models import ReportSnapshot

    Customer.objects.filter(pk=people["company"].pk).update(status=Customer.Status.WON)
    report_store("health")
    report_store("churn", now=timezone.now() + timedelta(days=200))  # both dormant by then
    people_reports_store()

    def stored() -> str:
        rows = ReportSnapshot.objects.filter(kind__in=("health", "churn", "dormancy"))
        return json.dumps([s.data for s in rows], ensure_ascii=False)

    assert INDIVIDUAL in stored()
    assert '"topic": "报价"' in stored()  # the company's last interaction, with its contact
    for data in ({"name": INDIVIDUAL}, {"phone": PERSON_MOBILE}):
        request = _register(api, steward, **data)
        erased = api.post(f"/api/v1/privacy/requests/{request['id']}/erase", {"confirm": True})
        assert erased.status_code == 200, erased.content
    after = stored()
    assert INDIVIDUAL not in after
    assert f"[erased] {people['person'].customer_no}" in after
    assert '"topic": "报价"' not in after
    assert "华南精密仪器有限公司" in after  # the company stays listed
    health = api.login(admin_user).get("/api/v1/reports/health").content.decode()
    assert INDIVIDUAL not in health and "华南精密仪器有限公司" in health
