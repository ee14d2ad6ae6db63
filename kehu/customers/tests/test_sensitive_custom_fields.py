"""A custom field the administrator classes sensitive (身份证号) is masked like an ID number for
the roles that see phones masked — on the API, the list, the 360 page, the export and the
change history — and shown whole to the owner (issue 19: the field registry drives masking)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ID_NUMBER = "330106198801012345"
CONTACT_ID_NUMBER = "330106199002023456"


def _everything(api: Any, user: Any, customer_no: str) -> str:
    api.login(user)
    export = api.get("/api/v1/exports/customers", format="csv", q=customer_no)
    assert export.status_code == 200, export.content
    parts = [
        api.get(f"/api/v1/customers/{customer_no}").content.decode(),
        api.get(f"/api/v1/customers/{customer_no}/contacts").content.decode(),
        api.get("/api/v1/customers", q=customer_no).content.decode(),
        api.get(f"/api/v1/customers/{customer_no}/history").content.decode(),
        api.get("/api/v1/audit", limit=100).content.decode(),
        api.client.get("/customers/", {"q": customer_no, "cols": "cf_legal_id"}).content.decode(),
        api.client.get(f"/customers/{customer_no}/").content.decode(),
        b"".join(export.streaming_content).decode("utf-8-sig"),
    ]
    return "\n".join(parts)


def test_sensitive_custom_field_masked_for_roles_that_see_masked_values(
    api: Any, admin_user: Any, rep: Any, executive: Any, marketing: Any, customer_factory: Any
) -> None:
    for entity, key, label in (
        ("customer", "legal_id", "法人身份证号"),
        ("contact", "id_card", "身份证号"),
    ):
        made = api.login(admin_user).post(
            "/api/v1/custom-fields",
            {"entity": entity, "key": key, "label": label, "personal_class": "sensitive",
             "show_in_list": entity == "customer"},
        )  # fmt: skip
        assert made.status_code == 201, made.content
    customer = customer_factory(name="天津市乐责亿电子商务有限公司", status="lead")
    contact = customer.contacts.get()
    api.login(rep)
    changed = api.patch(
        f"/api/v1/customers/{customer.customer_no}", {"custom_fields": {"legal_id": ID_NUMBER}}
    )
    assert changed.status_code == 200, changed.content
    changed = api.patch(
        f"/api/v1/contacts/{contact.pk}", {"custom_fields": {"id_card": CONTACT_ID_NUMBER}}
    )
    assert changed.status_code == 200, changed.content

    owner_sees = _everything(api, rep, customer.customer_no)
    assert ID_NUMBER in owner_sees and CONTACT_ID_NUMBER in owner_sees
    for user in (marketing, executive):
        seen = _everything(api, user, customer.customer_no)
        assert customer.name in seen  # they do see the customer
        assert ID_NUMBER not in seen, user.role
        assert CONTACT_ID_NUMBER not in seen, user.role
        assert "330***********2345" in seen


def test_sensitive_custom_value_matches_only_where_the_user_sees_it_whole(
    api: Any, admin_user: Any, rep: Any, marketing: Any, customer_factory: Any
) -> None:
    """A filter on a sensitive value would tell who holds an ID number the user sees masked
    (as a phone suffix would rebuild a masked number): it matches only the customers whose
    personal data the user sees whole."""
    made = api.login(admin_user).post(
        "/api/v1/custom-fields",
        {"entity": "customer", "key": "legal_id", "label": "法人身份证号",
         "personal_class": "sensitive", "show_in_list": True},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    customer = customer_factory(name="天津市乐责亿电子商务有限公司", status="lead")
    changed = api.login(rep).patch(
        f"/api/v1/customers/{customer.customer_no}", {"custom_fields": {"legal_id": ID_NUMBER}}
    )
    assert changed.status_code == 200, changed.content
    mine = api.get("/api/v1/customers", cf_legal_id=ID_NUMBER).json()
    assert [c["customer_no"] for c in mine["items"]] == [customer.customer_no]

    api.login(marketing)
    assert api.get("/api/v1/customers", status="lead").json()["total"] == 1  # she sees it
    found = api.get("/api/v1/customers", cf_legal_id=ID_NUMBER).json()
    assert found["items"] == [] and found["total"] == 0
    page = api.client.get("/customers/", {"cf_legal_id": ID_NUMBER}).content.decode()
    assert customer.name not in page
