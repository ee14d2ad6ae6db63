"""The identity look-ups (phone and e-mail blind indexes) stay index look-ups when most rows
have no e-mail or landline: after an ANALYZE SQLite knows only the average rows a value, which
for an index of empty strings is the whole table, and it scanned the table for every e-mail of
an import (issue 21: 1.6 s for 100 addresses at 94,000 contacts)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.customers.matching import find_matches

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL plans with the value and its MCV list"
)

COLUMNS = ("email_bidx", "phone_bidx", "mobile_bidx", "landline_bidx")


def _as_if_no_one_had_an_email(tables: tuple[str, ...]) -> None:
    """sqlite_stat1 as an ANALYZE of 100,000 rows with one value (empty) in each blind index."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for table in tables:
            for _seq, index, *_rest in cursor.execute(f"PRAGMA index_list('{table}')").fetchall():
                columns = cursor.execute(f"PRAGMA index_info('{index}')").fetchall()
                if columns and columns[0][2] in COLUMNS:
                    stat = " ".join(["100000"] * (len(columns) + 1))
                    cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = %s", [index])
                    cursor.execute(
                        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)",
                        [table, index, stat],
                    )
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics


def _scans(sql: str) -> list[str]:
    """The full scans of customers or contacts in the plan of an executed statement (Django
    records it with its values quoted in)."""
    with connection.cursor() as cursor:
        plan = cursor.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    return [row[-1] for row in plan if row[-1].startswith("SCAN customers_")]


@sqlite_only
def test_identity_lookups_use_the_blind_indexes(customer_factory: Any) -> None:
    known = customer_factory(
        name="深圳市华信软件有限公司",
        email="info@huaxin-soft.cn",
        decision_maker={
            "name": "王建国",
            "mobile": "13912345678",
            "email": "wangjg@huaxin-soft.cn",
        },
    )
    for n in range(3):
        customer_factory(
            name=f"杭州第{n}机械厂", decision_maker={"name": f"李{n}", "mobile": f"1370000000{n}"}
        )
    _as_if_no_one_had_an_email(("customers_contact", "customers_customer"))
    with CaptureQueriesContext(connection) as captured:
        matches = find_matches(
            {
                "name": "广州某贸易公司",
                "decision_maker": {"name": "赵六", "email": "wangjg@huaxin-soft.cn"},
                "phone": "13912345678",
            },
            threshold=0.0,
        )
    assert known.pk in {m.customer.pk for m in matches}  # found by the e-mail and the phone
    looked_up = [q["sql"] for q in captured.captured_queries if "_bidx" in q["sql"]]
    assert len(looked_up) >= 2  # the holders of each value, then the candidates
    for sql in looked_up:
        assert _scans(sql) == [], sql


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's plan is tested above")
def test_bulk_holders_use_the_blind_indexes_on_postgresql(customer_factory: Any) -> None:
    """A bulk batch's holders look-up on PostgreSQL (one LATERAL statement) reads the blind
    indexes when most contacts have no e-mail: with an empty string as the only common value
    the planner expected every row to match and scanned the table once per value."""
    from kehu.customers.matching.candidates import holders
    from kehu.customers.models import Contact

    known = customer_factory(
        name="深圳市华信软件有限公司",
        decision_maker={"name": "王建国", "mobile": "13912345678", "email": "wangjg@huaxin.cn"},
    )
    other = customer_factory(
        name="杭州机械厂", decision_maker={"name": "李四", "mobile": "13700000001"}
    )
    columns = [f.column for f in Contact._meta.concrete_fields if f.column != "id"]
    copied = ", ".join(
        "''" if c in ("email", "email_bidx", "landline", "landline_bidx") else f"c.{c}"
        for c in columns
    )
    with connection.cursor() as cursor:  # 5,000 contacts without an e-mail, as a first load has
        cursor.execute(
            f"INSERT INTO customers_contact ({', '.join(columns)}) SELECT {copied} "
            "FROM customers_contact c CROSS JOIN generate_series(1, 5000) WHERE c.customer_id = %s",
            [other.pk],
        )
        cursor.execute("ANALYZE customers_contact")
    emails = ["wangjg@huaxin.cn", *(f"nobody{n}@example.com" for n in range(50))]
    with CaptureQueriesContext(connection) as captured:
        held = holders(["+8613912345678"], emails)
    assert held["wangjg@huaxin.cn"] == {known.pk} and held["+8613912345678"] == {known.pk}
    (sql,) = [q["sql"] for q in captured.captured_queries if "_bidx" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on customers_contact" not in plan, plan  # (2 customers: scanned)
