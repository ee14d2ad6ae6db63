"""The bulk catch-up's documents (customers_index_prepared: field values and search terms, built
with what repeats remembered) are exactly what the documents were before: the builders as they
were (model instances, nothing remembered) are kept here as the reference."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kehu.core import crypto
from kehu.core.models import SearchDocument
from kehu.core.normalize import compact, person_pinyin_keys, pinyin_keys, search_normalize
from kehu.core.normalize.text import CJK_RUN
from kehu.core.search_index import (
    cjk_grams,
    contact_document,
    customer_document,
    documents,
    search_prepare,
    tokens,
)
from kehu.customers.services import customers_index_prepared
from kehu.customers.services.bulk import INDEX_CONTACT_FIELDS, INDEX_CUSTOMER_FIELDS
from kehu.intake.catch_up import documents_packed
from kehu.intake.pipeline import Context, prepare
from kehu.intake.rows import CleanMemo, Dictionaries
from kehu.intake.validators import PRESETS, mapping_for_headers

from .test_fast_clean import _generated

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in SearchDocument._meta.concrete_fields]


# --- The reference: the builders before the catch-up remembered anything (main, 7 Dec 2026).


def _cjk_grams_before(text: str) -> str:
    grams: list[str] = []
    seen: set[str] = set()
    for run in CJK_RUN.findall(text):
        parts = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        for gram in parts:
            if gram not in seen:
                seen.add(gram)
                grams.append(gram)
    return " ".join(grams)


def _join_before(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _customer_before(customer: Any, tags: str = "") -> SearchDocument:
    name = search_normalize(customer.name)
    core = documents.company_core(name, normalized=True)
    full_pinyin, initials = pinyin_keys(core)
    codes = " ".join(
        c for c in (customer.customer_no.lower(), (customer.credit_code or "").lower()) if c
    )
    region = search_normalize(
        " ".join(p for p in (customer.province, customer.city, customer.district) if p)
    ).strip()
    return SearchDocument(
        kind=SearchDocument.Kind.CUSTOMER,
        object_id=customer.pk,
        title=customer.name[:200],
        subtitle=customer.customer_no,
        name_key=core,
        pinyin=full_pinyin,
        initials=initials,
        codes=codes[:300],
        tags=tags,
        text=_join_before(compact(name), core, full_pinyin, initials, codes, region, tags),
        tokens=tokens.tokens_text(
            tokens.phone_terms(customer.phone),
            tokens.email_terms(customer.email),
            tokens.address_terms(customer.address),
        ),
        **documents._scope_of(customer),
    )


def _contact_before(contact: Any, customer: Any, tags: str = "") -> SearchDocument:
    name = compact(search_normalize(contact.name))
    full_pinyin, initials, read_otherwise = person_pinyin_keys(name)
    return SearchDocument(
        kind=SearchDocument.Kind.CONTACT,
        object_id=contact.pk,
        title=contact.name[:200],
        subtitle=f"{customer.name} · {contact.title}" if contact.title else customer.name,
        name_key=name,
        pinyin=full_pinyin,
        initials=initials,
        tags=tags,
        text=_join_before(name, full_pinyin, initials, read_otherwise, tags),
        tokens=tokens.tokens_text(
            tokens.phone_terms(contact.mobile),
            tokens.phone_terms(contact.landline),
            tokens.email_terms(contact.email),
            tokens.id_terms(contact.wechat),
            tokens.id_terms(contact.qq),
            tokens.address_terms(contact.address),
        ),
        **documents._scope_of(customer),
    )


def _terms_before(document: SearchDocument, engine: str) -> tuple[str, str]:
    d = document
    scope = documents.scope_tokens.__wrapped__(d.kind, d.owner, d.team, d.status, engine=engine)
    grams = _cjk_grams_before(d.text)
    return scope, f"{grams} {d.tokens}" if d.tokens else grams


class _Record:
    def __init__(self, names: tuple[str, ...], values: tuple[Any, ...]) -> None:
        self.__dict__.update(zip(names, values, strict=True))


def _record(names: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    """A record with these attributes (what the builders read)."""
    return _Record(names, values)


def _reference(customers: list[tuple[Any, ...]], contacts: list[tuple[Any, ...]], engine: str):
    """(field values, terms) of each document as before: nothing remembered on the way."""
    rows = [_record(INDEX_CUSTOMER_FIELDS, r) for r in customers]
    by_pk = {r.pk: r for r in rows}
    built = [_customer_before(r) for r in rows] + [
        _contact_before(c, by_pk[c.customer_id])
        for c in (_record(INDEX_CONTACT_FIELDS, r) for r in contacts)
    ]
    return [(tuple(getattr(d, f) for f in FIELDS), _terms_before(d, engine)) for d in built]


# --- The records: a generated file's customers and decision makers, and odd values.

ODD_CUSTOMER = {
    "name": "臺灣ＡＢＣ科技（深圳）有限公司", "owner_id": None, "team_id": None, "status": "",
    "phone": "+862188886666;ext=12", "email": "Wang.JianGuo@Example.COM", "customer_no": "CX1",
    "credit_code": None, "province": None, "city": "深圳市", "district": "",
    "address": "廣東省深圳市南山區科技園 Tower B 3F 哈哈哈哈",
}  # fmt: skip
ODD_CONTACT = {
    "name": "歐陽　娜娜", "title": "", "mobile": "13800138000", "landline": "13800138000",
    "email": "", "wechat": "Wx_Id 123", "qq": "12345", "address": "北京 北京 朝阳 望京 SOHO",
}  # fmt: skip


def _rows(tmp_path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    raw = _generated(tmp_path, 1_500)
    source, preset = PRESETS["standard"]
    mapping = mapping_for_headers(list(raw[0]), preset)
    context = Context(
        mapping={h: t for h, t in mapping.items() if t != "owner"},
        dictionaries=Dictionaries(),
        actor=None,
        external_source=source,
        created_by=None,
        memo=CleanMemo(),
    )
    _cleaned, built = prepare(list(enumerate(raw, start=2)), context)
    customers, contacts = [], []
    statuses = ["lead", "won", "", "lost"]
    for key, (customer, maker) in enumerate(built.values(), start=1):
        # Scopes vary as in a book (a few owners and teams, none for some: the pool).
        customer.pk, customer.customer_no = key, f"CX202611{key:04d}"
        customer.owner_id = key % 7 or None
        customer.team_id = key % 3 or None
        customer.status = statuses[key % 4]
        customers.append(tuple(getattr(customer, f) for f in INDEX_CUSTOMER_FIELDS))
        if maker is not None:
            maker.pk, maker.customer_id = key + 100_000, key
            contacts.append(tuple(getattr(maker, f) for f in INDEX_CONTACT_FIELDS))
    odd = len(customers) + 1
    customers.append(tuple({**ODD_CUSTOMER, "pk": odd}[f] for f in INDEX_CUSTOMER_FIELDS))
    contact = {**ODD_CONTACT, "pk": odd + 100_000, "customer_id": odd}
    contacts.append(tuple(contact[f] for f in INDEX_CONTACT_FIELDS))
    assert len(customers) > 1_000 and len(contacts) > 800
    return customers, contacts


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_catch_up_documents_are_the_documents_built_before(tmp_path, monkeypatch, engine):
    customers, contacts = _rows(tmp_path)
    vendor = type("C", (), {"vendor": engine})
    monkeypatch.setattr("kehu.customers.services.bulk.connection", vendor)
    first = customers_index_prepared(customers, contacts)
    again = customers_index_prepared(customers, contacts)  # the memos warm this time
    with monkeypatch.context() as plain:
        plain.setattr(crypto, "_MEMO_LONGEST", -1)
        plain.setattr(tokens, "cjk_gram_list", lambda text: _cjk_grams_before(text).split())
        expected = _reference(customers, contacts, engine)
    assert len(first) == len(customers) + len(contacts)
    for got in (first, again):
        for (values, terms), (want, want_terms) in zip(got, expected, strict=True):
            assert values == want, want[2]
            assert [type(v) for v in values] == [type(v) for v in want], want[2]
            assert terms == want_terms, want[2]
    # What a worker sends back: the same values, the kind as a plain string.
    packed = documents_packed((customers[:50], [c for c in contacts if c[1] <= 50]))
    assert [(v[:1] + v[2:], t) for v, t in packed] == [
        (v[:1] + v[2:], t) for v, t in first if v[3] <= 50
    ]
    assert {type(v[1]) for v, _t in packed} == {str}


def test_one_record_documents_are_the_documents_built_before(tmp_path, monkeypatch):
    """customer_document / contact_document (the services' path) wrap the same values."""
    customers, contacts = _rows(tmp_path)
    rows = {r[0]: _record(INDEX_CUSTOMER_FIELDS, r) for r in customers[-200:]}
    makers = [_record(INDEX_CONTACT_FIELDS, c) for c in contacts if c[1] in rows]
    engine = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    for tags in ("", "重点客户 vip"):
        got = [customer_document(r, tags=tags) for r in rows.values()]
        got += [contact_document(c, customer=rows[c.customer_id], tags=tags) for c in makers]
        with monkeypatch.context() as plain:
            plain.setattr(crypto, "_MEMO_LONGEST", -1)
            want = [_customer_before(r, tags) for r in rows.values()]
            want += [_contact_before(c, rows[c.customer_id], tags) for c in makers]
        for document, expected in zip(got, want, strict=True):
            assert [getattr(document, f) for f in FIELDS] == [getattr(expected, f) for f in FIELDS]
            assert document._state.adding and document._state.db is None
            assert search_prepare(document) == _terms_before(expected, engine)


def test_bigrams_are_the_bigrams_before():
    rng = random.Random(3)
    alphabet = "哈深圳市南山區科技园 ab1-\n臺"
    texts = ["", "哈", "哈哈哈哈", "a哈b哈哈c哈", "深圳 深圳市\n圳市", "ＡＢ深圳"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(30))) for _ in range(3000)]
    for text in texts:
        assert cjk_grams(text) == _cjk_grams_before(text), text
        assert cjk_grams(text) == _cjk_grams_before(text), text  # the runs remembered


def test_remembered_blind_terms_are_the_terms(monkeypatch):
    values = ["139", "1391", "13912", "139123", "a", "", "深圳", "深圳市南山区", "x" * 40]
    labels = ["phone.prefix", "address.part", "email.prefix"]
    remembered = [crypto.search_terms(label, values) for label in labels]
    again = [crypto.search_terms(label, values) for label in labels]
    monkeypatch.setattr(crypto, "_MEMO_LONGEST", -1)
    fresh = [crypto.search_terms(label, values) for label in labels]
    assert remembered == again == fresh
    assert len({term for terms in fresh for term in terms}) == len(values) * len(labels)
    # Another blind key, other terms: the memo is kept per key.
    monkeypatch.setattr(crypto, "_MEMO_LONGEST", 5)
    ring = crypto.keyring()
    other = crypto.Keyring(
        keys=ring.keys, current=ring.current, blind_key=bytes(32), source=ring.source
    )
    monkeypatch.setattr(crypto, "keyring", lambda: other)
    assert crypto.search_terms("phone.prefix", values[:3]) != remembered[0][:3]
