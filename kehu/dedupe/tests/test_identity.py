"""The same registered name, credit code, mobile or e-mail always warns, on save and in the scan
(issue 14.4): creating 深圳市华信软件有限公司 again with another contact and phone was saved with no
warning."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.customers.matching import find_matches
from kehu.customers.models import Customer
from kehu.dedupe.scan import scan_customers

EXISTING = {
    "name": "深圳市华信软件有限公司",
    "city": "深圳市",
    "credit_code": "91440300708461136T",
    "email": "info@huaxin-soft.cn",
    "address": "广东省深圳市南山区科技路716号",
    "decision_maker": {
        "name": "王建国",
        "title": "总经理",
        "mobile": "13912345678",
        "email": "wangjg@huaxin-soft.cn",
    },
}
OTHER_PERSON = {"name": "李娜", "title": "采购", "mobile": "13700000001"}


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (
            {"name": "深圳市華信軟件有限公司", "decision_maker": OTHER_PERSON},
            "same registered name (traditional characters, another contact and phone)",
        ),
        (
            {"name": "深圳市 华信软件 有限公司", "city": "广州市", "decision_maker": OTHER_PERSON},
            "same registered name, even with another city typed in",
        ),
        (
            {
                "name": "远景能源",
                "credit_code": "91440300708461136t",
                "decision_maker": OTHER_PERSON,
            },
            "same credit code",
        ),
        (
            {
                "name": "杭州某某贸易有限公司",
                "city": "杭州市",
                "decision_maker": {"name": "赵六", "mobile": "139 1234 5678"},
            },
            "same mobile",
        ),
        (
            {
                "name": "北京另一家公司",
                "city": "北京市",
                "email": "WANGJG@huaxin-soft.cn",
                "decision_maker": OTHER_PERSON,
            },
            "same e-mail",
        ),
    ],  # fmt: skip
)
def test_identity_always_warns_on_save_and_in_the_scan(
    api: Any, rep: Any, customer_factory: Any, payload: dict[str, Any], why: str
) -> None:
    existing = customer_factory(**EXISTING)
    response = api.login(rep).post("/api/v1/dedupe/check", payload)
    body = response.json()
    assert body["action"] == "alert", why
    assert [m["customer_no"] for m in body["matches"]] == [existing.customer_no], why
    reasons = {r["field"]: r for r in body["matches"][0]["explanation"]}
    assert reasons["identity"]["level"] == "shared", why
    second = customer_factory(**payload)
    pairs = {(p.id_a, p.id_b) for p in scan_customers()}
    assert pairs == {(existing.pk, second.pk)}, why


def test_same_brand_in_another_city_is_not_warned(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    """A branch in another city is its own legal entity (registered name differs)."""
    existing = customer_factory(**EXISTING)
    payload = {"name": "广州市华信软件有限公司", "city": "广州市", "decision_maker": OTHER_PERSON}
    body = api.login(rep).post("/api/v1/dedupe/check", payload).json()
    assert body["matches"] == []
    customer_factory(**payload)
    assert [p for p in scan_customers() if existing.pk in (p.id_a, p.id_b)] == []


def test_a_masked_number_still_helps_matching(customer_factory: Any) -> None:
    """An import keeps 139****5678 aside as a partial (issue 14.9): its visible digits count."""
    stored = customer_factory(name="华信软件有限公司", city="深圳市")
    Customer.objects.filter(pk=stored.pk).update(phone_partial="139****5678")
    payload = {
        "name": "华信软件",
        "city": "深圳市",
        "decision_maker": {"name": "赵六", "mobile": "13912345678"},
    }
    [match] = find_matches(payload, threshold=0.0)
    reasons = {r["field"]: r for r in match.explanation()}
    assert reasons["phone"]["level"] == "fits a masked number"
    assert reasons["phone"]["weight"] > 0
    other = {**payload, "decision_maker": {"name": "赵六", "mobile": "13912340000"}}
    [match] = find_matches(other, threshold=0.0)
    assert {r["field"]: r for r in match.explanation()}["phone"]["level"] == "different"
