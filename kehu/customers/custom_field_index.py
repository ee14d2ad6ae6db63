"""An index per filterable custom field (issue 17: a segment count over 1,000,000 customers).

`cf_<key>=value` on the customer list (and so a segment's count) compares one key of the JSON
column `custom_fields`; without an index that is a full scan with a JSON parse per row (1.1-2.7 s
at 1,000,000 customers on SQLite). Each active customer field whose filter is an equality (every
kind but multiple choice, which looks inside an array) gets an expression index, created when an
administrator adds the field (or brings it back) and dropped when it is archived
(kehu.customers.services.custom_fields calls custom_field_index_sync):

    SQLite      CREATE INDEX customer_cf_<key> ON customers_customer
                    (JSON_EXTRACT(custom_fields, '$."<key>"'), status, team_id, owner_id)
    PostgreSQL  CREATE INDEX customer_cf_<key> ON customers_customer
                    ((custom_fields -> '<key>'), status, team_id, owner_id)

The scope's columns (support's and marketing's statuses, a manager's team, a rep's own and
their team's pool) follow the value so a count under any role is decided in the index (SQLite
seeks the row only when it needs a column the index lacks; a count needs none). A
planner uses an expression index only for the very expression it was built on: on SQLite the
filter is `key_equals` below (the path written out, not a bound parameter, which the planner
cannot match); on PostgreSQL Django's own `custom_fields__<key>__exact` is `(custom_fields ->
'<key>') = '<json>'::jsonb`, the index's expression. Keys are `[a-z][a-z0-9_]*`
(services.custom_fields.KEY_RULE), so writing one into SQL needs no quoting beyond the quotes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, Q

from .models import Customer, CustomField

SAFE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
SCOPE_COLUMNS = ("status", "team_id", "owner_id")


def index_name(key: str) -> str:
    return f"customer_cf_{key}"


def indexed(field: CustomField) -> bool:
    """Whether this field's filter has an index (an active customer field compared by equality)."""
    return (
        field.entity == CustomField.Entity.CUSTOMER
        and field.is_active
        and field.kind != CustomField.Kind.MULTI_CHOICE
        and bool(SAFE_KEY.match(field.key))
    )


def _key_sql(column: str, key: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"({column} -> '{key}')"
    return f"JSON_EXTRACT({column}, '$.\"{key}\"')"


def custom_field_index_sync(field: CustomField, *, using: Any = None) -> None:
    """Create the field's index if it should have one, drop it otherwise (both idempotent)."""
    conn = using or connection
    if not SAFE_KEY.match(field.key) or conn.vendor not in ("sqlite", "postgresql"):
        return
    table = Customer._meta.db_table
    name = index_name(field.key)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Rows written earlier in this transaction leave deferred foreign-key checks
            # pending, and PostgreSQL refuses DDL on the table until they have run.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if indexed(field):
            columns = ", ".join(
                [_key_sql('"custom_fields"', field.key, conn.vendor), *SCOPE_COLUMNS]
            )
            cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')
        else:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        if conn.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def custom_field_indexes_sync(*, using: Any = None) -> None:
    """Bring every customer field's index in line (a migration, a bulk load)."""
    for field in CustomField.objects.filter(entity=CustomField.Entity.CUSTOMER):
        custom_field_index_sync(field, using=using)


class _KeyEquals(Expression):
    """SQLite: JSON_EXTRACT(custom_fields, '$."key"') = JSON_EXTRACT('<value as JSON>', '$'),
    the index's expression with the query's own alias for the table. Django's key lookup reads
    the key through a CASE on JSON_TYPE for true/false/null and binds the path as a parameter,
    so no index matches it; custom field values are never true, false or null
    (custom_fields_clean stores one form per kind and custom_fields_merge drops a cleared key),
    so the two compare the same."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, key: str, value: Any) -> None:
        super().__init__()
        self.key = key
        self.value = value
        self.column: Any = F("custom_fields")

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column_sql, params = compiler.compile(self.column)
        sql = f"{_key_sql(column_sql, self.key, 'sqlite')} = JSON_EXTRACT(%s, '$')"
        return sql, (*params, json.dumps(self.value))


def key_equals(key: str, value: Any) -> Q | Expression:
    """The filter `custom_fields -> key` equals value, in the form its index serves."""
    if connection.vendor == "sqlite" and SAFE_KEY.match(key):
        return _KeyEquals(key, value)
    # __exact: a key such as "contains" or "range" is read as the key, not a lookup
    return Q(**{f"custom_fields__{key}__exact": value})
