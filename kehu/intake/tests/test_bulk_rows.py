"""The import's row shortcuts give what the plain code gave, on a generated file's rows and odd
ones: row_payload by a plan worked out once per mapping (against its code before), build_customer
and its decision maker built without the model constructors (kehu.core.bulk.fresh), the blind
indexes by one-call HMAC, and insert_rows keeping an empty encrypted value without the field."""

from __future__ import annotations

import hashlib
import hmac
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from pypinyin import lazy_pinyin

from kehu.contacts.models import Contact
from kehu.core import crypto
from kehu.core.bulk import _columns, field_values, fresh
from kehu.core.normalize import name_pinyin
from kehu.core.normalize.pinyin import _word_syllables, name_sort_key, surname_read
from kehu.core.normalize.text import has_cjk, is_cjk
from kehu.core.text import clean_multiline, clean_text
from kehu.customers.models import Customer
from kehu.customers.validators import normalize_company_name
from kehu.intake.models import ImportRow
from kehu.intake.row_parts import MAKER_CELLS, keep_aside, row_payload
from kehu.intake.rows import (
    DICTIONARY_FIELDS,
    CleanMemo,
    CleanRow,
    Dictionaries,
    _name_pinyin,
    _resolve,
    build_customer,
    clean_row,
)
from kehu.intake.validators import MAKER_CUSTOM_TARGET, PRESETS, english_date, mapping_for_headers

from .helpers import generated_rows

pytestmark = pytest.mark.django_db


def _generated(tmp_path: Path, companies: int) -> list[dict[str, str]]:
    return generated_rows(tmp_path, companies, seed=99)


# --- _payload before the plan, word for word (kehu/intake/rows.py at main 4ea29b6)


def _payload_before(
    raw: dict[str, str], mapping: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The customer payload of a row, and {payload key: column} to name columns in errors."""
    payload: dict[str, Any] = {}
    maker: dict[str, str] = {}
    columns: dict[str, str] = {}
    first = last = ""
    for header, target in mapping.items():
        if not target or header not in raw:
            continue
        text = clean_text(raw[header])
        if target == "notes":  # free text: its lines and Chinese punctuation kept (7 Dec 2026)
            text = clean_multiline(raw[header])
        if target == "first_contact_date" and text:
            text = english_date(text)
        if target == "budget_amount_wan":
            target = "budget_amount"  # a number of 万元; a cell with its own unit keeps it
            if text and not any(
                unit in text.lower() for unit in ("万", "千", "亿", "元", "k", "w")
            ):
                text = f"{text}万"
        if target.startswith("custom_fields."):
            key = target.removeprefix("custom_fields.")
            payload.setdefault("custom_fields", {})[key] = text
            columns[target] = header
        elif target.startswith(MAKER_CUSTOM_TARGET):  # a contact's field (row_parts)
            payload.setdefault(MAKER_CELLS, {})[target.removeprefix("decision_maker.")] = text
            columns[target] = header
        elif target.startswith("decision_maker."):
            key = target.removeprefix("decision_maker.")
            columns[f"decision_maker.{key}"] = header
            if key == "first_name":
                first = text
                columns.setdefault("decision_maker.name", header)
            elif key == "last_name":
                last = text
                columns["decision_maker.name"] = columns.get("decision_maker.name", header)
            else:
                maker[key] = text
        else:
            payload[target] = text
            columns[target] = header
    if first or last:
        joined = f"{last}{first}" if has_cjk(last + first) else f"{first} {last}".strip()
        maker.setdefault("name", joined)
        if not maker["name"]:
            maker["name"] = joined
    if maker.get("name") and not any(
        k in columns for k in ("name", "external_id", "credit_code", "kind")
    ):
        # A list of people without a company column (a phone's contacts as CSV): each person is
        # an individual customer, as a vCard without a company is. A company column left empty
        # in a row stays an error, and a file keyed by external id or credit code (a partial
        # update of companies) never renames them after their contact.
        payload["name"], payload["kind"] = maker["name"], "individual"
        columns["name"] = columns.get("decision_maker.name", "")
    if any(maker.values()):
        if maker.get("name"):
            payload["decision_maker"] = {k: v for k, v in maker.items() if v}
        else:
            # A number or address without a person belongs to the customer itself.
            if maker.get("mobile") and not payload.get("phone"):
                payload["phone"] = maker["mobile"]
                columns["phone"] = columns.get("decision_maker.mobile", "")
            if maker.get("email") and not payload.get("email"):
                payload["email"] = maker["email"]
                columns["email"] = columns.get("decision_maker.email", "")
    return payload, columns


def test_payload_by_plan_equals_the_code_before(tmp_path: Path) -> None:
    rows = _generated(tmp_path, 3000)
    _source, preset = PRESETS["standard"]
    standard = mapping_for_headers(list(rows[0]), preset)
    odd = {  # every kind of target, in an order that moves the name's column about
        "姓": "decision_maker.last_name", "名": "decision_maker.first_name",
        "预算万": "budget_amount_wan", "日期": "first_contact_date", "等级": "custom_fields.tier",
        "爱好": f"{MAKER_CUSTOM_TARGET}hobby", "职位": "decision_maker.title",
        "手机": "decision_maker.mobile", "邮件": "decision_maker.email", "空": "",
        "电话": "phone", "备注": "notes",
    }  # fmt: skip
    cells = ["", " ", "张", "Smith", "12", "12万", "3k", "15 Mar 2024", "03/15/2024", "x",
             "13800138000", "a@b.cn", "　全角　", "Ａ１", "王 小明", "\u200b", "2024-01-02",
             "第一行，说明：\n第二行（备注）"]  # fmt: skip
    rng = random.Random(3)
    for raw in rows:
        assert row_payload(raw, standard) == _payload_before(raw, standard)
    people = {"客户名称", "外部编号", "统一社会信用代码"}
    for _ in range(5000):
        mapping = dict(rng.sample(list(odd.items()), rng.randint(1, len(odd))))
        if rng.random() < 0.5:
            mapping["客户名称"] = "name"
        raw = {header: rng.choice(cells) for header in [*mapping, *people] if rng.random() < 0.9}
        got, before = row_payload(raw, mapping), _payload_before(raw, mapping)
        assert got == before, (raw, mapping)
        assert list(got[0]) == list(before[0]) and list(got[1]) == list(before[1])


# --- Built without the constructors


def _built_before(row: CleanRow, *, created_by: Any) -> tuple[Customer, Contact | None]:
    """build_customer with the model constructors (kehu/intake/rows.py at main 4ea29b6)."""
    customer = Customer(created_by=created_by if getattr(created_by, "pk", None) else None)
    for key, value in row.values.items():
        if key == "custom_fields":
            customer.custom_fields = {k: v for k, v in value.items() if v is not None}
        elif key not in ("decision_maker", "status_reason"):
            setattr(customer, key, value)
    customer.name_normalized = normalize_company_name(customer.name)
    customer.name_sort = name_sort_key(customer.name)
    customer.team = customer.owner.team if customer.owner else None
    maker = None
    if row.maker:
        maker = Contact(name_pinyin=_name_pinyin(row.maker["name"]), **row.maker)
    for target, value, partial in row.aside:
        keep_aside(
            maker if target.startswith("decision_maker.") and maker else customer, value, partial
        )
    return customer, maker


def _state(obj: Any) -> tuple[Any, ...]:
    cache = obj._state.fields_cache
    return (field_values(obj), sorted(cache), [cache[k] for k in sorted(cache)],
            obj._state.adding, obj._state.db, sorted(obj.__dict__))  # fmt: skip


@pytest.mark.parametrize("model", [Customer, Contact, ImportRow])
def test_fresh_is_what_the_constructor_makes(model: Any) -> None:
    made, built = model(), fresh(model)
    assert _state(built) == _state(made)
    assert built.custom_fields is not fresh(model).custom_fields if model is not ImportRow else True


def test_built_rows_equal_the_constructors(tmp_path: Path, rep: Any) -> None:
    rows = _generated(tmp_path, 3000)
    source, preset = PRESETS["standard"]
    mapping = mapping_for_headers(list(rows[0]), preset)
    # The test book has none of the file's industries, sources and owners: leave those out.
    mapping = {h: t for h, t in mapping.items() if t not in DICTIONARY_FIELDS}
    dictionaries, memo = Dictionaries(), CleanMemo()
    makers = aside = 0
    for number, raw in enumerate(rows, start=2):
        row = clean_row(
            number, raw, mapping, dictionaries, actor=None, external_source=source, memo=memo
        )
        if not row.is_valid:
            continue
        for created_by in (rep, None):
            customer, maker = build_customer(row, created_by=created_by)
            customer_before, maker_before = _built_before(row, created_by=created_by)
            assert _state(customer) == _state(customer_before), number
            assert (maker is None) == (maker_before is None), number
            if maker is not None:
                assert _state(maker) == _state(maker_before), number
        makers += row.maker is not None
        aside += bool(row.aside)
    assert makers > 2000 and aside > 50


# --- Blind indexes and empty encrypted values


def test_blind_tokens_equal_hmac_new(tmp_path: Path) -> None:
    rows = _generated(tmp_path, 1000)
    values = [v for raw in rows for v in (raw["决策人联系方式"], raw["邮箱"], raw["客户名称"])]
    values += ["", " ", "+8613800138000;ext=12", "+862088886666", "a@B.cn", "123", "转8"]
    key = crypto.keyring().blind_key
    for value in values:
        for kind, normal_of in crypto.BLIND_KINDS.items():
            normal = normal_of(value) if value else ""
            digest = hmac.new(key, f"{kind}\0{normal}".encode(), hashlib.sha256).digest()
            expected = crypto._b64encode(digest[:16]) if normal else ""
            assert crypto.blind(kind, value) == expected, (kind, value)
    customer = fresh(Customer)
    customer.phone, customer.email = "+8613800138000", "Sales@Example.cn"
    crypto.blind_fill([customer])
    assert [getattr(customer, f.attname) for f in crypto.blind_fields(Customer)] == [
        f.token_of(customer) for f in crypto.blind_fields(Customer)
    ]


@pytest.mark.parametrize("encryption", [True, False])
@pytest.mark.parametrize("model", [Customer, Contact])
def test_encrypted_values_are_what_the_field_prepares(model: Any, encryption: bool) -> None:
    encrypted = {f.attname: f for f in crypto.encrypted_fields(model)}
    assert encrypted
    sealed = crypto.encrypt("13900000000", "customers.customer.phone")
    values = ["", "13800138000", "+8613800138000", "王建国", " x ", sealed, "kx", "kx9$", None, 5]
    with override_settings(KEHU_ENCRYPTION=encryption):
        for _column, attname, converter, _stamped in _columns(model, True, connection):
            if attname not in encrypted:
                continue
            field = encrypted[attname]
            assert converter is not None
            for value in values:
                got, prepared = converter(value), field.get_db_prep_save(value, connection)
                if crypto.is_encrypted(str(prepared)) and prepared != value:  # a new nonce
                    assert crypto.decrypt(got, field.aad()) == crypto.decrypt(prepared, field.aad())
                    assert crypto.version_of(got) == crypto.version_of(prepared)
                else:
                    assert (type(got), got) == (type(prepared), prepared), (attname, value)


def test_remembered_look_ups_equal_resolving_each_row(
    tmp_path: Path, rep: Any, manager: Any, admin_user: Any
) -> None:
    rows = _generated(tmp_path, 500)
    cells = {
        "industry": [r["所属行业"] for r in rows] + ["制造业", "制造业/汽车零部件", "零售业", "不存在", ""],
        "sub_industry": [r["二级行业"] for r in rows] + ["汽车零部件", "软件开发", "x", ""],
        "source": [r["客户来源"] for r in rows] + ["展会拜访", "web", "不存在", ""],
        "owner": [r["负责人"] for r in rows] + [str(rep.pk), rep.username, "nobody", "", "0"],
    }  # fmt: skip
    rng = random.Random(8)
    dictionaries = Dictionaries()
    for _ in range(4000):
        lookups = {k: rng.choice(v) for k, v in cells.items() if rng.random() < 0.8}
        actor = rng.choice([None, rep, manager, admin_user])
        remembered: dict[str, Any] = {"name": "x"}
        plain: dict[str, Any] = {"name": "x"}
        errors = dictionaries.resolve(lookups, remembered, actor)
        assert errors == _resolve(lookups, plain, dictionaries, actor), lookups
        assert list(remembered.items()) == list(plain.items()), lookups
        for messages in errors.values():
            messages.append("changed by the caller")  # the memo keeps its own lists
    assert len(dictionaries.resolved) < 4000


def test_name_pinyin_by_words_equals_name_pinyin(tmp_path: Path) -> None:
    rows = _generated(tmp_path, 1500)
    texts = [r["关键决策人姓名"] for r in rows] + [r["客户名称"] for r in rows[:500]]
    texts += [r["客户地址"] for r in rows[:100]]
    chars = sorted({c for text in texts for c in text})
    rng = random.Random(11)
    odd = ["", " ", "王", "Smith John", "张 三", "李2号", "曾国藩", "单于", "长孙无忌", "重庆银行行长",
           "O'Neil 王", "王·小明", "ＡＢ王", "欧阳", "乐乐乐", "〇", "\U00020000王"]  # fmt: skip
    samples = texts + odd
    for text in texts[:1500]:  # pieces of names and addresses: dictionary phrases cut apart
        start = rng.randrange(len(text) or 1)
        samples.append(text[start : start + rng.randint(1, 6)])
    samples += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 6))) for _ in range(2000)]
    _word_syllables.cache_clear()
    for text in samples:
        assert name_pinyin(text) == _name_pinyin_whole(text), text


def _name_pinyin_whole(name: str) -> str:
    """name_pinyin before its words were remembered (kehu/core/normalize/pinyin.py at 4ea29b6)."""
    if not name:
        return ""
    syllables = lazy_pinyin(name)
    if is_cjk(name[:1]):  # a surname read as one (曾 zeng): added after, on both sides
        syllables = surname_read(name, syllables)
    if len(syllables) >= 2 and all(s.isalpha() for s in syllables):
        return (syllables[0] + " " + "".join(syllables[1:])).lower()[:200]
    return " ".join(syllables).lower()[:200]
