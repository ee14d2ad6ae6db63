from __future__ import annotations

from kehu.audit.models import AuditEntry
from kehu.customers.models import Contact, Customer


def test_bad_fields_are_named_and_nothing_is_written(api, rep):
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        {"name": "", "mobile": "12345", "first_contact_date": "2026-13-45"},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"name", "mobile", "first_contact_date"}
    assert Customer.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_name_and_mobile_only_is_saved_and_marked_incomplete(api, rep):
    api.login(rep)
    response = api.post(
        "/api/v1/customers", {"name": "上海测试科技有限公司", "mobile": "138 0013 8000"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer_no"].startswith("CX")
    assert len(body["customer_no"]) == 12
    assert body["phone"] == "+8613800138000"
    assert body["completeness"]["state"] == "incomplete"
    assert "industry" in body["missing_fields"]
    assert "decision_maker_name" in body["completeness"]["missing_fields"]
    customer = Customer.objects.get(customer_no=body["customer_no"])
    assert customer.quality == Customer.Quality.INCOMPLETE


def test_inline_decision_maker_bad_mobile_names_nested_field(api, rep):
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        {"name": "深圳某公司", "decision_maker": {"name": "王总", "mobile": "999"}},
    )
    assert response.status_code == 422
    assert "decision_maker.mobile" in response.json()["errors"]
    assert Contact.objects.count() == 0
