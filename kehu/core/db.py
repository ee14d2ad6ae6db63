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

import re
import time
from collections.abc import Collection, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
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


class StatisticsAsTheyGrow:
    """PostgreSQL: ANALYZE these models' tables each time the rows a long load has written
    double (from `first` on), so the load's own look-ups are planned for the table as it is.

    A load into an empty book otherwise runs on the statistics of the empty table until its
    end (autovacuum lags behind a load, and is off on some servers, this machine's included):
    at 1,000,000 customers the catch-up's "indexed already?" check, the contacts of a batch and
    the look-up by external id were sequential scans of 150-800 ms each, 1,200 of the first
    load's 1,800 server-seconds. Doubling keeps it to a handful of ANALYZEs (a sample each,
    about a second). SQLite needs none: without statistics its planner takes the index."""

    def __init__(self, *models: type[Model], first: int = 5000) -> None:
        self.models, self.next = models, first

    def written(self, rows: int) -> None:
        if connection.vendor != "postgresql" or rows < self.next:
            return
        db_analyze(*self.models)
        self.next = rows * 2


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


# --- Secondary indexes set aside during a bulk load (the import's bulk path, issue 21)

_ON_COLUMN = re.compile(r'\sON\s+\S+(?:\s+USING\s+\w+)?\s*\(\s*"?(\w+)"?', re.IGNORECASE)


def secondary_indexes(tables: Sequence[str], *, keep: Collection[str] = ()) -> list[str]:
    """The CREATE INDEX statements of the tables' non-unique indexes, but those whose first
    column is in `keep` (what the load itself reads). Unique indexes and keys always stay."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) ORDER BY tablename, indexname",
                [list(tables)],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
                list(tables),
            )
        statements = [row[0] for row in cursor.fetchall()]
    out = []
    for sql in statements:
        if not sql.upper().startswith("CREATE INDEX"):
            continue  # CREATE UNIQUE INDEX: a constraint, kept
        column = _ON_COLUMN.search(sql)
        if column is None or column.group(1) in keep:
            continue
        out.append(sql)
    return out


def _index_name(sql: str) -> str:
    name = sql.split()[2]  # CREATE INDEX <name> ON ...
    return name if name.startswith('"') else f'"{name}"'


def _checks_now(cursor: Any) -> None:
    """PostgreSQL: run the transaction's deferred foreign-key checks now; a table with pending
    trigger events can neither lose nor gain an index (nothing pends between a load's batches,
    each its own transaction; inside one, as in a test, it does)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def indexes_drop(statements: Sequence[str]) -> None:
    """Drop the indexes these CREATE INDEX statements made (those still there)."""
    with connection.cursor() as cursor:
        _checks_now(cursor)
        for sql in statements:
            cursor.execute(f"DROP INDEX IF EXISTS {_index_name(sql)}")


def indexes_restore(statements: Sequence[str]) -> None:
    """Build the indexes again (those missing), each in one pass over its table: sorted, far
    cheaper than the same entries written row by row."""
    with connection.cursor() as cursor:
        _checks_now(cursor)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for sql in statements:
            cursor.execute(
                re.sub(r"^CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", sql, flags=re.IGNORECASE)
            )
