"""Planner statistics: the query planners need them to choose an index for a skewed table.

Without statistics SQLite guesses (it has none until ANALYZE), and PostgreSQL keeps what it
sampled before a bulk load until autovacuum gets round to it. A rep who owns a large share of
the customers then gets a plan made for a small book: at 100,000 imported customers owned by
one rep his list query sorted all 94,000 of his rows (200 ms on SQLite, 531-676 ms on
PostgreSQL) instead of reading 26 in order (about 1 ms after ANALYZE).

`db_analyze()` is called after the writes that change the shape of the data: `kehu migrate`
(kehu.core.apps, when it applied something or the statistics are missing), `kehu demo`, a
large import and `kehu search_reindex --tidy`.
"""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

# The table every scoped page reads first; its statistics say whether the others were analyzed.
CUSTOMER_TABLE = "customers_customer"


def db_analyze(*models: type[Model], using: str = DEFAULT_DB_ALIAS) -> float:
    """Refresh the planner's statistics of these models' tables (default: every table of every
    model); returns the seconds it took. Runs inside or outside a transaction on both engines.

    SQLite reads every index of a table once (at a million customers: the customers ~3 s, the
    whole database without the FTS5 tables, which need none, ~N s). PostgreSQL samples each
    table, so its cost hardly grows with the table.
    """
    connection = connections[using]
    tables = [m._meta.db_table for m in models] or sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )
    started = time.monotonic()
    if not tables:
        return 0.0
    with connection.cursor() as cursor:
        quoted = [connection.ops.quote_name(t) for t in tables]
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(quoted))
        else:
            for table in quoted:
                cursor.execute(f"ANALYZE {table}")
    return time.monotonic() - started


def has_statistics(table: str = CUSTOMER_TABLE, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the planner has statistics for `table`.

    PostgreSQL: reltuples is -1 until the table is first analyzed (or vacuumed). SQLite: a row
    in sqlite_stat1 (ANALYZE writes none for an empty table, so an empty table has none).
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT reltuples >= 0 FROM pg_class WHERE oid = to_regclass(%s)", [table]
            )
            row = cursor.fetchone()
            return bool(row and row[0])
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        return cursor.fetchone() is not None
