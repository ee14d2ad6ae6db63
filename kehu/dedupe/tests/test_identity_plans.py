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

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL plans with the value and its MCV list"
    ),
]

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
