"""Two reps enter one company, each with their own number and contact, its name written two ways
(北京星辰科技有限公司 / 星辰科技（北京）有限公司 / 北京市星辰科技有限公司): the same core name in the
same city (also when the city is in the name's brackets) is flagged for a look, not saved
silently. The same core name in another city is a branch, not a duplicate."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def xingchen(customer_factory: Any) -> Any:
    return customer_factory(
        name="北京星辰科技有限公司",
        phone="010-62345678",
        decision_maker={"name": "张立", "title": "总经理", "mobile": "13911110001"},
    )


def _check(api: Any, rep: Any, name: str, phone: str) -> dict[str, Any]:
    payload = {
        "name": name,
        "phone": phone,
        "decision_maker": {"name": "李明", "mobile": "13922220002"},
    }
    response = api.login(rep).post("/api/v1/dedupe/check", payload)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["星辰科技（北京）有限公司", "北京市星辰科技有限公司"])
def test_the_same_core_name_in_the_same_city_is_flagged(
    api: Any, rep: Any, xingchen: Any, name: str
) -> None:
    body = _check(api, rep, name, "010-62345679")
    assert [m["customer_no"] for m in body["matches"]] == [xingchen.customer_no], body
    reasons = {r["field"]: r["weight"] for r in body["matches"][0]["explanation"]}
    assert reasons["name"] > 0 and reasons["city"] > 0  # why
    assert reasons["phone"] < 0  # and what speaks against it


def test_the_same_core_name_in_another_city_is_a_branch(api: Any, rep: Any, xingchen: Any) -> None:
    assert _check(api, rep, "星辰科技（上海）有限公司", "021-62345679")["matches"] == []
