"""GET /api/v1/customers: tag (repeatable; all / any / none), created and last-contact date
ranges in the user's time zone, and the total count (capped) beside each page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kehu.customers.models import Customer
from kehu.tags.services import tag_apply
from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _names(api: Any, **params: Any) -> list[str]:
    response = api.get("/api/v1/customers", **params)
    assert response.status_code == 200, response.content
    return sorted(c["name"] for c in response.json()["items"])


@pytest.fixture
def three(customer_factory: Any, rep: Any) -> dict[str, Customer]:
    made = {
        "a": customer_factory(name="上海甲方科技有限公司"),
        "b": customer_factory(name="上海乙方贸易有限公司"),
        "c": customer_factory(name="上海丙方物流有限公司"),
    }
    library("制造业")
    tag_apply(actor=rep, customer=made["a"], name="高价值")
    tag_apply(actor=rep, customer=made["a"], name="制造业")
    tag_apply(actor=rep, customer=made["b"], name="高价值")
    return made


def test_tags_all_any_none(api: Any, rep: Any, three: dict[str, Customer]) -> None:
    api.login(rep)
    a, b, c = (three[k].name for k in "abc")
    assert _names(api, tag="高价值") == sorted([a, b])
    assert _names(api, tag=["高价值", "制造业"]) == [a]  # all of them (the default)
    assert _names(api, tag="高价值,制造业") == [a]  # comma-separated works too
    assert _names(api, tag=["制造业", "高价值"], tag_mode="any") == sorted([a, b])
    assert _names(api, tag=["高价值"], tag_mode="none") == [c]


def test_unknown_tag_and_mode_are_named(api: Any, rep: Any, three: dict[str, Customer]) -> None:
    api.login(rep)
    response = api.get("/api/v1/customers", tag=["高价值", "不存在的标签"])
    assert response.status_code == 422
    assert "不存在的标签" in str(response.json()["errors"]["tag"])
    response = api.get("/api/v1/customers", tag="高价值", tag_mode="some")
    assert response.status_code == 422
    assert "tag_mode" in response.json()["errors"]


def test_created_and_last_contact_ranges_are_local_days(
    api: Any, rep: Any, three: dict[str, Customer]
) -> None:
    a, b, c = three["a"], three["b"], three["c"]
    # 1 March 00:30 in Shanghai is 28 February in UTC: the local day counts.
    Customer.objects.filter(pk=a.pk).update(created_at=datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI))
    Customer.objects.filter(pk=b.pk).update(
        created_at=datetime(2026, 2, 28, 23, 30, tzinfo=SHANGHAI)
    )
    api.login(rep)
    assert _names(api, created_from="2026-03-01", created_to="2026-03-01") == [a.name]
    assert _names(api, created_to="2026-02-28") == [b.name]
    assert _names(api, created_from="2026年3月1日", created_to="2026-03-31") == [a.name]
    for customer, when in ((a, "2026-03-10T10:30"), (c, "2026-04-02T09:00")):
        response = api.post(
            f"/api/v1/customers/{customer.customer_no}/interactions",
            {
                "method": "phone",
                "occurred_at": when,
                "topic": "回访",
                "summary": "电话回访",
                "feedback": "interested",
                "next_action": "发资料",
            },
        )
        assert response.status_code == 201, response.content
    assert _names(api, last_contact_from="2026-03-10", last_contact_to="2026-03-10") == [a.name]
    assert _names(api, last_contact_from="2026-04-01") == [c.name]
    assert _names(api, last_contact_to="2026-12-31") == sorted([a.name, c.name])
    response = api.get("/api/v1/customers", created_from="2026-13-01")
    assert response.status_code == 422
    assert "created_from" in response.json()["errors"]


def test_total_is_counted_for_the_filters_and_capped(
    api: Any, rep: Any, outsider: Any, three: dict[str, Customer], monkeypatch: Any
) -> None:
    api.login(rep)
    body = api.get("/api/v1/customers", limit=1).json()
    assert (body["total"], body["total_is_capped"], len(body["items"])) == (3, False, 1)
    body = api.get("/api/v1/customers", tag="高价值", limit=1).json()
    assert (body["total"], body["total_is_capped"]) == (2, False)
    assert api.login(outsider).get("/api/v1/customers").json()["total"] == 0  # not in scope
    monkeypatch.setattr("kehu.core.api_utils.capped_count_arms.__defaults__", (2,))
    body = api.login(rep).get("/api/v1/customers").json()
    assert (body["total"], body["total_is_capped"]) == (2, True)


def test_total_counts_each_customer_once_across_the_scope_branches(
    api: Any, rep: Any, rep2: Any, manager: Any, three: dict[str, Customer], customer_factory: Any
) -> None:
    from kehu.customers.services import customer_return, customer_share

    pooled = customer_factory(actor=rep2, name="上海丁方公海有限公司")
    customer_return(actor=rep2, customer=pooled, reason="暂不跟进")
    customer_share(actor=manager, customer=pooled, user=rep)  # in the pool and shared
    other = customer_factory(actor=rep2, name="上海戊方共享有限公司")
    customer_share(actor=rep2, customer=other, user=rep)
    api.login(rep)
    body = api.get("/api/v1/customers", limit=2).json()
    names = set()
    url_params: dict[str, Any] = {"limit": 2}
    while True:
        page = api.get("/api/v1/customers", **url_params).json()
        names |= {c["name"] for c in page["items"]}
        if not page["next_cursor"]:
            break
        url_params["cursor"] = page["next_cursor"]
    assert body["total"] == len(names) == 5  # 3 own, the shared one, the pooled-and-shared one
    assert api.get("/api/v1/customers", pool="true").json()["total"] == 1
    assert api.get("/api/v1/customers", q="上海丁方").json()["total"] == 1
