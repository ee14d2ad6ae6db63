"""The index per filterable custom field (kehu.customers.custom_field_index, issue 17): created
with the field, dropped when it is archived, used by the cf_<key> filter, counts unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from kehu.customers.custom_field_index import index_name
from kehu.customers.models import Customer, CustomField
from kehu.customers.selectors import customer_filter
from kehu.customers.services.custom_fields import custom_field_archive, custom_field_update

pytestmark = pytest.mark.django_db
URL = "/api/v1/custom-fields"


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'customers_customer'"
            )
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer'"
            )
        return {row[0] for row in cursor.fetchall()}


def add_field(api: Any, admin_user: Any, **data: Any) -> CustomField:
    payload = {"entity": "customer", "label": data.get("key", "x"), "kind": "text", **data}
    response = api.login(admin_user).post(URL, payload)
    assert response.status_code == 201, response.content
    return CustomField.objects.get(entity=payload["entity"], key=payload["key"])


def test_an_equality_field_gets_its_index_and_loses_it_when_archived(api, admin_user):
    grade = add_field(api, admin_user, key="grade", kind="choice", choices=["甲级", "乙级"])
    size = add_field(api, admin_user, key="headcount", kind="number")
    products = add_field(api, admin_user, key="products", kind="multi_choice", choices=["ERP"])
    add_field(api, admin_user, entity="contact", key="hobby")
    names = index_names()
    assert {index_name("grade"), index_name("headcount")} <= names
    assert index_name("products") not in names  # an array: json_each, no index
    assert index_name("hobby") not in names  # contacts are not in this table
    custom_field_archive(actor=admin_user, field=grade)
    assert index_name("grade") not in index_names()
    custom_field_update(actor=admin_user, field=grade, data={"is_active": True})
    assert index_name("grade") in index_names()
    assert size.pk and products.pk


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_the_filter_reads_the_index(api, admin_user):
    add_field(api, admin_user, key="grade", kind="choice", choices=["甲级", "乙级"])
    filtered = customer_filter(Customer.objects.all(), {"cf_grade": "甲级"})
    sql, params = filtered.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    # covering from SQLite 3.41 on (an expression index counts as covering from then)
    assert f"INDEX {index_name('grade')} (<expr>=?)" in plan, plan


def test_counts_by_custom_field_are_unchanged_under_each_role(
    api, admin_user, rep, rep2, manager, outsider, customer_factory
):
    add_field(api, admin_user, key="grade", kind="choice", choices=["甲级", "乙级"])
    add_field(api, admin_user, key="headcount", kind="number")
    add_field(api, admin_user, key="note", kind="text")
    rows = [
        (rep, {"grade": "甲级", "headcount": 50, "note": "甲级"}),
        (rep, {"grade": "乙级", "headcount": 50.5}),
        (rep2, {"grade": "甲级"}),
        (outsider, {"grade": "甲级", "note": "true"}),
        (rep, {}),
    ]
    for owner, values in rows:
        customer_factory(actor=owner, custom_fields=values)
    expected = {
        # (query, who) -> how many the list shows
        ("cf_grade=甲级", rep): 1,
        ("cf_grade=甲级", manager): 2,
        ("cf_grade=甲级", admin_user): 3,
        ("cf_headcount=50", admin_user): 1,
        ("cf_headcount=50.5", admin_user): 1,
        ("cf_headcount=50.50", admin_user): 1,
        ("cf_note=甲级", admin_user): 1,
        ("cf_note=true", admin_user): 1,
    }
    for (query, user), count in expected.items():
        api.login(user)
        listed = api.get("/api/v1/customers?" + query).json()
        assert listed["total"] == count, (query, user.username, listed)
