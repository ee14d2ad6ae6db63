"""Issue 19: the search documents hold no phone, e-mail, id or address in clear; blind terms find
them (whole, prefix, suffix, domain, address words)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kehu.core.models import SearchDocument
from kehu.search.selectors import customer_ids_matching, search_for

pytestmark = pytest.mark.django_db

MOBILE, EMAIL, WECHAT, QQ = "13912348866", "li.lei@hanmeimei.cn", "wx_lilei2026", "88776655"
_KEYED_WORD = re.compile(r"(?<![\w.@])(?:h[0-9a-f]{16}|x[a-z][0-9a-f]+)(?![\w.@])")


@pytest.fixture
def lilei(customer_factory: Any) -> Any:
    return customer_factory(
        name="广州盲词测试有限公司",
        phone="02087654321",
        email="office@blindterm.cn",
        address="广州市天河区珠江新城花城大道",
        decision_maker={
            "name": "李雷",
            "title": "经理",
            "mobile": MOBILE,
            "email": EMAIL,
            "wechat": WECHAT,
            "qq": QQ,
        },
    )


def test_the_documents_hold_no_personal_value(lilei: Any) -> None:
    columns = ("title", "subtitle", "name_key", "pinyin", "initials", "codes", "text", "grams")
    stored = "\n".join(
        str(value)
        for row in SearchDocument.objects.filter(customer_id=lilei.pk).values_list(*columns)
        for value in row
    )
    # Keyed terms ('h' + 16 hex digits) and PostgreSQL's scope words ('x', a letter, an id or a
    # checksum) are set aside first: their digits may hold "8866" by chance.
    clear = _KEYED_WORD.sub(" ", stored)
    for value in (MOBILE, "8866", EMAIL, "hanmeimei", WECHAT, QQ, "87654321", "office", "花城"):
        assert value not in clear, value
    assert "李雷" in stored and "lilei" in stored  # names stay searchable
    tokens = SearchDocument.objects.get(kind="contact", customer_id=lilei.pk).tokens
    assert len(tokens.split()) > 30 and MOBILE not in tokens


@pytest.mark.parametrize(
    ("query", "match"),
    [
        (MOBILE, "exact"),
        ("139 1234 8866", "exact"),
        ("+86 139 1234 8866", "exact"),
        ("8866", "prefix"),  # the last four
        ("348866", "prefix"),  # a longer suffix
        ("1391234", "prefix"),  # a prefix
        (EMAIL.upper(), "exact"),
        ("li.le", "prefix"),  # the e-mail's local part
        ("hanmeimei.cn", "partial"),  # its domain
        (WECHAT, "exact"),
        ("wx_lil", "prefix"),
        (QQ, "exact"),
    ],
)
def test_the_owner_finds_a_contact_by_its_details(
    lilei: Any, rep: Any, query: str, match: str
) -> None:
    results = search_for(rep, query)
    contacts = [g for g in results.groups if g.kind == "contact"]
    assert contacts and contacts[0].hits[0].title == "李雷", query
    assert contacts[0].hits[0].match == match, query
    assert lilei.pk in customer_ids_matching(rep, query)


def test_the_customer_is_found_by_its_phone_e_mail_and_address(lilei: Any, rep: Any) -> None:
    for query in ("020 8765 4321", "4321", "office@blindterm.cn", "珠江新城", "天河区珠江"):
        hits = [h.customer_id for g in search_for(rep, query).groups for h in g.hits]
        assert lilei.pk in hits, query


def test_middle_digits_and_other_parts_are_not_searchable(lilei: Any, rep: Any) -> None:
    """What the blind terms give up: a part of a value that is neither its start nor its end."""
    for query in ("1234", "912348", "lei@hanmei", "lilei2026"):
        assert search_for(rep, query).total == 0, query
