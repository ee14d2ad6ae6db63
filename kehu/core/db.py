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
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Lookup, Model

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


def ids_in(column: str, ids: Sequence[int], *, vendor: str | None = None) -> tuple[str, list[Any]]:
    """SQL that `column` is one of `ids`, with its parameters. On PostgreSQL one array parameter
    (`= ANY(%s::bigint[])`): thousands of ids are one value to parse and plan instead of as many
    placeholders (3,000 search-document ids: 9-16 ms instead of 22-36 at 100,000 customers).
    Elsewhere `IN (...)` (an empty list matches nothing)."""
    vendor = vendor or connections[DEFAULT_DB_ALIAS].vendor
    values = [int(pk) for pk in ids]
    if vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [values]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


@Field.register_lookup
class AnyOf(Lookup):
    """`pk__any_of=ids`: `pk__in` written as ids_in writes it (one array on PostgreSQL) for the
    long id lists a search hands to a list (up to 1,001 customers)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return [int(pk) for pk in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql, params = ids_in(lhs, self.rhs, vendor=connection.vendor)
        return sql, [*lhs_params, *params]
