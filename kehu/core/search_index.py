"""Keep the search index in step with writes: called explicitly by services, in their transaction.

Lower apps (customers, interactions, the sandbox loader, imports) call these functions; the query
side lives in kehu.search. Records are passed duck-typed (a customer, a contact with .customer,
an interaction with .customer), so core imports no app above it.

Every text is normalised the same way at index and at query time (`search_normalize`): full-width
to half-width, traditional to simplified (OpenCC), NFKC, lower case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Q
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

from .models import SearchDocument
from .text import clean_text

Kind = SearchDocument.Kind

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_NOT_WORD = re.compile(r"[\s\W_]+", re.UNICODE)
_REGION_PREFIX = re.compile(
    f"^(?:[{_CJK}]{{2,3}}(?:省|自治区))?(?:[{_CJK}]{{2,4}}?(?:市|自治州|地区|盟))?"
    f"(?:[{_CJK}]{{1,3}}?(?:区|县))?"
)
_REGION_NAME = re.compile(
    "^(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    "湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|"
    "深圳|广州|杭州|南京|苏州|成都|武汉|西安|青岛|大连|宁波|厦门|无锡|长沙|郑州|济南|沈阳|合肥)"
)
_LEGAL_SUFFIX = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团公司|集团|总公司|分公司|公司|"
    r"co\.?,?\s*ltd\.?|company limited|limited|inc\.?|corp\.?)$",
    re.IGNORECASE,
)
_SEPARATOR = "\n"


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def search_normalize(value: Any) -> str:
    """The one text form of the index and of queries: half-width, simplified, NFKC, lower."""
    text = clean_text(value)
    if not text:
        return ""
    if _CJK_CHAR.search(text):
        text = _t2s().convert(text)
    return unicodedata.normalize("NFKC", text).lower()


def compact(value: str) -> str:
    """A key: normalised, without spaces and punctuation ('Tencent Co., Ltd.' -> 'tencentcoltd')."""
    return _NOT_WORD.sub("", value)[:200]


def company_core(name: str) -> str:
    """The part of a company name people type: 深圳市腾讯科技有限公司 -> 腾讯科技."""
    text = compact(search_normalize(name))
    core = _LEGAL_SUFFIX.sub("", text)
    if _CJK_CHAR.match(core):
        core = _REGION_PREFIX.sub("", core)
        core = _REGION_NAME.sub("", core) if len(core) > 4 else core
    return core or text


def has_cjk(value: str) -> bool:
    return bool(_CJK_CHAR.search(value))


def pinyin_keys(value: str) -> tuple[str, str]:
    """('tengxunkeji', 'txkj') for a Chinese key; ('', '') when it has no Chinese."""
    if not value or not has_cjk(value):
        return "", ""
    syllables = [s for s in lazy_pinyin(value, errors="ignore") if s.isascii() and s.isalnum()]
    initials = lazy_pinyin(value, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables)[:200], "".join(i for i in initials if i.isalnum())[:100]


def cjk_grams(text: str) -> str:
    """Space-separated CJK bigrams of text (a lone character stands for itself)."""
    grams: list[str] = []
    seen: set[str] = set()
    for run in _CJK_RUN.findall(text):
        parts = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        for gram in parts:
            if gram not in seen:
                seen.add(gram)
                grams.append(gram)
    return " ".join(grams)


def phone_digits(phone: str) -> str:
    """'+8613800138000' -> '13800138000'; extensions dropped; '' when there are no digits."""
    number = phone.split(";")[0].split("转")[0].split("ext")[0]
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+86") and digits.startswith("86"):
        digits = digits[2:]
        if len(digits) < 11 and not digits.startswith("0"):
            digits = "0" + digits  # a landline: +86 10 8888 8888 -> 01088888888
    return digits


def _join(*parts: str) -> str:
    return _SEPARATOR.join(p for p in parts if p)


def _scope_of(customer: Any) -> dict[str, Any]:
    return {
        "customer_id": customer.pk,
        "owner": customer.owner_id,
        "team": customer.team_id,
        "status": customer.status or "",
    }


def customer_document(customer: Any, *, tags: str = "") -> SearchDocument:
    """The unsaved document of a customer (name, number, credit code, phone, e-mail, address)."""
    name = search_normalize(customer.name)
    core = company_core(customer.name)
    full_pinyin, initials = pinyin_keys(core)
    phone = phone_digits(customer.phone or "")
    email = search_normalize(customer.email)
    codes = " ".join(
        c for c in (customer.customer_no.lower(), (customer.credit_code or "").lower(), phone) if c
    )
    address = search_normalize(
        " ".join(p for p in (customer.province, customer.city, customer.district) if p)
        + " "
        + (customer.address or "")
    ).strip()
    text = _join(compact(name), core, full_pinyin, initials, codes, email, address, tags)
    return SearchDocument(
        kind=Kind.CUSTOMER,
        object_id=customer.pk,
        title=customer.name[:200],
        subtitle=customer.customer_no,
        name_key=core,
        pinyin=full_pinyin,
        initials=initials,
        phone_rev=phone[::-1][:32],
        email=email[:254],
        codes=codes[:300],
        tags=tags,
        text=text,
        **_scope_of(customer),
    )


def contact_document(contact: Any, *, customer: Any = None, tags: str = "") -> SearchDocument:
    """A contact: name (and its pinyin), mobile and landline, e-mail, WeChat id, address."""
    customer = customer if customer is not None else contact.customer
    name = compact(search_normalize(contact.name))
    full_pinyin, initials = pinyin_keys(name)
    mobile, landline = phone_digits(contact.mobile or ""), phone_digits(contact.landline or "")
    email = search_normalize(contact.email)
    wechat = search_normalize(contact.wechat)
    codes = " ".join(c for c in (mobile, landline, wechat, (contact.qq or "")) if c)
    text = _join(
        name,
        full_pinyin,
        initials,
        codes,
        email,
        search_normalize(contact.address),
        tags,
    )
    return SearchDocument(
        kind=Kind.CONTACT,
        object_id=contact.pk,
        title=contact.name[:200],
        subtitle=f"{customer.name} · {contact.title}" if contact.title else customer.name,
        name_key=name,
        pinyin=full_pinyin,
        initials=initials,
        phone_rev=(mobile or landline)[::-1][:32],
        email=email[:254],
        codes=codes[:300],
        tags=tags,
        text=text,
        **_scope_of(customer),
    )


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


# --- Writing: one document at a time (services) or in bulk (loader, imports, reindex).


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _fts_delete(rows: Sequence[tuple[int, str]]) -> None:
    """Remove (id, old text) pairs from the SQLite FTS5 tables; call before changing the rows."""
    if not rows or not _is_sqlite():
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_fts(search_fts, rowid, text) VALUES('delete', %s, %s)", rows
        )
        grams = [(pk, cjk_grams(text)) for pk, text in rows]
        cursor.executemany(
            "INSERT INTO search_bigram(search_bigram, rowid, grams) VALUES('delete', %s, %s)",
            [g for g in grams if g[1]],
        )


def _fts_insert(rows: Sequence[tuple[int, str]]) -> None:
    if not rows or not _is_sqlite():
        return
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO search_fts(rowid, text) VALUES(%s, %s)", rows)
        grams = [(pk, cjk_grams(text)) for pk, text in rows]
        cursor.executemany(
            "INSERT INTO search_bigram(rowid, grams) VALUES(%s, %s)", [g for g in grams if g[1]]
        )


_FIELDS = [
    f.name
    for f in SearchDocument._meta.concrete_fields
    if f.name not in ("id", "kind", "object_id")
]


def search_index_save(document: SearchDocument) -> SearchDocument:
    """Insert or replace the document of (kind, object_id); keeps its tags when none are given."""
    existing = (
        SearchDocument.objects.filter(kind=document.kind, object_id=document.object_id)
        .only("id", "text", "tags")
        .first()
    )
    if existing is not None and not document.tags and existing.tags:
        document.tags = existing.tags
        document.text = _join(document.text, existing.tags)
    if not _is_sqlite():
        document.grams = cjk_grams(document.text)
    if existing is None:
        document.save(force_insert=True)
    else:
        _fts_delete([(existing.pk, existing.text)])
        document.pk = existing.pk
        document.save(force_update=True, update_fields=_FIELDS)
    _fts_insert([(document.pk, document.text)])
    return document


def search_index_customer(customer: Any) -> None:
    """Index the customer, and carry its owner, team and status to all its documents."""
    search_index_save(customer_document(customer))
    scope = {k: v for k, v in _scope_of(customer).items() if k != "customer_id"}
    same = [Q(**{f"{k}__isnull": True}) if v is None else Q(**{k: v}) for k, v in scope.items()]
    SearchDocument.objects.filter(customer_id=customer.pk).filter(
        ~same[0] | ~same[1] | ~same[2]
    ).update(**scope)


def search_index_contact(contact: Any) -> None:
    search_index_save(contact_document(contact))


def search_index_interaction(interaction: Any) -> None:
    search_index_save(interaction_document(interaction))


def search_unindex(kind: str, object_ids: Iterable[int]) -> int:
    """Drop the documents of these objects (e.g. a deleted contact)."""
    return _delete(SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids)))


def search_unindex_customer(customer_id: int) -> int:
    """Drop a customer's document and those of its contacts and interactions."""
    return _delete(SearchDocument.objects.filter(customer_id=customer_id))


def _delete(queryset: Any) -> int:
    rows = list(queryset.values_list("id", "text"))
    if not rows:
        return 0
    _fts_delete(rows)
    SearchDocument.objects.filter(pk__in=[pk for pk, _text in rows]).delete()
    return len(rows)


def search_set_tags(*, kind: str, object_id: int, tags: Iterable[str]) -> None:
    """Replace the tags of a document (the tags app calls this); they become searchable text."""
    document = SearchDocument.objects.filter(kind=kind, object_id=object_id).first()
    if document is None:
        return
    old_tags = document.tags
    base = document.text
    if old_tags and base.endswith(old_tags):
        base = base[: -len(old_tags)].rstrip(_SEPARATOR)
    new_tags = " ".join(search_normalize(t) for t in tags if t)
    _fts_delete([(document.pk, document.text)])
    document.tags = new_tags
    document.text = _join(base, new_tags)
    document.grams = "" if _is_sqlite() else cjk_grams(document.text)
    document.save(update_fields=["tags", "text", "grams"])
    _fts_insert([(document.pk, document.text)])


def search_index_bulk(documents: Iterable[SearchDocument], *, batch_size: int = 2000) -> int:
    """Insert new documents in batches (the objects must not be indexed yet); returns the count."""
    total = 0
    for batch in _batches(documents, batch_size):
        if not _is_sqlite():
            for document in batch:
                document.grams = cjk_grams(document.text)
        created = SearchDocument.objects.bulk_create(batch)
        _fts_insert([(d.pk, d.text) for d in created])
        total += len(created)
    return total


def search_index_clear() -> None:
    """Empty the index (reindex starts here)."""
    SearchDocument.objects.all().delete()
    if _is_sqlite():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('delete-all')")
            cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('delete-all')")


def _batches(items: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    batch: list[SearchDocument] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
