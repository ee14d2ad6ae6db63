"""A rep's search covers each branch of what they may see — own customers, customers shared
with them, their team's pool — and nothing else; counts agree with the hits.

Each branch is searched on its own (kehu.search.engines.Arm): the owner and the pool by scope
tokens inside the index (ownerless documents carry a "no owner" token, core migration 0010),
the shares by reading the shared customers' documents."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.core.search_index import search_pool_tokens
from kehu.customers.services import customer_claim, customer_return, customer_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(customer_factory: Any, rep: Any, rep2: Any, outsider: Any) -> dict[str, Any]:
    """For `rep`: own, shared (from the other team), pool (own team); hidden: rep2's own and
    the other team's pool."""

    def make(name: str, actor: Any, mobile: str) -> Any:
        return customer_factory(
            actor=actor,
            name=name,
            decision_maker={"name": "钱多多", "title": "总经理", "mobile": mobile},
        )

    made = {
        "own": make("杭州星辰软件有限公司", rep, "13811112401"),
        "shared": make("南京星辰物流有限公司", outsider, "13811112402"),
        "pool": make("苏州星辰电子有限公司", rep2, "13811112403"),
        "hidden": make("无锡星辰机械有限公司", rep2, "13811112404"),
        "other_pool": make("广州星辰纺织有限公司", outsider, "13811112405"),
    }
    customer_share(actor=outsider, customer=made["shared"], user=rep)
    customer_return(actor=rep2, customer=made["pool"], reason="暂不跟进")
    customer_return(actor=outsider, customer=made["other_pool"], reason="暂不跟进")
    return made


def _search(api: Any, user: Any, q: str, kind: str = "customer") -> tuple[set[str], int]:
    api.login(user)
    response = api.get("/api/v1/search", q=q, limit=20)
    assert response.status_code == 200, response.content
    groups = [g for g in response.json()["groups"] if g["kind"] == kind]
    if not groups:
        return set(), 0
    return {h["title"] for h in groups[0]["hits"]}, groups[0]["count"]


@pytest.mark.parametrize(
    "query",
    [
        "星辰",  # a CJK bigram (the bigram index)
        "星",  # one character
        "星辰科技 星辰",  # no match: nothing from any branch
        "xingchen",  # pinyin (the trigram index)
        "xc",  # initials: a short word, only the key ranges answer
    ],
)
def test_a_rep_finds_own_shared_and_pool_customers_only(
    api: Any, rep: Any, book: dict[str, Any], query: str
) -> None:
    titles, count = _search(api, rep, query)
    if query == "星辰科技 星辰":
        assert (titles, count) == (set(), 0)
        return
    expected = {book[k].name for k in ("own", "shared", "pool")}
    assert titles == expected
    assert count == 3


def test_each_branch_answers_a_word_only_it_holds(api: Any, rep: Any, book: dict[str, Any]) -> None:
    # Not a prefix of a name's core (星辰物流): the substring index answers, not the key ranges.
    assert _search(api, rep, "辰物流") == ({book["shared"].name}, 1)  # the share
    assert _search(api, rep, "辰电子") == ({book["pool"].name}, 1)  # the pool
    assert _search(api, rep, "辰软件") == ({book["own"].name}, 1)
    assert _search(api, rep, "辰机械") == (set(), 0)  # a teammate's own customer
    assert _search(api, rep, "辰纺织") == (set(), 0)  # the other team's pool
    # A contact of the pool customer, by the last four digits of its (masked) mobile.
    assert _search(api, rep, "2403", kind="contact") == ({"钱多多"}, 1)
    assert _search(api, rep, "2404", kind="contact") == (set(), 0)


def test_the_other_team_sees_its_own_pool_not_ours(
    api: Any, outsider: Any, book: dict[str, Any]
) -> None:
    titles, count = _search(api, outsider, "星辰")
    assert titles == {book["shared"].name, book["other_pool"].name}
    assert count == 2


def test_claim_and_return_move_the_pool_token(
    api: Any, rep: Any, rep2: Any, book: dict[str, Any]
) -> None:
    pool = book["pool"]
    customer_claim(actor=rep, customer=pool)
    # rep owns it now; rep2 no longer sees it (neither as a hit nor in the count).
    assert _search(api, rep, "星辰电子") == ({pool.name}, 1)
    assert _search(api, rep2, "星辰电子") == (set(), 0)
    assert pool.name not in _search(api, rep2, "chendianzi")[0]
    customer_return(actor=rep, customer=pool, reason="换人跟进")
    assert _search(api, rep2, "星辰电子") == ({pool.name}, 1)
    assert _search(api, rep2, "辰电子") == ({pool.name}, 1)
    assert _search(api, rep2, "chendianzi") == ({pool.name}, 1)


def test_the_migration_gives_and_takes_the_token(api: Any, rep: Any, book: dict[str, Any]) -> None:
    pool = book["pool"]
    assert search_pool_tokens(forward=False) > 0  # as before migration 0010
    assert _search(api, rep, "辰电子") == (set(), 0)  # the index's pool branch is the token
    assert _search(api, rep, "辰软件") == ({book["own"].name}, 1)
    assert search_pool_tokens() > 0
    assert _search(api, rep, "辰电子") == ({pool.name}, 1)
    assert _search(api, rep, "xingchen")[1] == 3
    search_pool_tokens()  # twice is harmless (SQLite skips what already carries it)
    assert _search(api, rep, "辰电子") == ({pool.name}, 1)
    assert _search(api, rep, "xingchen")[1] == 3
