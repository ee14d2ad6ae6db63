"""Mends from the review of issue 15's merge: each a case that went wrong before."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import User
from kehu.audit.models import AuditEntry
from kehu.core.normalize.pinyin import name_sort_key
from kehu.customers.models import CustomField
from kehu.customers.services import customer_update

pytestmark = pytest.mark.django_db
API = "/api/v1/customers"


def numbers(api: Any, **params: Any) -> list[str]:
    response = api.get(API, **params)
    assert response.status_code == 200, response.content
    return [c["customer_no"] for c in response.json()["items"]]


def test_the_export_echoes_bad_filters_as_plain_text(client: Client, rep: User) -> None:
    client.force_login(rep)
    response = client.get("/exports/customers.csv", {"region": "<svg/onload=alert(1)>"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/plain")


def test_the_list_never_reveals_a_masked_number_typed_whole(
    api: Any, customer_factory: Any, executive: User
) -> None:
    customer = customer_factory(name="整号揭示测试有限公司", phone="13912342166")
    executive.can_reveal_pii = True
    executive.save(update_fields=["can_reveal_pii"])
    api.login(executive)
    assert numbers(api, q="整号揭示") == [customer.customer_no]
    assert numbers(api, q="13912342166") == []  # /search/ reveals it, audited; the list does not
    assert not AuditEntry.objects.filter(action="field.revealed").exists()


def test_two_latin_letters_still_find_names_containing_them(
    api: Any, customer_factory: Any, rep: User
) -> None:
    customer = customer_factory(name="上海惠普HP贸易有限公司")
    assert numbers(api.login(rep), q="HP") == [customer.customer_no]


def test_a_non_ascii_digit_owner_is_a_plain_filter_not_a_crash(api: Any, rep: User) -> None:
    assert api.login(rep).get(API, owner="²").status_code == 200
    assert api.get(API, team="²").status_code == 200


def test_a_value_whose_choice_was_removed_does_not_block_other_edits(
    client: Client, customer_factory: Any, rep: User, admin_user: User
) -> None:
    field = CustomField.objects.create(
        entity="customer", key="tier", label="等级", kind="choice", choices=["A", "B"]
    )
    customer = customer_factory(name="选项下架测试有限公司", custom_fields={"tier": "A"})
    field.choices = ["B", "C"]
    field.save(update_fields=["choices"])
    client.force_login(rep)
    form = client.get(f"/customers/{customer.customer_no}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [])}
    data.update({"name": customer.name, "address": "南京路 1 号", "kind": "company"})
    response = client.post(f"/customers/{customer.customer_no}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.address == "南京路 1 号" and customer.custom_fields == {"tier": "A"}


def test_a_lookup_name_cannot_be_a_key(api: Any, admin_user: User) -> None:
    for key in ("contains", "a__b", "range"):
        response = api.login(admin_user).post(
            "/api/v1/custom-fields",
            {"entity": "customer", "key": key, "label": f"字段{key}", "kind": "text"},
        )
        assert response.status_code == 422 and "key" in response.json()["errors"], key


def test_the_name_sort_key_follows_a_rename(customer_factory: Any, manager: User) -> None:
    customer = customer_factory(name="阿尔法科技有限公司")
    customer_update(actor=manager, customer=customer, data={"name": "北辰科技有限公司"})
    customer.refresh_from_db()
    assert customer.name_sort == name_sort_key("北辰科技有限公司")
