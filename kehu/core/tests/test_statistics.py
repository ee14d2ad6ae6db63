"""Planner statistics after the writes that reshape the data (issue 14 item 12).

Each test removes the customers' statistics first, runs one command through its public surface
and finds statistics for the customer table again: rows in sqlite_stat1 (SQLite) or pg_stats
(PostgreSQL).
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.accounts.models import User
from kehu.customers.models import Customer
from kehu.intake.tests.helpers import HEADERS, standard_row, write_csv

TABLE = Customer._meta.db_table


def statistics_rows() -> int:
    """Rows of planner statistics the database keeps for the customer table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [TABLE])
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
        return int(cursor.fetchone()[0])


def forget_statistics() -> None:
    """The state after a bulk load: no statistics for the customers (test database only)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DELETE FROM pg_statistic WHERE starelid = to_regclass(%s)::oid", [TABLE]
            )
            cursor.execute(
                "UPDATE pg_class SET reltuples = -1 WHERE oid = to_regclass(%s)", [TABLE]
            )
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is not None:
                cursor.execute("DELETE FROM sqlite_stat1")
    assert statistics_rows() == 0


def some_customers(customer_factory: Any, owner: User, count: int = 12) -> None:
    for n in range(count):
        customer_factory(actor=owner, name=f"统计测试{n}号贸易有限公司")


def test_migrate_leaves_statistics(db: Any, customer_factory: Any, rep: User) -> None:
    some_customers(customer_factory, rep)
    forget_statistics()
    call_command("migrate", verbosity=0, interactive=False)
    assert statistics_rows() > 0


def test_migrate_with_nothing_to_apply_does_not_analyze_again(
    db: Any, customer_factory: Any, rep: User
) -> None:
    """On an analyzed database a `migrate` that applies nothing only looks the statistics up."""
    some_customers(customer_factory, rep)
    forget_statistics()
    call_command("migrate", verbosity=0, interactive=False)
    assert statistics_rows() > 0
    with CaptureQueriesContext(connection) as captured:
        call_command("migrate", verbosity=0, interactive=False)
    assert [q["sql"] for q in captured.captured_queries if "ANALYZE" in q["sql"].upper()] == []


def test_demo_leaves_statistics(db: Any) -> None:
    call_command("demo", "--customers", "30", stdout=StringIO())
    assert statistics_rows() > 0


def test_large_import_leaves_statistics(
    db: Any, tmp_path: Path, manager: User, settings: Any
) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_SEARCH_TIDY_ROWS = 10
    headers = [h for h in HEADERS if h != "负责人"]
    path = write_csv(tmp_path / "big.csv", [standard_row(n) for n in range(1, 13)], headers=headers)
    forget_statistics()
    out = StringIO()
    call_command("import", str(path), "--user", manager.username, stdout=out)
    assert "created=12" in out.getvalue()
    assert statistics_rows() > 0


def test_small_import_leaves_statistics_alone(
    db: Any, tmp_path: Path, manager: User, settings: Any
) -> None:
    """Below the threshold an import does not pay for an ANALYZE of every table."""
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"
    settings.KEHU_IMPORT_SEARCH_TIDY_ROWS = 100
    headers = [h for h in HEADERS if h != "负责人"]
    path = write_csv(tmp_path / "few.csv", [standard_row(n) for n in range(1, 13)], headers=headers)
    forget_statistics()
    call_command("import", str(path), "--user", manager.username, stdout=StringIO())
    assert statistics_rows() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_tidy_leaves_statistics(customer_factory: Any, rep: User) -> None:
    """`search_reindex --tidy` (PostgreSQL: VACUUM, outside any transaction) analyzes the
    customers too, not only the search documents."""
    some_customers(customer_factory, rep)
    forget_statistics()
    call_command("search_reindex", "--tidy", stdout=StringIO())
    assert statistics_rows() > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's planner takes the index")
def test_a_long_load_refreshes_the_statistics_each_time_its_rows_double(
    customer_factory: Any, rep: User
) -> None:
    """kehu.core.db.StatisticsAsTheyGrow: a load into an empty table is otherwise planned as if
    the table were still empty until its end (150-800 ms sequential scans at 1,000,000)."""
    from kehu.core.db import StatisticsAsTheyGrow

    some_customers(customer_factory, rep, count=3)
    forget_statistics()
    statistics = StatisticsAsTheyGrow(Customer, first=2)
    statistics.written(1)
    assert statistics_rows() == 0  # under the first threshold: nothing
    statistics.written(3)
    assert statistics_rows() > 0  # analyzed, and the next one waits for twice as many rows
    forget_statistics()
    statistics.written(5)
    assert statistics_rows() == 0
    statistics.written(6)
    assert statistics_rows() > 0
