"""The on-save check's candidates: customers that may share a blocking key with a feature row.

One statement finds them through indexed columns: name_normalized (the company core; prefixes as
B-tree ranges, not LIKE, which SQLite cannot serve from an index), the credit code, contacts'
and the blind indexes of customers' and contacts' phones and e-mails (kehu.core.crypto), and the
search index's keys (kehu.core.search_index, kept in step by the services: name pinyin;
contacts' names).
pairwise.blocked_together() then keeps exactly the pairs the scan would compare.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from kehu.core.crypto import blind, blind_many

from .features import INDIVIDUAL

MAX_CANDIDATES = 200  # per kind of key
# A phone or e-mail shared by more records than this is a switchboard or a placeholder, not an
# identity: the scan and the check leave it out of blocking and comparison.
MAX_SHARED_VALUE = 25
_TOP = "\U0010ffff"


class _Union:
    """SELECT id ... UNION SELECT id ...: one branch per key, each with its own LIMIT; run in
    statements of at most COMPOUND branches (SQLite allows 500 in one compound SELECT)."""

    COMPOUND = 400

    def __init__(self, limit: int) -> None:
        self.parts: list[tuple[str, list[Any]]] = []
        self.limit = limit

    def add(self, sql: str, params: list[Any], *, tag: str = "") -> None:
        alias = f"b{len(self.parts)}"
        columns = f"%s AS tag, {alias}.*" if tag else "*"
        part = f"SELECT {columns} FROM ({sql} LIMIT {int(self.limit)}) AS {alias}"
        self.parts.append((part, [tag, *params] if tag else list(params)))

    def rows(self) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for start in range(0, len(self.parts), self.COMPOUND):
                chunk = self.parts[start : start + self.COMPOUND]
                cursor.execute(
                    " UNION ALL ".join(sql for sql, _params in chunk),
                    [value for _sql, params in chunk for value in params],
                )
                out += cursor.fetchall()
        return out


def _marks(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _rare(column: str, values: list[Any]) -> str:
    """`column IN (...)` for a blind index whose most rows are empty (no e-mail, no landline).
    SQLite's statistics keep only the average rows a value (sqlite_stat1): after an ANALYZE of a
    book without e-mails that is the whole table, so it scanned the table for every e-mail (1.6 s
    for 100 addresses at 94,000 contacts, docs/PERFORMANCE.md). likelihood() tells it the term
    is selective; PostgreSQL plans with the value itself and its most-common-values list."""
    term = f"{column} IN ({_marks(values)})"
    return f"likelihood({term}, 0.001)" if connection.vendor == "sqlite" else term


# Where a phone's or e-mail's blind index is held: (kind, table, customer column, column).
_HELD = (
    ("phone", "customers_customer", "id", "phone_bidx"),
    ("phone", "customers_contact", "customer_id", "mobile_bidx"),
    ("phone", "customers_contact", "customer_id", "landline_bidx"),
    ("email", "customers_customer", "id", "email_bidx"),
    ("email", "customers_contact", "customer_id", "email_bidx"),
)


def holders(phone_bases: list[str], emails: list[str]) -> dict[str, set[int]]:
    """Customers holding each phone (by its base: extensions aside) or e-mail, a few past the
    limit at most; one statement, through the blind indexes (kehu.core.crypto)."""
    if connection.vendor == "postgresql":
        return _holders_listed(phone_bases, emails)
    query = _Union(MAX_SHARED_VALUE + 2)
    values = {"phone": phone_bases, "email": emails}
    for kind, table, customer, column in _HELD:  # a branch each: SQLite weighs no likelihood()
        for value in values[kind]:  # inside an OR
            token = [blind(kind, value)]
            query.add(
                f"SELECT {customer} FROM {table} WHERE {_rare(column, token)}", token, tag=value
            )
    out: dict[str, set[int]] = {value: set() for value in [*phone_bases, *emails]}
    for tag, customer_id in query.rows():
        out[tag].add(customer_id)
    return out


def _holders_listed(phone_bases: list[str], emails: list[str]) -> dict[str, set[int]]:
    """holders() on PostgreSQL: the values as two arrays and a LATERAL look-up per column,
    one statement planned once. The UNION of a branch per value (SQLite's form) spent ~0.2 ms
    planning each branch: 95 ms for a bulk batch's 400, more than the look-ups themselves.
    `column > ''` changes no answer (a blind index is never empty) but tells the planner the
    look-up is selective: with most rows empty (no e-mail) it otherwise expects every row to
    match an unknown token and scans the table once per value (1.2 s for 300 e-mails)."""
    values = {"phone": phone_bases, "email": emails}
    tokens = {kind: [blind(kind, v) for v in listed] for kind, listed in values.items()}
    parts: list[str] = []
    params: list[Any] = []
    for kind, table, customer, column in _HELD:
        if not values[kind]:
            continue
        parts.append(
            f"SELECT v.tag, h.cid FROM unnest(%s::text[], %s::text[]) AS v(tag, token) "
            f"CROSS JOIN LATERAL (SELECT {customer} AS cid FROM {table} "
            f"WHERE {column} = v.token AND {column} > '' LIMIT %s) AS h"
        )
        params += [values[kind], tokens[kind], MAX_SHARED_VALUE + 2]
    out: dict[str, set[int]] = {value: set() for value in [*phone_bases, *emails]}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for tag, customer_id in cursor.fetchall():
                out[tag].add(customer_id)
    return out


def _person_variants(row: dict[str, Any]) -> list[str]:
    """A contact's name as the search index keys it, in both orders ('wangjianguo', ...)."""
    variants: set[str] = set()
    for key in row["persons"]:
        parts = key.split("|")
        variants.update({"".join(parts), "".join(reversed(parts))})
    return sorted(v for v in variants if v)


def candidate_ids(row: dict[str, Any], exclude_id: int | None) -> list[int]:
    """Ids of customers that may share a blocking key (weights.BLOCKING_RULES) with the row."""
    query = _Union(MAX_CANDIDATES)
    customer = "SELECT id FROM customers_customer WHERE "
    core, key, brand = row["name_core"], row["name_key"], row["name_brand"]
    prefixes: set[str] = set()
    if core:
        names = sorted({core, key} - {None})
        query.add(customer + f"name_normalized IN ({_marks(names)})", names)
        prefixes.add(core[:2])
    if key and brand:
        prefixes.add(brand)
        query.add(
            "SELECT object_id FROM core_searchdocument WHERE kind = 'customer' "
            "AND pinyin >= %s AND pinyin < %s",
            [brand, brand + _TOP],
        )
    if row["kind"] == INDIVIDUAL:
        # Either word may come first; a nickname's full name; an initial stands for itself.
        words = {row["p_first"], row["p_last"], row["p_first_nick"], row["p_last_nick"]}
        prefixes.update(w[:2] for w in words if w)
    for prefix in sorted(p for p in prefixes if p):
        query.add(
            customer + "name_normalized >= %s AND name_normalized < %s", [prefix, prefix + _TOP]
        )
    if row["credit_code"]:
        query.add(customer + "credit_code = %s", [row["credit_code"]])
    bases, emails = row["phone_bases"], row["emails"]
    phones = blind_many("phone", bases)
    if phones:
        # Phones and e-mails are encrypted: their blind indexes (kehu.core.crypto) match.
        query.add(customer + _rare("phone_bidx", phones), phones)
        for column in ("mobile_bidx", "landline_bidx"):
            query.add(
                f"SELECT customer_id FROM customers_contact WHERE {_rare(column, phones)}", phones
            )
    addresses = blind_many("email", emails)
    if addresses:
        query.add(customer + _rare("email_bidx", addresses), addresses)
        query.add(
            f"SELECT customer_id FROM customers_contact WHERE {_rare('email_bidx', addresses)}",
            addresses,
        )
    people = _person_variants(row)
    if people:
        query.add(
            "SELECT customer_id FROM core_searchdocument WHERE kind = 'contact' AND "
            f"(name_key IN ({_marks(people)}) OR pinyin IN ({_marks(people)}))",
            [*people, *people],
        )
    ids = {customer_id for (customer_id,) in query.rows()}
    ids.discard(exclude_id or 0)
    return sorted(ids)
