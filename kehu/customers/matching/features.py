"""Feature rows: what the matcher compares of a customer, built by the one normaliser.

A feature row is built the same way for a stored customer (the scan reads every customer, the
on-save check reads its candidates) and for an unsaved payload (record_features), so the scan
and the check compare the same columns. Features keeps them as column lists, which become the
Splink input table (to_arrow) or single rows (row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from kehu.core import normalize as norm
from kehu.core.crypto import decrypt
from kehu.core.normalize.email import FREE_MAIL, ROLE_MAILBOXES
from kehu.core.text import clean_text
from kehu.core.validators import parse_phone

COLUMNS = ("unique_id", "kind", "name_core", "name_key", "name_brand", "name_full",
           "credit_code", "city", "address", "address_key",
           "p_key", "p_first", "p_last", "p_first_nick", "p_last_nick", "p_number", "p_street",
           "p_extra", "p_locality", "p_postcode",
           "phones", "emails", "persons", "surnames", "p_blocks", "phone_partials")  # fmt: skip
_FIRST_LIST = COLUMNS.index("phones")

# Columns derived from the lists above: in Python for a row (derive), in SQL for the scan's
# whole table (DERIVED_SQL, run by DuckDB on every row at once). The agreement test checks that
# the scan and the check pair the same records.
_ROLE_LIST = "[" + ", ".join(f"'{m}'" for m in sorted(ROLE_MAILBOXES)) + "]"
_FREE_LIST = "[" + ", ".join(f"'{d}'" for d in sorted(FREE_MAIL)) + "]"
DERIVED_SQL = (
    "list_sort(list_distinct(list_transform(phones, lambda x: split_part(x, ';', 1)))) AS phone_bases",
    "list_filter(phones, lambda x: starts_with(x, '+861') AND length(split_part(x, ';', 1)) = 14) "
    "AS mobiles",
    f"list_filter(emails, lambda x: NOT list_contains({_ROLE_LIST}, split_part(x, '@', 1))) "
    "AS personal_emails",
    "list_sort(list_distinct(list_filter(list_transform(emails, lambda x: "
    "regexp_extract(x, '@([^@]*)$', 1)), "
    f"lambda d: d <> '' AND NOT list_contains({_FREE_LIST}, d)))) AS domains",
    "list_concat(persons, surnames) AS people",
    # Each +86 number as other CRMs mask it (138****5678, 0571****6666), to meet phone_partials.
    "list_transform(list_transform(list_filter(phones, lambda x: starts_with(x, '+86') "
    "AND length(split_part(x, ';', 1)) >= 12), lambda x: (CASE WHEN substr(x, 4, 1) = '1' "
    "THEN '' ELSE '0' END) || substr(split_part(x, ';', 1), 4)), "
    "lambda n: left(n, length(n) - 8) || '****' || right(n, 4)) AS phone_masks",
)


def phone_masks(phones: list[str]) -> list[str]:
    """'+8613812345678' -> '138****5678': the numbers as a masked export shows them."""
    masks = []
    for phone in phones:
        base = phone.split(";", 1)[0]
        if base.startswith("+86") and len(base) >= 12:
            national = base[3:] if base[3] == "1" else "0" + base[3:]
            masks.append(national[:-8] + "****" + national[-4:])
    return masks


def derive(row: dict[str, Any]) -> dict[str, Any]:
    """Add the derived columns (DERIVED_SQL) to a feature row."""
    phones, emails = row["phones"], row["emails"]
    row["phone_bases"] = sorted({p.split(";", 1)[0] for p in phones})
    row["mobiles"] = [p for p in phones if norm.is_mobile(p)]
    row["personal_emails"] = [e for e in emails if not norm.is_role_mailbox(e)]
    row["domains"] = sorted({d for d in map(norm.email_domain, emails) if d})
    row["people"] = row["persons"] + row["surnames"]
    row["phone_masks"] = phone_masks(phones)
    return row


CUSTOMER_SQL = (
    "SELECT id, kind, name, credit_code, city, address, phone, email, phone_partial "
    "FROM customers_customer"
)
CUSTOMER_FIELDS = ("id", "kind", "name", "credit_code", "city", "address", "phone", "email",
                   "phone_partial")  # fmt: skip
CONTACT_SQL = (
    "SELECT customer_id, name, title, mobile, landline, email, phone_partial FROM customers_contact"
)

# Columns stored encrypted (kehu.core.crypto): the raw reads below open them.
_SEALED = frozenset({"address", "phone", "email", "phone_partial", "mobile", "landline"})
_CUSTOMER_SEALED = {
    i: f"customers.customer.{n}" for i, n in enumerate(CUSTOMER_FIELDS) if n in _SEALED
}
_CONTACT_FIELDS = ("customer_id", "name", "title", "mobile", "landline", "email", "phone_partial")
_CONTACT_SEALED = {
    i: f"contacts.contact.{n}" for i, n in enumerate(_CONTACT_FIELDS) if n in _SEALED
}


def _opened(row: tuple[Any, ...], sealed: dict[int, str]) -> tuple[Any, ...]:
    return tuple(decrypt(v, sealed[i]) if v and i in sealed else v for i, v in enumerate(row))


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


def _company(name: str) -> tuple[str | None, ...]:
    """(name_core, name_key, name_brand, name_full) of a company name."""
    core = norm.company_core(name)
    return (
        core or None,
        norm.pinyin_of(core) or None,
        norm.company_brand(core) or None,
        norm.company_registered(name) or None,
    )


def _person(name: str, address: str, city: str) -> tuple[Any, ...]:
    """The p_* columns of an individual, then p_blocks, then whether the address is Western."""
    person = norm.person_name(name)
    parts = norm.address_parts(address, city)
    return (
        person.key or None, person.first, person.last,
        norm.nickname_of(person.first), norm.nickname_of(person.last),
        parts.number or None, parts.street or None, parts.extra or None,
        parts.locality or None, parts.postcode or None,
        person_blocks(person, parts), bool(parts.street or parts.locality or parts.postcode),
    )  # fmt: skip


def _place(city: str, address: str, name: str) -> tuple[str | None, str | None, str | None]:
    """(city, address, address_key): the city from the city field, the address or the name."""
    city_key = norm.city_key(city) or norm.city_from_text(address) or norm.city_from_text(name)
    compact, key = norm.address_forms(address)
    return city_key or None, compact or None, key or None


_NO_PERSON = (None,) * 10
_NO_NAME = (None,) * 4
_NO_PLACE = (None, None, None)
_EMPTY: list[str] = []


class Features:
    """Feature rows (one tuple per customer, COLUMNS in order) that become the Splink input
    table (to_arrow) or dictionaries (row); data gives them as columns."""

    COLUMNS = COLUMNS

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def data(self) -> dict[str, list[Any]]:
        columns = list(zip(*self.rows, strict=True)) or [()] * len(COLUMNS)
        return {name: list(values) for name, values in zip(COLUMNS, columns, strict=True)}

    def row(self, index: int) -> dict[str, Any]:
        return derive(dict(zip(COLUMNS, self.rows[index], strict=True)))

    def add(self, record: dict[str, Any], contacts: list[tuple[Any, ...]]) -> None:
        """One customer: record has the CUSTOMER_FIELDS; contacts (name, title, mobile,
        landline, email, phone_partial) tuples."""
        name = record.get("name") or ""
        address = record.get("address") or ""
        city = record.get("city") or ""
        kind = record.get("kind") or "company"
        names: tuple[str | None, ...]
        person: Sequence[Any]
        if kind == INDIVIDUAL:
            names = _NO_NAME
            *person, blocks, western = _person(name, address, city)
            # An individual's Western address is compared by its parts.
            place = _NO_PLACE if western else _place(city, address, "")
        else:
            names, person, blocks = _company(name), _NO_PERSON, _EMPTY
            place = _place(city, address, name)
        phones = {record["phone"]} if record.get("phone") else set()
        emails = {record["email"]} if record.get("email") else set()
        persons: set[str] = set()
        surnames: set[str] = set()
        partials = {record["phone_partial"]} if record.get("phone_partial") else set()
        for contact_name, title, mobile, landline, email, partial in contacts:
            if partial:
                partials.add(partial)
            if mobile:
                phones.add(mobile)
            if landline:
                phones.add(landline)
            if email:
                emails.add(email)
            if contact_name:
                # The title matters only to a name that is a title (swapped fields): the
                # cache then holds each name once.
                swapped = title if title and norm.looks_like_title(contact_name) else ""
                keys, surname_keys = norm.person_keys(contact_name, swapped)
                persons.update(keys)
                surnames.update(surname_keys)
        email_list = sorted({norm.email_key(e) for e in emails}) if emails else _EMPTY
        self.rows.append(
            (
                record["id"], kind, *names,
                (record.get("credit_code") or "").upper() or None, *place, *person,
                sorted(phones), email_list, sorted(persons), sorted(surnames), blocks,
                sorted(partials),
            )
        )  # fmt: skip

    def to_arrow(self) -> Any:
        import pyarrow as pa

        list_type = pa.list_(pa.string())
        columns = list(zip(*self.rows, strict=True)) or [()] * len(COLUMNS)
        arrays = [pa.array(columns[0], type=pa.int64())]
        arrays += [pa.array(c, type=pa.string()) for c in columns[1:_FIRST_LIST]]
        arrays += [pa.array(c, type=list_type) for c in columns[_FIRST_LIST:]]
        return pa.Table.from_arrays(arrays, names=list(COLUMNS))


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
        contacts.setdefault(row[0], []).append(_opened(row, _CONTACT_SEALED)[1:])
    for row in fetch(CUSTOMER_SQL + f" WHERE id IN ({marks}) ORDER BY id", ids):
        row = _opened(row, _CUSTOMER_SEALED)
        features.add(dict(zip(CUSTOMER_FIELDS, row, strict=True)), contacts.get(row[0], []))
    return features


def range_features(lo: int, hi: int) -> Features:
    """Features of the customers with lo <= id < hi (the scan reads the table in ranges)."""
    contacts: dict[int, list[tuple[Any, ...]]] = {}
    for row in fetch(CONTACT_SQL + " WHERE customer_id >= %s AND customer_id < %s", [lo, hi]):
        contacts.setdefault(row[0], []).append(_opened(row, _CONTACT_SEALED)[1:])
    features = Features()
    for row in fetch(CUSTOMER_SQL + " WHERE id >= %s AND id < %s", [lo, hi]):
        row = _opened(row, _CUSTOMER_SEALED)
        features.add(dict(zip(CUSTOMER_FIELDS, row, strict=True)), contacts.get(row[0], []))
    return features


# --- An unsaved payload (create, edit, import row).


def _partial(raw: Any) -> str:
    return norm.phone_partial(clean_text(raw)) if raw else ""


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
        raw = [person.get(k) for k in ("mobile", "phone", "landline")]
        numbers = [_phone(value) for value in raw]
        mobiles = [n for n in numbers if norm.is_mobile(n)]
        others = [n for n in numbers if n and not norm.is_mobile(n)]
        partial = person.get("phone_partial") or next((p for p in map(_partial, raw) if p), "")
        contacts.append(
            (
                clean_text(person.get("name")),
                clean_text(person.get("title")),
                mobiles[0] if mobiles else "",
                others[0] if others else "",
                clean_text(person.get("email")),
                partial,
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
        "phone_partial": data.get("phone_partial")
        or _partial(data.get("phone"))
        or _partial(data.get("mobile")),
    }
    features = Features()
    features.add(record, contacts)
    return features.row(0)
