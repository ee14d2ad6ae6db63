"""Each query kind, ranking, visibility and capped counts, through search_for (both databases)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.conftest import next_mobile
from kehu.core.search_index import search_set_tags
from kehu.customers.services import contact_create, customer_update
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD
from kehu.search import selectors
from kehu.search.selectors import search_for

pytestmark = pytest.mark.django_db


def titles(results: Any, kind: str) -> list[str]:
    for group in results.groups:
        if group.kind == kind:
            return [hit.title for hit in group.hits]
    return []


def matches(results: Any, kind: str) -> list[str]:
    for group in results.groups:
        if group.kind == kind:
            return [hit.match for hit in group.hits]
    return []


@pytest.mark.parametrize(
    ("query", "kind", "title", "match"),
    [
        ("腾讯", "customer", "深圳市腾讯科技有限公司", "prefix"),  # two characters
        ("讯科", "customer", "深圳市腾讯科技有限公司", "partial"),  # two, mid-word
        ("腾讯科技", "customer", "深圳市腾讯科技有限公司", "exact"),  # four
        ("深圳市腾讯", "customer", "深圳市腾讯科技有限公司", "partial"),
        ("騰訊科技", "customer", "深圳市腾讯科技有限公司", "exact"),  # traditional
        ("tengxun", "customer", "深圳市腾讯科技有限公司", "prefix"),  # pinyin
        ("TengXunKeJi", "customer", "深圳市腾讯科技有限公司", "exact"),
        ("txkj", "customer", "深圳市腾讯科技有限公司", "exact"),  # initials
        ("91440300708461136T", "customer", "深圳市腾讯科技有限公司", "exact"),  # credit code
        ("南山区科技园", "customer", "深圳市腾讯科技有限公司", "partial"),  # address
        ("马化腾", "contact", "马化腾", "exact"),
        ("mahuateng", "contact", "马化腾", "exact"),
        ("mht", "contact", "马化腾", "exact"),
        ("5678", "contact", "马化腾", "prefix"),  # phone suffix, 4 digits
        ("345678", "contact", "马化腾", "prefix"),
        ("139 1234 5678", "contact", "马化腾", "exact"),
        ("jianguo.wa", "contact", "王建国", "prefix"),  # e-mail prefix
        ("jianguo.wang@tencent.com", "contact", "王建国", "exact"),
        ("wx_jianguo", "contact", "王建国", "prefix"),  # WeChat id
        ("tengxn", "customer", "深圳市腾讯科技有限公司", "fuzzy"),  # a typo
        ("tencent.com", "contact", "王建国", "partial"),  # a domain
    ],
)
def test_query_kinds(company: Any, rep: Any, query: str, kind: str, title: str, match: str) -> None:
    results = search_for(rep, query)
    assert titles(results, kind)[:1] == [title]
    assert matches(results, kind)[0] == match


def test_customer_number(company: Any, rep: Any) -> None:
    results = search_for(rep, company.customer_no.lower())
    assert titles(results, "customer") == [company.name]
    assert matches(results, "customer") == ["exact"]


def test_english_name_with_punctuation(customer_factory: Any, rep: Any) -> None:
    customer_factory(name="Beijing Zhifang Machinery Inc.")
    customer_factory(name="Xinan Information Technology (Zhengzhou) Co.,Ltd")
    for query in ("Beijing Zhifang Machinery Inc.", "zhifang machinery inc"):
        assert titles(search_for(rep, query), "customer") == ["Beijing Zhifang Machinery Inc."]
    query = "Xinan Information Technology (Zhengzhou) Co.,Ltd"
    assert titles(search_for(rep, query), "customer") == [query]


def test_interaction_summary(company: Any, rep: Any) -> None:
    interaction_log(
        actor=rep,
        customer=company,
        data={
            **STANDARD,
            "method": "phone",
            "topic": "续约",
            "summary": "客户希望下季度扩容云服务器",
        },
    )
    assert titles(search_for(rep, "云服务器"), "interaction") == ["续约"]
    assert titles(search_for(rep, "扩容"), "interaction") == ["续约"]


def test_tags_plug_into_documents(company: Any, rep: Any) -> None:
    search_set_tags(kind="customer", object_id=company.pk, tags=["重点客户", "VIP"])
    assert titles(search_for(rep, "重点"), "customer") == [company.name]
    assert titles(search_for(rep, "vip"), "customer") == [company.name]
    customer_update(actor=rep, customer=company, data={"address": "深圳市福田区"})
    assert titles(search_for(rep, "重点客户"), "customer") == [company.name], "tags survive"
    search_set_tags(kind="customer", object_id=company.pk, tags=[])
    assert search_for(rep, "重点客户").groups == []


def test_ranking_exact_then_prefix_then_partial(customer_factory: Any, rep: Any) -> None:
    customer_factory(name="上海华信软件有限公司")  # partial for 华信 (core name 华信软件... prefix)
    customer_factory(name="北京中华信息技术有限公司")  # partial
    customer_factory(name="华信")  # exact
    customer_factory(name="华信软件")  # prefix
    results = search_for(rep, "华信")
    assert titles(results, "customer") == [
        "华信",
        "华信软件",
        "上海华信软件有限公司",
        "北京中华信息技术有限公司",
    ]
    assert matches(results, "customer") == ["exact", "prefix", "prefix", "partial"]


def test_rep_never_sees_another_teams_customer(
    company: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    customer_factory(actor=outsider, name="广州腾讯分公司")
    mine = search_for(rep, "腾讯")
    assert titles(mine, "customer") == ["深圳市腾讯科技有限公司"]
    assert mine.total == 1
    theirs = search_for(outsider, "腾讯")
    assert titles(theirs, "customer") == ["广州腾讯分公司"]
    assert theirs.total == 1
    assert search_for(outsider, "马化腾").groups == []
    assert search_for(outsider, "5678").groups == []


def test_roles(company: Any, rep2: Any, manager: Any, support: Any, marketing: Any) -> None:
    assert search_for(rep2, "腾讯").groups == [], "another rep of the team: not owner"
    assert titles(search_for(manager, "腾讯"), "customer") == [company.name]
    assert titles(search_for(marketing, "腾讯"), "customer") == [company.name]  # a lead
    assert search_for(support, "腾讯").groups == []  # not won


@pytest.mark.parametrize("query", ["腾讯科技", "tengxun", "jianguo"])
def test_roles_on_the_trigram_index(
    query: str,
    company: Any,
    rep: Any,
    rep2: Any,
    manager: Any,
    support: Any,
    marketing: Any,
    outsider: Any,
    admin_user: Any,
) -> None:
    """Words of 3+ characters take the trigram index, scoped inside it (owner, team) or by SQL."""
    assert search_for(rep, query).total >= 1
    for user in (manager, marketing, admin_user):
        assert search_for(user, query).total == search_for(rep, query).total
    for user in (rep2, support, outsider):
        assert search_for(user, query).groups == []


def test_anonymous_sees_nothing(company: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert search_for(AnonymousUser(), "腾讯").groups == []


def test_counts_are_capped(monkeypatch: Any, customer_factory: Any, rep: Any) -> None:
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    for index in range(5):
        customer_factory(name=f"杭州云栖{index}号科技有限公司")
    results = search_for(rep, "云栖", limit=2)
    group = results.groups[0]
    assert group.count == 3 and group.is_capped
    assert group.count_label == "3+"
    assert len(group.hits) == 2


def test_blank_and_odd_queries(company: Any, rep: Any) -> None:
    assert search_for(rep, "   ").groups == []
    assert search_for(rep, '"%_\\').groups == []
    assert search_for(rep, "x" * 500).groups == []


def test_contact_found_after_create(company: Any, rep: Any) -> None:
    contact_create(actor=rep, customer=company, data={"name": "張小龍", "mobile": next_mobile()})
    assert titles(search_for(rep, "张小龙"), "contact") == ["張小龍"]
    assert titles(search_for(rep, "zxl"), "contact") == ["張小龍"]
