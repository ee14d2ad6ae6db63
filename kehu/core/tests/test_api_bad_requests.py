"""Bad requests answer a 4xx JSON naming the field, never a 500, and save nothing (issue 14.7).

The cases the probe found: a budget sent as a JSON number to a change that goes to review, a
follow-up created without its kind, a malformed multipart body on the three upload endpoints;
and a body that is not JSON at all. tests/test_api_schema.py fuzzes every operation besides.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.intake.capture.models import Lead
from kehu.intake.models import ImportRun
from kehu.interactions.models import FollowUp
from kehu.review.models import ReviewItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("amount", [900000000, 900000000.5, 150000000])
def test_a_budget_sent_as_a_json_number_waits_for_review_then_applies(
    api: Any, rep: Any, manager: Any, customer_factory: Any, amount: Any
) -> None:
    customer = customer_factory(name="预算数字测试有限公司", budget_amount="300000")
    response = api.login(rep).patch(
        f"/api/v1/customers/{customer.customer_no}", {"budget_amount": amount}
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["code"] == "pending_review" and body["pending_id"]
    customer.refresh_from_db()
    assert customer.budget_amount == Decimal("300000")  # nothing saved before the review
    approved = api.login(manager).post(f"/api/v1/review/{body['pending_id']}/approve", {})
    assert approved.status_code == 200, approved.content
    customer.refresh_from_db()
    assert customer.budget_amount == Decimal(str(amount))


def test_a_new_customer_with_a_numeric_budget_waits_for_review(api: Any, rep: Any) -> None:
    payload = {
        "name": "数字预算新客户有限公司",
        "budget_amount": 900000000,
        "decision_maker": {"name": "王建国", "mobile": "13900001111"},
    }
    response = api.login(rep).post("/api/v1/customers", payload)
    assert response.status_code == 202, response.content
    assert ReviewItem.objects.filter(pk=response.json()["pending_id"]).exists()
    assert not Customer.objects.filter(name="数字预算新客户有限公司").exists()


def test_a_follow_up_without_its_kind_is_refused_naming_kind(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="任务类型测试有限公司")
    url = f"/api/v1/customers/{customer.customer_no}/follow-ups"
    entries = AuditEntry.objects.count()
    for payload in ({"title": "回电话"}, {"title": "回电话", "kind": ""}):
        response = api.login(rep).post(url, payload)
        assert response.status_code == 422, response.content
        assert list(response.json()["errors"]) == ["kind"]
        assert "下一步" in response.json()["errors"]["kind"][0]  # says which kinds there are
    assert not FollowUp.objects.exists()
    assert AuditEntry.objects.count() == entries
    created = api.post(url, {"title": "回电话", "kind": "next_action"})
    assert created.status_code == 201 and created.json()["kind"] == "next_action"


BOUNDARY = "kehuboundary"
MALFORMED = [
    pytest.param("multipart/form-data", b"garbage", id="no-boundary"),
    pytest.param("multipart/form-data; boundary=", b"--\r\n", id="empty-boundary"),
    pytest.param(
        f"multipart/form-data; boundary={BOUNDARY}",
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"; filename="a.csv"\r\n\r\nabc'.encode(),
        id="cut-short",
    ),
    pytest.param(
        f"multipart/form-data; boundary={BOUNDARY}",
        f"--{BOUNDARY}\r\nno header here\r\n\r\nabc\r\n--{BOUNDARY}--\r\n".encode(),
        id="part-without-header",
    ),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/api/v1/imports", {"file"}),
        ("/api/v1/capture/card", {"image"}),
        ("/api/v1/leads", {"name", "mobile", "consent"}),
    ],
)
def test_a_malformed_multipart_body_names_the_fields(
    client: Any, rep: Any, url: str, fields: set[str], content_type: str, body: bytes
) -> None:
    client.force_login(rep)
    entries = AuditEntry.objects.count()
    response = client.generic("POST", url, body, content_type=content_type)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert fields <= set(errors), errors
    assert not any(name.startswith(("file.", "form.", "body.")) for name in errors)
    assert ImportRun.objects.count() == 0 and Lead.objects.count() == 0
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("body", [b"\xd9\xa7y_", b"{\xb0", b'{"name": ', b"<xml/>"])
def test_a_body_that_is_not_json_names_the_body(api: Any, rep: Any, body: bytes) -> None:
    api.login(rep)
    response = api.client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == "bad_json" and list(payload["errors"]) == ["body"]
    assert "JSON" in payload["errors"]["body"][0]
    assert not Customer.objects.exists()


def test_a_json_body_that_is_not_an_object_names_the_body(api: Any, rep: Any) -> None:
    api.login(rep)
    response = api.client.post(
        "/api/v1/customers", json.dumps(["a list"]), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert "errors" in response.json()


def test_control_characters_never_reach_storage(api: Any, admin_user: Any, rep: Any) -> None:
    """A NUL or BEL in any JSON string or query value is removed before the fields are read
    (PostgreSQL refuses NUL in text: schemathesis found a 500 on POST /api/v1/sources)."""
    from kehu.customers.models import Source

    created = api.login(admin_user).post(
        "/api/v1/sources", {"name": "展会\u0000渠道\u0007", "code": "expo\u0000-nul"}
    )
    assert created.status_code == 201, created.content
    source = Source.objects.get(code="expo-nul")
    assert source.name == "展会渠道"
    customer = api.post(
        "/api/v1/customers",
        {
            "name": "控制\u0000字符测试有限公司",
            "owner": "rep",
            "notes": "第一行\n第二行\u0000",
            "decision_maker": {"name": "王\u0000五", "mobile": "13912340000"},
        },
    )
    assert customer.status_code == 201, customer.content
    row = Customer.objects.get(customer_no=customer.json()["customer_no"])
    assert (row.name, row.notes) == ("控制字符测试有限公司", "第一行\n第二行")
    assert row.contacts.get().name == "王五"
    listed = api.login(rep).get("/api/v1/customers?q=%00%E6%8E%A7%E5%88%B6")
    assert listed.status_code == 200, listed.content
    found = api.get("/api/v1/search?q=%E6%8E%A7%E5%88%B6%00")
    assert found.status_code == 200, found.content
