"""Long id lists (a search's up to 1,001 matches handed to the list): `ids_in` and the
`any_of` lookup select exactly the rows `pk__in` selects, on both engines; on PostgreSQL as one
array parameter, so thousands of ids are not thousands of placeholders (issue 15, the search box)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.core.db import ids_in
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(customer_factory: Any) -> list[Customer]:
    return [customer_factory(name=f"华东测试{n}号贸易有限公司") for n in range(5)]


@pytest.mark.parametrize("chosen", [[], [0], [1, 3], [0, 1, 2, 3, 4]])
def test_any_of_selects_what_in_selects(customers: list[Customer], chosen: list[int]) -> None:
    ids = [customers[i].pk for i in chosen] + [10**9]  # an id that does not exist
    if not chosen:
        ids = []
    got = sorted(Customer.objects.filter(pk__any_of=ids).values_list("pk", flat=True))
    want = sorted(Customer.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert got == want == sorted(customers[i].pk for i in chosen)


def test_any_of_with_thousands_of_ids_is_one_parameter_on_postgresql(
    customers: list[Customer],
) -> None:
    ids = [*range(10**6, 10**6 + 3000), customers[2].pk]
    with CaptureQueriesContext(connection) as queries:
        found = list(Customer.objects.filter(pk__any_of=ids).values_list("pk", flat=True))
    assert found == [customers[2].pk]
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_ids_in_raw_sql(customers: list[Customer]) -> None:
    table = Customer._meta.db_table
    wanted = [customers[0].pk, customers[4].pk]
    condition, params = ids_in(f"{table}.id", wanted)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {condition} ORDER BY id", params)
        assert [row[0] for row in cursor.fetchall()] == sorted(wanted)
        condition, params = ids_in(f"{table}.id", [])
        cursor.execute(f"SELECT id FROM {table} WHERE {condition}", params)
        assert cursor.fetchall() == []
