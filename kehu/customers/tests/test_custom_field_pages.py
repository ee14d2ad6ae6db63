"""Custom fields on the pages (issue 15): the administrator's page, the customer and contact
forms, the 360 page and the customer list (columns and filters)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer, CustomField
from kehu.customers.services import custom_field_create

pytestmark = pytest.mark.django_db

PAGE = "/settings/custom-fields/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fields(admin_user) -> dict[str, CustomField]:
    def add(**data: Any) -> CustomField:
        return custom_field_create(actor=admin_user, data={"entity": "customer", **data})

    return {
        "tier": add(key="tier", label="Tier", kind="choice", choices=["A", "B"], show_in_list=True),
        "renewal": add(key="renewal", label="Renewal", kind="date", required=True,
                       help_text="The day the contract renews"),
        "products": add(key="products", label="Products", kind="multi_choice",
                        choices=["ERP", "CRM"], show_in_list=True),
        "deposit": add(key="deposit", label="Deposit", kind="amount"),
        "hobby": add(entity="contact", key="hobby", label="Hobby", kind="text"),
    }  # fmt: skip


def _form_data(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "company",
        "name": "表单字段测试有限公司",
        "status": "lead",
        "dm_name": "王建国",
        "dm_mobile": "13800138000",
        "allow_duplicate": "on",
        **extra,
    }


def test_the_administrator_adds_edits_and_archives_fields_on_the_page(client, admin_user, rep):
    client.force_login(rep)
    assert client.get(PAGE).status_code == 403
    assert (
        client.post(
            PAGE, {"entity": "customer", "key": "x", "label": "X", "kind": "text"}
        ).status_code
        == 403
    )
    assert CustomField.objects.count() == 0
    client.force_login(admin_user)
    page = client.get(PAGE)
    assert page.status_code == 200 and 'id="nav-custom-fields"' in page.content.decode()
    bad = client.post(
        PAGE,
        {"entity": "customer", "key": "Bad Key", "label": "X", "kind": "choice",
         "personal_class": "ordinary"},
    )  # fmt: skip
    assert bad.status_code == 422
    body = bad.content.decode()
    assert 'id="error-key"' in body and 'id="error-choices"' in body
    # The page asks whether the field holds personal information (kehu.core.personal).
    unclassed = client.post(PAGE, {"entity": "customer", "key": "x", "label": "X", "kind": "text"})
    assert unclassed.status_code == 422
    assert 'id="error-personal_class"' in unclassed.content.decode()
    response = client.post(
        PAGE,
        {"entity": "customer", "key": "tier", "label": "Tier", "kind": "choice",
         "choices": "A\nB\n\nA", "required": "on", "show_in_list": "on",
         "personal_class": "ordinary"},
    )  # fmt: skip
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert (field.key, field.choices, field.required, field.show_in_list) == (
        "tier", ["A", "B"], True, True)  # fmt: skip
    assert field.personal_class == "ordinary"
    edit = client.get(f"{PAGE}{field.pk}/")
    assert edit.status_code == 200 and "A\nB" in edit.content.decode()
    saved = client.post(
        f"{PAGE}{field.pk}/",
        {"label": "Level", "choices": "A\nB\nC", "is_active": "on", "key": "other",
         "personal_class": "sensitive"},
    )  # fmt: skip
    assert saved.status_code == 302
    field.refresh_from_db()
    assert field.personal_class == "sensitive"
    assert "敏感个人信息" in client.get(PAGE).content.decode()
    assert (field.label, field.key, field.choices, field.required) == (
        "Level", "tier", ["A", "B", "C"], False)  # fmt: skip
    assert client.post(f"{PAGE}{field.pk}/archive/").status_code == 302
    field.refresh_from_db()
    assert field.is_active is False
    assert "archived" in client.get(PAGE).content.decode()
    assert list(
        AuditEntry.objects.filter(action__startswith="custom_field.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["custom_field.created", "custom_field.updated", "custom_field.archived"]


def test_the_customer_form_shows_each_field_with_its_widget(client, rep, fields):
    client.force_login(rep)
    body = client.get("/customers/new/").content.decode()
    assert 'id="custom-fields"' in body
    assert re.search(r'<select name="cf_tier"', body)
    assert re.search(r'<input type="date" name="cf_renewal"[^>]*required', body)
    assert "The day the contract renews" in body
    assert re.search(r'<input type="checkbox" name="cf_products" value="CRM"', body)
    assert 'name="cf_hobby"' not in body  # a contact field


def test_the_customer_form_saves_custom_fields_and_shows_errors_on_them(client, rep, fields):
    client.force_login(rep)
    bad = client.post(
        "/customers/new/", _form_data(cf_renewal="someday", cf_deposit="lots", cf_tier="A")
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert 'id="error-cf_renewal"' in body and 'id="error-cf_deposit"' in body
    assert Customer.objects.count() == 0
    response = client.post(
        "/customers/new/",
        _form_data(cf_renewal="2027-01-31", cf_deposit="8万", cf_tier="B",
                   cf_products=["CRM", "ERP"]),
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get()
    assert customer.custom_fields == {
        "renewal": "2027-01-31",
        "deposit": "80000.00",
        "tier": "B",
        "products": ["ERP", "CRM"],
    }
    # The edit form shows them; emptying an optional one clears it.
    edit_url = f"/customers/{customer.customer_no}/edit/"
    body = client.get(edit_url).content.decode()
    assert re.search(r'name="cf_deposit" value="80000.00"', body)
    assert re.search(r'value="CRM"[^>]*checked', body)
    response = client.post(
        edit_url, _form_data(owner=rep.pk, cf_renewal="2027-01-31", cf_tier="", cf_deposit="")
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.custom_fields == {"renewal": "2027-01-31"}


def test_the_360_page_shows_the_values_of_customer_and_contact(
    client, rep, fields, customer_factory
):
    customer = customer_factory(
        custom_fields={"renewal": "2027-01-31", "deposit": "8万", "products": ["ERP", "CRM"]}
    )
    client.force_login(rep)
    body = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert re.search(r'data-key="deposit"><dt>Deposit</dt><dd>80,000 ', body)
    assert re.search(r'data-key="products"><dt>Products</dt><dd>ERP、CRM</dd>', body)
    assert re.search(r'data-key="tier"><dt>Tier</dt><dd>—</dd>', body)
    # A contact added from the page with its own field; shown on its card, edited on its page.
    response = client.post(
        f"/customers/{customer.customer_no}/contacts/new/",
        {"name": "李四", "mobile": "13900139000", "contact_type": "customer", "cf_hobby": "围棋"},
    )
    assert response.status_code == 302
    contact = customer.contacts.get(name="李四")
    assert contact.custom_fields == {"hobby": "围棋"}
    body = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert re.search(rf'id="contact-custom-{contact.pk}">.*Hobby: 围棋', body)
    edit = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert re.search(r'name="cf_hobby" value="围棋"', edit)
    saved = client.post(
        f"/contacts/{contact.pk}/edit/",
        {"name": "李四", "mobile": "13900139000", "contact_type": "customer", "cf_hobby": "茶"},
    )
    assert saved.status_code == 302
    contact.refresh_from_db()
    assert contact.custom_fields == {"hobby": "茶"}
    # The change history names the field by its label.
    assert "Hobby" in client.get(f"/customers/{customer.customer_no}/").content.decode()


def test_the_list_shows_columns_and_filters_by_custom_fields(client, rep, fields, customer_factory):
    first = customer_factory(
        name="甲公司", custom_fields={"renewal": "2027-01-31", "tier": "A", "products": ["ERP"]}
    )
    second = customer_factory(
        name="乙公司",
        custom_fields={"renewal": "2027-01-31", "tier": "B", "products": ["CRM", "ERP"]},
    )
    client.force_login(rep)
    body = client.get("/customers/").content.decode()
    headers = re.findall(r'<th class="custom-column" data-key="(\w+)">', body)
    assert headers == ["tier", "products"]  # only the fields shown in the list
    assert re.search(r'data-key="products">ERP、CRM</td>', body)
    assert re.search(r'<select name="cf_tier"', body)  # a filter on the page

    def numbers(**params: str) -> list[str]:
        response = client.get("/customers/", params)
        assert response.status_code == 200
        return re.findall(
            r'class="customer-link" href="/customers/(CX\d+)/"', response.content.decode()
        )

    assert numbers(cf_tier="A") == [first.customer_no]
    assert numbers(cf_products="CRM") == [second.customer_no]
    assert sorted(numbers(cf_products="ERP")) == sorted([first.customer_no, second.customer_no])
    assert numbers(cf_products="SAP") == []


def test_completing_a_record_never_trips_over_a_hidden_required_field(
    client, rep, admin_user, customer_factory
):
    """A customer from before a required field existed: 去补全 carries the custom fields hidden,
    so an empty one is left alone; the full form asks for it."""
    customer = customer_factory(name="补全测试有限公司")
    assert customer.missing_fields
    custom_field_create(
        actor=admin_user,
        data={"entity": "customer", "key": "tier", "label": "Tier", "kind": "choice",
              "choices": ["A"], "required": True},
    )  # fmt: skip
    client.force_login(rep)
    url = f"/customers/{customer.customer_no}/edit/"
    page = client.get(url + "?only=missing").content.decode()
    assert re.search(r'<input type="hidden" name="cf_tier"', page)
    data = _form_data(name=customer.name, owner=rep.pk, industry="制造业", cf_tier="")
    assert client.post(url + "?only=missing", data).status_code == 302
    customer.refresh_from_db()
    assert customer.custom_fields == {} and customer.industry is not None
    full = client.post(url, data)
    assert full.status_code == 422 and 'id="error-cf_tier"' in full.content.decode()
