"""Issue 14.17: the list's filters match a value only as far as the user may see it.

Support bisected an exact budget with budget_min/budget_max in 18 requests; the list's simple
search matched phone suffixes of customers whose phones the user sees masked.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _numbers(api: Any, **params: Any) -> list[str]:
    response = api.get("/api/v1/customers", **params)
    assert response.status_code == 200, response.content
    return [item["customer_no"] for item in response.json()["items"]]


@pytest.fixture
def won(customer_factory: Any) -> Any:
    """A won customer (support sees those) with an exact budget of 123,456 yuan (band 10-50万)."""
    return customer_factory(
        name="预算分档测试有限公司", status="won", budget_amount="123456", phone="13912342166"
    )


def test_support_filters_budgets_by_band_and_cannot_bisect(api: Any, support: Any, won: Any):
    api.login(support)
    # Every probe inside the 10-50万 band gives the same answer: nothing to bisect.
    for probe in ("100000", "123455", "123456", "123457", "499999"):
        assert _numbers(api, budget_min=probe) == [won.customer_no], probe
        assert _numbers(api, budget_max=probe) == [won.customer_no], probe
    assert _numbers(api, budget_min="500000") == []  # the next band up
    assert _numbers(api, budget_max="99999") == []  # the band below
    assert _numbers(api, budget_min="10万", budget_max="50万") == [won.customer_no]
    bad = api.get("/api/v1/customers", budget_min="很多")
    assert bad.status_code == 422 and "budget_min" in bad.json()["errors"]


def test_support_cannot_sort_by_the_exact_budget(api: Any, support: Any, won: Any) -> None:
    """A sorted page's cursor carries the last row's value: the exact budget."""
    response = api.login(support).get("/api/v1/customers", order="-budget_amount", limit=1)
    assert response.status_code == 422 and "order" in response.json()["errors"]


def test_others_still_filter_and_sort_by_the_exact_amount(
    api: Any, rep: Any, won: Any, manager: Any
) -> None:
    api.login(manager)
    assert _numbers(api, budget_min="123456") == [won.customer_no]
    assert _numbers(api, budget_min="123457") == []
    assert _numbers(api, budget_max="123455") == []
    page = api.get("/api/v1/customers", order="-budget_amount", limit=1).json()
    assert page["items"][0]["customer_no"] == won.customer_no


def test_the_list_search_matches_phones_only_where_they_are_seen_whole(
    api: Any, client: Any, rep: Any, executive: Any, support: Any, won: Any
) -> None:
    for user in (executive, support):  # both see the customer, its phone masked
        api.login(user)
        assert _numbers(api, q="预算分档") == [won.customer_no]
        for probe in ("1234 2166", "3912342166", "13912342166"):
            assert _numbers(api, q=probe) == [], (user, probe)
        page = client.get("/customers/", {"q": "3912342166"}).content.decode()
        assert won.customer_no not in page
    api.login(rep)  # the owner
    assert _numbers(api, q="3912342166") == [won.customer_no]


def test_the_list_search_matches_e_mails_only_where_they_are_seen_whole(
    api: Any, customer_factory: Any, rep: Any, executive: Any
) -> None:
    customer = customer_factory(name="邮箱匹配测试有限公司", email="buyer@jiayi.cn")
    assert _numbers(api.login(executive), q="buyer@jiayi.cn") == []
    assert _numbers(api.login(rep), q="buyer@jiayi.cn") == [customer.customer_no]
