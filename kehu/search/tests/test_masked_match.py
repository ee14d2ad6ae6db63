"""Issue 14.17: search matches a value only as far as the user may see it.

A phone-suffix search rebuilt a masked 139****2166 in 301 requests with no audited reveal. The
executive sees every customer, with phones and e-mails masked; the owner sees them whole.
"""

from __future__ import annotations

from typing import Any

import pytest

from kehu.audit.models import AuditEntry, ReadEntry

pytestmark = pytest.mark.django_db

MOBILE = "13912342166"


@pytest.fixture
def masked(customer_factory: Any) -> Any:
    """The rep's customer; its decision maker's mobile is 139 1234 2166."""
    return customer_factory(
        name="深圳市掩码测试有限公司",
        email="buyer.wang@jiayi.cn",
        decision_maker={"name": "王建国", "title": "总经理", "mobile": MOBILE},
    )


def _total(api: Any, q: str) -> int:
    response = api.get("/api/v1/search", q=q, limit=50)
    assert response.status_code == 200, response.content
    return int(response.json()["total"])


def _numbers(api: Any, q: str) -> set[str]:
    groups = api.get("/api/v1/search", q=q, limit=50).json()["groups"]
    return {hit["customer_no"] for group in groups for hit in group["hits"]}


def test_a_masked_number_cannot_be_rebuilt_digit_by_digit(
    api: Any, executive: Any, masked: Any
) -> None:
    api.login(executive)
    assert _total(api, "2166") == 1  # the last four digits are shown: they may be matched
    assert _total(api, "139") == 1  # so are the first three
    # The attack: guess the digit before the visible four, then the next, ...
    for digit in "0123456789":
        assert _total(api, f"{digit}2166") == 0
    for guess in ("1234", "391234", "1391234", "34216", MOBILE):
        assert _total(api, guess) == 0, guess  # neither a hit nor a count
    assert _total(api, "掩码测试") == 1  # the name is not masked


def test_a_masked_e_mail_matches_on_what_the_mask_shows(
    api: Any, executive: Any, masked: Any
) -> None:
    api.login(executive)  # sees b***@jiayi.cn
    assert _total(api, "jiayi.cn") == 1
    for guess in ("buyer", "uyer.wang", "buyer.wang@jiayi.cn", "wang@jiayi"):
        assert _total(api, guess) == 0, guess


def test_the_owner_matches_on_the_whole_number(api: Any, rep: Any, masked: Any) -> None:
    api.login(rep)
    for query in ("42166", "1391234", MOBILE, "buyer.wang"):
        assert _total(api, query) == 1, query


def test_a_whole_number_finds_its_customer_for_a_revealer_and_is_audited_as_a_reveal(
    api: Any, executive: Any, masked: Any
) -> None:
    executive.can_reveal_pii = True
    executive.save()
    api.login(executive)
    response = api.get("/api/v1/search", q=MOBILE, limit=50).json()
    hits = [hit for group in response["groups"] for hit in group["hits"]]
    assert [(h["kind"], h["match"]) for h in hits] == [("contact", "exact")]
    assert hits[0]["customer_no"] == masked.customer_no
    reveal = AuditEntry.objects.get(action="field.revealed")
    assert reveal.customer_id == masked.pk and reveal.changes == {
        "field": "mobile",
        "via": "search",
    }
    assert ReadEntry.objects.filter(kind="reveal", customer_id=masked.pk, actor=executive).exists()
    # A part of the number is still no match, even for a revealer.
    assert _total(api, "42166") == 0
    assert AuditEntry.objects.filter(action="field.revealed").count() == 1


def test_the_search_page_follows_the_same_rule(client: Any, executive: Any, masked: Any) -> None:
    client.force_login(executive)
    assert "掩码测试" in client.get("/search/", {"q": "2166"}).content.decode()
    assert "掩码测试" not in client.get("/search/", {"q": "42166"}).content.decode()


def test_a_rep_matches_a_shared_customer_as_masked_and_own_ones_whole(
    api: Any, rep: Any, rep2: Any, customer_factory: Any
) -> None:
    shared = customer_factory(
        actor=rep2,
        name="共享掩码测试有限公司",
        decision_maker={"name": "李共享", "title": "经理", "mobile": "13712345599"},
    )
    own = customer_factory(
        name="自有掩码测试有限公司",
        decision_maker={"name": "王自有", "title": "经理", "mobile": "13612345599"},
    )
    response = api.login(rep2).post(
        f"/api/v1/customers/{shared.customer_no}/shares", {"user": "rep"}
    )
    assert response.status_code in (200, 201), response.content
    api.login(rep)
    assert _numbers(api, "5599") == {shared.customer_no, own.customer_no}  # the last four
    assert _numbers(api, "45599") == {own.customer_no}  # a hidden digit: only where seen whole
    assert _total(api, "45599") == 1
