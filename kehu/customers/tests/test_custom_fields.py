"""Custom fields (issue 15): definitions through /api/v1/custom-fields (administrators only),
values through the customer and contact resources' `custom_fields`, validated by one rule set,
audited with the field's label."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from kehu.audit.models import AuditEntry
from kehu.customers.models import Contact, Customer, CustomField

pytestmark = pytest.mark.django_db

URL = "/api/v1/custom-fields"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def add_field(api, admin_user, **data: Any) -> dict[str, Any]:
    payload = {"entity": "customer", "key": "grade", "label": "Grade", "kind": "text", **data}
    response = api.login(admin_user).post(URL, payload)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def fields(api, admin_user) -> dict[str, dict[str, Any]]:
    """One field of each type on customers, and a choice on contacts."""
    made = {
        "tier": add_field(api, admin_user, key="tier", label="Tier", kind="choice",
                          choices=["A", "B", "C"], required=True, show_in_list=True),
        "employees": add_field(api, admin_user, key="employees", label="Employees", kind="number"),
        "deposit": add_field(api, admin_user, key="deposit", label="Deposit", kind="amount"),
        "renewal": add_field(api, admin_user, key="renewal", label="Renewal", kind="date"),
        "products": add_field(api, admin_user, key="products", label="Products",
                              kind="multi_choice", choices=["ERP", "CRM", "MES"]),
        "memo": add_field(api, admin_user, key="memo", label="Memo", help_text="Short note"),
        "hobby": add_field(api, admin_user, entity="contact", key="hobby", label="Hobby",
                           kind="choice", choices=["golf", "tea"]),
    }  # fmt: skip
    return made


def customer_payload(**extra: Any) -> dict[str, Any]:
    return {
        "name": "自定义字段测试有限公司",
        "decision_maker": {"name": "王建国", "mobile": "13800138000"},
        "allow_duplicate": True,
        **extra,
    }


# --- Definitions


def test_only_an_administrator_adds_changes_or_archives_a_field(api, admin_user, rep, manager):
    payload = {"entity": "customer", "key": "grade", "label": "Grade"}
    for user in (rep, manager):
        assert api.login(user).post(URL, payload).status_code == 403
    assert CustomField.objects.count() == 0
    field = add_field(api, admin_user)
    for user in (rep, manager):
        api.login(user)
        assert api.patch(f"{URL}/{field['id']}", {"label": "X"}).status_code == 403
        assert api.delete(f"{URL}/{field['id']}").status_code == 403
        listed = api.get(URL).json()  # but everyone signed in reads them
        assert [f["key"] for f in listed] == ["grade"]
    assert CustomField.objects.get().label == "Grade"
    assert AuditEntry.objects.filter(action__startswith="custom_field.").count() == 1


def test_a_field_is_created_changed_and_archived_with_audit_entries(api, admin_user):
    field = add_field(api, admin_user, kind="choice", choices=["A", "B"])
    assert field["position"] == 1 and field["is_active"] is True
    api.login(admin_user)
    changed = api.patch(f"{URL}/{field['id']}", {"label": "Level", "choices": ["A", "B", "C"]})
    assert changed.status_code == 200
    assert changed.json()["label"] == "Level" and changed.json()["choices"] == ["A", "B", "C"]
    assert api.delete(f"{URL}/{field['id']}").status_code == 204
    assert api.get(URL).json() == []
    archived = api.get(URL, include_archived="true").json()
    assert archived[0]["is_active"] is False
    actions = list(
        AuditEntry.objects.filter(action__startswith="custom_field.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["custom_field.created", "custom_field.updated", "custom_field.archived"]
    updated = AuditEntry.objects.get(action="custom_field.updated")
    assert updated.changes["label"] == ["Grade", "Level"]
    restored = api.patch(f"{URL}/{field['id']}", {"is_active": True})
    assert restored.json()["is_active"] is True


def test_the_key_and_type_are_fixed_and_definitions_are_checked(api, admin_user):
    field = add_field(api, admin_user)
    api.login(admin_user)
    response = api.patch(f"{URL}/{field['id']}", {"key": "other", "kind": "number"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"key", "kind"}
    bad = api.post(URL, {"entity": "deal", "key": "9x", "label": "", "kind": "colour"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"entity", "key", "label", "kind"}
    again = api.post(URL, {"entity": "customer", "key": "grade", "label": "Grade"})
    assert again.status_code == 422
    assert "已被使用" in again.json()["errors"]["key"][0]
    assert "Grade" in again.json()["errors"]["label"][0]
    no_choices = api.post(URL, {"entity": "customer", "key": "c", "label": "C", "kind": "choice"})
    assert no_choices.json()["errors"]["choices"] == ["选择类字段至少需要一个选项。"]
    assert CustomField.objects.count() == 1


# --- Values through the API


def test_customer_custom_fields_round_trip_in_their_stored_forms(api, rep, fields):
    api.login(rep)
    custom = {
        "tier": "b",  # matched to its choice
        "employees": "1,200",
        "deposit": "8万",
        "renewal": "2027年3月5日",
        "products": ["MES", "ERP"],
        "memo": " 年度框架 ",
    }
    response = api.post("/api/v1/customers", customer_payload(custom_fields=custom))
    assert response.status_code == 201, response.content
    assert response.json()["custom_fields"] == {
        "tier": "B",
        "employees": 1200,
        "deposit": "80000.00",
        "renewal": "2027-03-05",
        "products": ["ERP", "MES"],  # in the choices' order
        "memo": "年度框架",
    }
    number = response.json()["customer_no"]
    # A change names only what changes; null clears, the others stay.
    patched = api.patch(
        f"/api/v1/customers/{number}", {"custom_fields": {"employees": 12.5, "memo": None}}
    )
    assert patched.status_code == 200
    body = patched.json()["custom_fields"]
    assert body["employees"] == 12.5 and body["memo"] is None and body["tier"] == "B"
    stored = Customer.objects.get(customer_no=number).custom_fields
    assert "memo" not in stored and stored["deposit"] == "80000.00"
    # Audited under the field's label.
    entry = AuditEntry.objects.filter(action="customer.updated").latest("id")
    assert entry.changes["Employees"] == [1200, 12.5]
    assert entry.changes["Memo"] == ["年度框架", None]
    created = AuditEntry.objects.get(action="customer.created")
    assert created.changes["Products"] == [None, ["ERP", "MES"]]


def test_bad_values_are_422_naming_each_field_and_nothing_is_written(api, rep, fields):
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        customer_payload(
            custom_fields={
                "employees": "many",
                "deposit": "-5",
                "renewal": "someday",
                "products": ["ERP", "SAP"],
                "colour": "red",
            }
        ),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {
        "custom_fields.tier",  # required on create
        "custom_fields.employees",
        "custom_fields.deposit",
        "custom_fields.renewal",
        "custom_fields.products",
        "custom_fields.colour",
    }
    assert errors["custom_fields.tier"] == ["Tier 为必填项。"]
    assert errors["custom_fields.employees"][0].startswith("Employees:")
    assert "SAP" in errors["custom_fields.products"][0]
    assert errors["custom_fields.colour"] == ["未知的自定义字段“colour”。"]
    assert Customer.objects.count() == 0
    not_object = api.post("/api/v1/customers", customer_payload(custom_fields="tier=A"))
    assert not_object.status_code == 422


def test_a_required_field_holds_on_change_only_when_given(api, admin_user, rep, customer_factory):
    customer = customer_factory()  # created before the field existed: no tier
    add_field(
        api, admin_user, key="tier", label="Tier", kind="choice", choices=["A"], required=True
    )
    api.login(rep)
    url = f"/api/v1/customers/{customer.customer_no}"
    assert api.patch(url, {"notes": "跟进中"}).status_code == 200  # not given: left alone
    cleared = api.patch(url, {"custom_fields": {"tier": ""}})
    assert cleared.status_code == 422
    assert cleared.json()["errors"] == {"custom_fields.tier": ["Tier 为必填项。"]}
    assert api.patch(url, {"custom_fields": {"tier": "A"}}).json()["custom_fields"]["tier"] == "A"


def test_an_archived_field_is_hidden_and_refused_but_its_values_are_kept(
    api, admin_user, rep, fields
):
    api.login(rep)
    number = api.post(
        "/api/v1/customers", customer_payload(custom_fields={"tier": "A", "memo": "旧备注"})
    ).json()["customer_no"]
    api.login(admin_user).delete(f"{URL}/{fields['memo']['id']}")
    api.login(rep)
    assert "memo" not in api.get(f"/api/v1/customers/{number}").json()["custom_fields"]
    refused = api.patch(f"/api/v1/customers/{number}", {"custom_fields": {"memo": "新"}})
    assert refused.status_code == 422 and "custom_fields.memo" in refused.json()["errors"]
    assert Customer.objects.get(customer_no=number).custom_fields["memo"] == "旧备注"


def test_contact_custom_fields_round_trip_validated_and_audited(api, rep, fields, customer_factory):
    customer = customer_factory(custom_fields={"tier": "C"})
    api.login(rep)
    url = f"/api/v1/customers/{customer.customer_no}/contacts"
    bad = api.post(
        url, {"name": "李四", "mobile": "13900139000", "custom_fields": {"hobby": "ski"}}
    )
    assert bad.status_code == 422
    assert "custom_fields.hobby" in bad.json()["errors"]
    made = api.post(
        url, {"name": "李四", "mobile": "13900139000", "custom_fields": {"hobby": "TEA"}}
    )
    assert made.status_code == 201, made.content
    assert made.json()["custom_fields"] == {"hobby": "tea"}
    contact_id = made.json()["id"]
    changed = api.patch(f"/api/v1/contacts/{contact_id}", {"custom_fields": {"hobby": "golf"}})
    assert changed.json()["custom_fields"] == {"hobby": "golf"}
    assert Contact.objects.get(pk=contact_id).custom_fields == {"hobby": "golf"}
    entry = AuditEntry.objects.filter(action="contact.updated").latest("id")
    assert entry.changes["Hobby"] == ["tea", "golf"]
    # Customer fields are not contact fields.
    wrong = api.patch(f"/api/v1/contacts/{contact_id}", {"custom_fields": {"tier": "A"}})
    assert wrong.status_code == 422


def test_the_customer_list_api_filters_by_custom_fields(api, rep, fields):
    api.login(rep)
    made = {}
    for name, custom in (
        ("甲", {"tier": "A", "products": ["ERP", "CRM"], "employees": 50}),
        ("乙", {"tier": "B", "products": ["CRM"], "employees": 80}),
        ("丙", {"tier": "A", "products": ["MES"]}),
    ):
        body = api.post(
            "/api/v1/customers",
            customer_payload(name=f"{name}公司", custom_fields=custom),
        ).json()
        made[name] = body["customer_no"]

    def names(**params: str) -> list[str]:
        response = api.get("/api/v1/customers", **params)
        assert response.status_code == 200, response.content
        return sorted(c["name"] for c in response.json()["items"])

    assert names(cf_tier="A") == ["丙公司", "甲公司"]
    assert names(cf_products="CRM") == ["乙公司", "甲公司"]
    assert names(cf_products="CRM", cf_tier="B") == ["乙公司"]
    assert names(cf_employees="80") == ["乙公司"]
    bad = api.get("/api/v1/customers", cf_colour="red", cf_products="SAP")
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"cf_colour", "cf_products"}


def test_a_held_change_shows_custom_fields_by_label_in_its_diff(api, rep, fields, customer_factory):
    from kehu.review.models import ReviewItem

    customer = customer_factory(custom_fields={"tier": "C"})
    api.login(rep)
    response = api.patch(
        f"/api/v1/customers/{customer.customer_no}",
        {"status": "won", "status_reason": "签约", "custom_fields": {"tier": "A"}},
    )
    assert response.status_code == 202, response.content
    item = ReviewItem.objects.get()
    assert {
        "field": "custom_fields.tier",
        "label": "Tier",
        "before": "C",
        "after": "A",
    } in item.diff
    customer.refresh_from_db()
    assert customer.custom_fields == {"tier": "C"}  # nothing saved while it waits


def test_a_field_carries_its_personal_data_class(api, admin_user):
    """Issue 19: a custom field is classed like the built-in fields (kehu.core.personal)."""
    plain = add_field(api, admin_user)
    assert plain["personal_class"] == "ordinary"  # an API client that does not say
    field = add_field(api, admin_user, key="id_card", label="ID card", personal_class="sensitive")
    assert field["personal_class"] == "sensitive"
    api.login(admin_user)
    bad = api.patch(f"{URL}/{field['id']}", {"personal_class": "secret"})
    assert bad.status_code == 422 and "personal_class" in bad.content.decode()
    assert CustomField.objects.get(pk=field["id"]).personal_class == "sensitive"
    changed = api.patch(f"{URL}/{field['id']}", {"personal_class": "personal"})
    assert changed.status_code == 200 and changed.json()["personal_class"] == "personal"
    entry = AuditEntry.objects.filter(action="custom_field.updated").latest("id")
    assert entry.changes["personal_class"] == ["sensitive", "personal"]
