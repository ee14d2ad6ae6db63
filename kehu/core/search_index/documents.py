"""A record's search document (customer, contact, interaction) and the scope tokens that put its
kind, owner, team and status inside the substring indexes."""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import Any

from ..bulk import unsaved
from ..models import SearchDocument
from ..normalize import compact, person_pinyin_keys, pinyin_keys, search_normalize
from ..normalize import company_core as _company_core
from .tokens import (
    address_terms,
    email_terms,
    id_terms,
    phone_terms,
    tokens_text,
)

Kind = SearchDocument.Kind

_SEPARATOR = "\n"


def company_core(name: str, *, normalized: bool = False) -> str:
    """The part of a company name people type: 深圳市腾讯科技有限公司 -> 腾讯科技 (the matcher's
    core, kehu.core.normalize.company_core); the whole name when nothing is left."""
    text = name if normalized else search_normalize(name)
    return _company_core(text)[:200] or compact(text)


def _join(*parts: str) -> str:
    return _SEPARATOR.join(p for p in parts if p)


def _scope_of(customer: Any) -> dict[str, Any]:
    return {
        "customer_id": customer.pk,
        "owner": customer.owner_id,
        "team": customer.team_id,
        "status": customer.status or "",
    }


# --- Scope tokens: the document's kind, owner, team and status inside the substring indexes, so
# that a rep's query for a common word is answered by the index alone (the word's matches AND
# the rep's token) instead of reading every match to test its owner. SQLite's trigram tokenizer
# keeps a 3-character string as one token: a mark (private-use character) and a 2-character
# payload (private-use characters, base 6144: ids below 37,748,736; kinds and statuses by CRC).
# PostgreSQL's text-search parser sees plain words ("xo12"). A document without an owner (its
# customer sits in a team pool, or nobody has it yet) carries the "no owner" token, so a rep's
# pool branch (team = mine, no owner) is answered by the index too (core migration 0010).

_MARKS = {"kind": "\uf8f0", "owner": "\uf8f1", "team": "\uf8f2", "status": "\uf8f3"}
_BASE, _RADIX = 0xE000, 6144
# Outside the payload range (0xE000-0xF7FF), so it never equals an owner id's token.
_NO_OWNER = {"sqlite": _MARKS["owner"] + "\uf8fe\uf8fe", "postgresql": "xonone"}


def scope_token(field: str, value: Any, *, engine: str = "sqlite") -> str:
    """The index token of one scope value ('' when it has none: no team or status, an id too
    large); an owner of None has the "no owner" token."""
    if value is None and field == "owner":
        return _NO_OWNER["sqlite" if engine == "sqlite" else "postgresql"]
    if value is None or value == "":
        return ""
    if engine != "sqlite":
        text = (
            str(value)
            if field in ("owner", "team")
            else format(zlib.crc32(str(value).encode()), "x")
        )
        return f"x{field[0]}{text}"
    number = value if isinstance(value, int) else zlib.crc32(str(value).encode()) % _RADIX**2
    if not 0 <= number < _RADIX**2:
        return ""
    return _MARKS[field] + chr(_BASE + number // _RADIX) + chr(_BASE + number % _RADIX)


@lru_cache(maxsize=65_536)  # a few owners, teams and statuses stand for every document
def scope_tokens(
    kind: str, owner: int | None, team: int | None, status: str, *, engine: str = "sqlite"
) -> str:
    values = {"kind": kind, "owner": owner, "team": team, "status": status}
    tokens = (scope_token(f, v, engine=engine) for f, v in values.items())
    return " ".join(t for t in tokens if t)


# --- Documents. Built as their field values, in SearchDocument's field order (a bulk load
# writes these without a model instance); customer_document and contact_document wrap them.
# What repeats from record to record (a region, a person's name, a company core's pinyin) is
# worked out once; kehu/intake/tests/test_catch_up_documents.py compares them with the
# documents built plainly.

FIELDS = tuple(f.attname for f in SearchDocument._meta.concrete_fields)
_ORDER = (
    "id", "kind", "object_id", "customer_id", "owner", "team", "status", "title", "subtitle",
    "name_key", "pinyin", "initials", "codes", "tags", "text", "grams", "tokens",
)  # fmt: skip
if FIELDS != _ORDER:  # the builders below write the values in this order
    raise RuntimeError(f"SearchDocument's fields changed: {FIELDS}")
Values = tuple[Any, ...]
_pinyin_keys = lru_cache(maxsize=65_536)(pinyin_keys)


@lru_cache(maxsize=4096)
def _region(province: str | None, city: str | None, district: str | None) -> str:
    return search_normalize(" ".join(p for p in (province, city, district) if p)).strip()


@lru_cache(maxsize=65_536)
def _person(name: str) -> tuple[str, str, str, str]:
    """A person's name key, its pinyin and initials with the surname read as one (曾 zeng), and
    the common reading when it differs (ceng), which the text keeps."""
    key = compact(search_normalize(name))
    return (key, *person_pinyin_keys(key))


def customer_values(customer: Any, *, tags: str = "") -> Values:
    """customer_document's field values."""
    name = search_normalize(customer.name)
    core = company_core(name, normalized=True)
    full_pinyin, initials = _pinyin_keys(core)
    number = customer.customer_no
    codes = " ".join(c for c in (number.lower(), (customer.credit_code or "").lower()) if c)
    region = _region(customer.province, customer.city, customer.district)
    text = _join(compact(name), core, full_pinyin, initials, codes, region, tags)
    tokens = tokens_text(
        phone_terms(customer.phone), email_terms(customer.email), address_terms(customer.address)
    )
    pk = customer.pk
    return (
        None, Kind.CUSTOMER, pk, pk, customer.owner_id, customer.team_id, customer.status or "",
        customer.name[:200], number, core, full_pinyin, initials, codes[:300], tags, text, "",
        tokens,
    )  # fmt: skip


def contact_values(contact: Any, customer: Any, *, tags: str = "") -> Values:
    """contact_document's field values."""
    name, full_pinyin, initials, read_otherwise = _person(contact.name)
    title = contact.title
    return (
        None, Kind.CONTACT, contact.pk, customer.pk, customer.owner_id, customer.team_id,
        customer.status or "", contact.name[:200],
        f"{customer.name} · {title}" if title else customer.name, name, full_pinyin, initials,
        "", tags, _join(name, full_pinyin, initials, read_otherwise, tags), "",
        tokens_text(
            phone_terms(contact.mobile),
            phone_terms(contact.landline),
            email_terms(contact.email),
            id_terms(contact.wechat),
            id_terms(contact.qq),
            address_terms(contact.address),
        ),
    )  # fmt: skip


def customer_document(customer: Any, *, tags: str = "") -> SearchDocument:
    """The unsaved document of a customer: name, number, credit code and region in clear; its
    phone, e-mail and address (encrypted fields) only as blind terms (tokens.py)."""
    return unsaved(SearchDocument, customer_values(customer, tags=tags))  # type: ignore[no-any-return]


def contact_document(contact: Any, *, customer: Any = None, tags: str = "") -> SearchDocument:
    """A contact: its name (and pinyin) in clear; mobile, landline, e-mail, WeChat and QQ ids and
    address only as blind terms (tokens.py)."""
    customer = customer if customer is not None else contact.customer
    return unsaved(SearchDocument, contact_values(contact, customer, tags=tags))  # type: ignore[no-any-return]


def interaction_document(interaction: Any, *, customer: Any = None) -> SearchDocument:
    """An interaction's topic and summary."""
    customer = customer if customer is not None else interaction.customer
    topic = search_normalize(interaction.topic)
    summary = search_normalize(interaction.summary)
    title = (interaction.topic or interaction.summary or interaction.interaction_no)[:200]
    return SearchDocument(
        kind=Kind.INTERACTION,
        object_id=interaction.pk,
        title=title.replace("\n", " "),
        subtitle=f"{customer.name} · {interaction.interaction_no}",
        text=_join(topic, summary),
        **_scope_of(customer),
    )
