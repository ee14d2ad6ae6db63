"""Feature rows: what the matcher compares of a customer, built by the one normaliser.

A feature row is built the same way for a stored customer (the scan reads every customer, the
on-save check reads its candidates) and for an unsaved payload (record_features), so the scan
and the check compare the same columns. Features keeps them as column lists, which become the
Splink input table (to_arrow) or single rows (row).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from kehu.core import normalize as norm
from kehu.core.text import clean_text
from kehu.core.validators import parse_phone

COLUMNS = ("unique_id", "kind", "name_core", "name_key", "name_brand", "name_full",
           "credit_code", "city", "address", "address_key",
           "p_key", "p_first", "p_last", "p_first_nick", "p_last_nick", "p_number", "p_street",
           "p_extra", "p_locality", "p_postcode",
           "phones", "phone_bases", "mobiles", "emails", "personal_emails", "domains", "persons",
           "surnames", "people", "p_blocks")  # fmt: skip
_FIRST_LIST = COLUMNS.index("phones")

CUSTOMER_SQL = (
    "SELECT id, kind, name, credit_code, city, address, phone, email FROM customers_customer"
)
CUSTOMER_FIELDS = ("id", "kind", "name", "credit_code", "city", "address", "phone", "email")
CONTACT_SQL = "SELECT customer_id, name, title, mobile, landline, email FROM customers_contact"

INDIVIDUAL = "individual"
_INDIVIDUAL_WORDS = frozenset({INDIVIDUAL, "个人", "个人客户"})


def person_blocks(name: norm.PersonName, parts: norm.AddressParts) -> list[str]:
    """Blocking keys of an individual: the name in either order; a name's sound in the postcode
    area; the house number with the postcode, the street's start or the locality."""
    keys = []
    if name.key:
        keys.append("n:" + name.key)
    if parts.postcode:
        keys += [f"s:{norm.soundex(w)}:{parts.postcode[:2]}" for w in (name.first, name.last) if w]
    if parts.number:
        if parts.postcode:
            keys.append(f"p:{parts.postcode}:{parts.number}")
        if parts.street:
            keys.append(f"t:{parts.street[:4]}:{parts.number}")
        if parts.locality:
            keys.append(f"l:{parts.locality}:{parts.number}")
    return sorted(set(keys))


class Features:
    """Column lists (one entry per customer) that become the Splink input table."""

    COLUMNS = COLUMNS

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {c: [] for c in COLUMNS}

    def __len__(self) -> int:
        return len(self.data["unique_id"])

    def row(self, index: int) -> dict[str, Any]:
        return {column: values[index] for column, values in self.data.items()}

    def add(self, record: dict[str, Any], contacts: list[tuple[Any, ...]]) -> None:
        """One customer: record has the CUSTOMER_FIELDS; contacts (name, title, mobile,
        landline, email) tuples."""
        d = self.data
        name = record.get("name") or ""
        address_text = record.get("address") or ""
        individual = record.get("kind") == INDIVIDUAL
        d["unique_id"].append(record["id"])
        d["kind"].append(record.get("kind") or "company")
        parts = norm.address_parts(address_text, record.get("city") or "") if individual else None
        if individual:
            person = norm.person_name(name)
            for column in ("name_core", "name_key", "name_brand", "name_full"):
                d[column].append(None)
            d["p_key"].append(person.key or None)
            d["p_first"].append(person.first)
            d["p_last"].append(person.last)
            d["p_first_nick"].append(norm.nickname_of(person.first))
            d["p_last_nick"].append(norm.nickname_of(person.last))
            assert parts is not None
            for column, value in (
                ("p_number", parts.number), ("p_street", parts.street),
                ("p_extra", parts.extra), ("p_locality", parts.locality),
                ("p_postcode", parts.postcode),
            ):  # fmt: skip
                d[column].append(value or None)
            d["p_blocks"].append(person_blocks(person, parts))
        else:
            core = norm.company_core(name)
            d["name_core"].append(core or None)
            d["name_key"].append(norm.pinyin_of(core) or None)
            d["name_brand"].append(norm.company_brand(core) or None)
            d["name_full"].append(norm.company_registered(name) or None)
            for column in ("p_key", "p_first", "p_last", "p_first_nick", "p_last_nick",
                           "p_number", "p_street", "p_extra", "p_locality", "p_postcode"):  # fmt: skip
                d[column].append(None)
            d["p_blocks"].append([])
        d["credit_code"].append((record.get("credit_code") or "").upper() or None)
        western = parts is not None and bool(parts.street or parts.locality or parts.postcode)
        if western:  # an individual's Western address is compared by its parts
            d["city"].append(None)
            d["address"].append(None)
            d["address_key"].append(None)
        else:
            city = (
                norm.city_key(record.get("city") or "")
                or norm.city_from_text(address_text)
                or ("" if individual else norm.city_from_text(name))
            )
            d["city"].append(city or None)
            address, address_key = norm.address_forms(address_text)
            d["address"].append(address or None)
            d["address_key"].append(address_key or None)
        phones: list[str] = [record["phone"]] if record.get("phone") else []
        emails: list[str] = [norm.email_key(record["email"])] if record.get("email") else []
        persons: list[str] = []
        surnames: list[str] = []
        for contact_name, title, mobile, landline, email in contacts:
            if mobile:
                phones.append(mobile)
            if landline:
                phones.append(landline)
            if email:
                emails.append(norm.email_key(email))
            keys, surname_keys = norm.person_keys(contact_name or "", title or "")
            persons += keys
            surnames += surname_keys
        phones = sorted(set(phones))
        emails = sorted(set(emails))
        d["phones"].append(phones)
        d["phone_bases"].append(
            sorted({norm.phone_base(p) for p in phones})
            if any(";" in p for p in phones)
            else phones
        )
        d["mobiles"].append([p for p in phones if norm.is_mobile(p)])
        d["emails"].append(emails)
        d["personal_emails"].append([e for e in emails if not norm.is_role_mailbox(e)])
        d["domains"].append(sorted({x for x in map(norm.email_domain, emails) if x}))
        persons = sorted(set(persons))
        surnames = sorted(set(surnames))
        d["persons"].append(persons)
        d["surnames"].append(surnames)
        d["people"].append(persons + surnames)

    def to_arrow(self) -> Any:
        import pyarrow as pa

        list_type = pa.list_(pa.string())
        schema = pa.schema(
            [("unique_id", pa.int64())]
            + [(c, pa.string()) for c in COLUMNS[1:_FIRST_LIST]]
            + [(c, list_type) for c in COLUMNS[_FIRST_LIST:]]
        )
        return pa.table(self.data, schema=schema)


# --- Reading stored customers.


def fetch(sql: str, params: Iterable[Any] = ()) -> Iterable[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while True:
            rows = cursor.fetchmany(20000)
            if not rows:
                break
            yield from rows


def customer_features(customer_ids: Iterable[int]) -> Features:
    """Normalised features of the given customers (the on-save check's candidates)."""
    ids = list(customer_ids)
    features = Features()
    if not ids:
        return features
    marks = ",".join(["%s"] * len(ids))
    contacts: dict[int, list[tuple[Any, ...]]] = {}
    for row in fetch(CONTACT_SQL + f" WHERE customer_id IN ({marks})", ids):
        contacts.setdefault(row[0], []).append(row[1:])
    for row in fetch(CUSTOMER_SQL + f" WHERE id IN ({marks}) ORDER BY id", ids):
        features.add(dict(zip(CUSTOMER_FIELDS, row, strict=True)), contacts.get(row[0], []))
    return features


def range_features(lo: int, hi: int) -> Features:
    """Features of the customers with lo <= id < hi (the scan reads the table in ranges)."""
    contacts: dict[int, list[tuple[Any, ...]]] = {}
    for row in fetch(CONTACT_SQL + " WHERE customer_id >= %s AND customer_id < %s", [lo, hi]):
        contacts.setdefault(row[0], []).append(row[1:])
    features = Features()
    for row in fetch(CUSTOMER_SQL + " WHERE id >= %s AND id < %s", [lo, hi]):
        features.add(dict(zip(CUSTOMER_FIELDS, row, strict=True)), contacts.get(row[0], []))
    return features


# --- An unsaved payload (create, edit, import row).


def _phone(raw: Any) -> str:
    text = clean_text(raw)
    if not text:
        return ""
    if text.startswith("+") and text[1:].split(";")[0].isdigit():
        return text
    try:
        return parse_phone(text)[0]
    except Exception:  # noqa: BLE001 - an invalid number simply does not take part
        return ""


def record_features(data: dict[str, Any]) -> dict[str, Any]:
    """The feature row of an unsaved payload (customer fields, decision_maker, contacts)."""
    people = [data.get("decision_maker") or {}, *(data.get("contacts") or [])]
    contacts = []
    for person in people:
        if not isinstance(person, dict) or not any(person.values()):
            continue
        numbers = [_phone(person.get(k)) for k in ("mobile", "phone", "landline")]
        mobiles = [n for n in numbers if norm.is_mobile(n)]
        others = [n for n in numbers if n and not norm.is_mobile(n)]
        contacts.append(
            (
                clean_text(person.get("name")),
                clean_text(person.get("title")),
                mobiles[0] if mobiles else "",
                others[0] if others else "",
                clean_text(person.get("email")),
            )
        )
    region = data.get("region")
    city = data.get("city") or (region.get("city") if isinstance(region, dict) else "") or ""
    record = {
        "id": data.get("id") or 0,
        "kind": INDIVIDUAL if clean_text(data.get("kind")) in _INDIVIDUAL_WORDS else "company",
        "name": clean_text(data.get("name")),
        "credit_code": clean_text(data.get("credit_code")).upper(),
        "city": clean_text(city),
        "address": clean_text(data.get("address")),
        "phone": _phone(data.get("phone") or data.get("mobile")),
        "email": clean_text(data.get("email")),
    }
    features = Features()
    features.add(record, contacts)
    return features.row(0)
