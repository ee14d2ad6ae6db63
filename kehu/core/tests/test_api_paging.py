"""Every paged list of the API is built by kehu.core.api_utils.paged (issue 13.7): the same
{items, next_cursor, has_more} shape, the same cursor rules, written in one place."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD


def test_no_api_module_writes_a_page_by_hand():
    modules = [p for p in Path(settings.BASE_DIR).rglob("*api*.py") if "tests" not in p.parts]
    assert modules, "no API modules found"
    by_hand = [
        str(p.relative_to(settings.BASE_DIR))
        for p in modules
        if '"has_more":' in p.read_text(encoding="utf-8") and p.name != "api_utils.py"
    ]
    assert by_hand == []


def test_a_list_pages_with_its_cursor_to_the_end(api, rep, customer_factory):
    customer = customer_factory(name="翻页测试有限公司")
    for topic in ("一", "二", "三"):
        interaction_log(
            actor=rep, customer=customer, data={**STANDARD, "method": "phone", "topic": topic}
        )
    url = f"/api/v1/customers/{customer.customer_no}/interactions"
    api.login(rep)
    first = api.get(url, limit=2).json()
    assert set(first) == {"items", "next_cursor", "has_more"}
    assert len(first["items"]) == 2 and first["has_more"] is True and first["next_cursor"]
    second = api.get(url, limit=2, cursor=first["next_cursor"]).json()
    assert len(second["items"]) == 1
    assert (second["has_more"], second["next_cursor"]) == (False, None)
    seen = {i["interaction_no"] for i in first["items"] + second["items"]}
    assert len(seen) == 3


def test_a_bad_cursor_or_limit_names_the_field(api, rep, customer_factory):
    customer = customer_factory(name="翻页测试有限公司")
    url = f"/api/v1/customers/{customer.customer_no}/contacts"
    api.login(rep)
    bad_cursor = api.get(url, cursor="not-a-cursor")
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.json()["errors"]
    bad_limit = api.get(url, limit=0)
    assert bad_limit.status_code == 422 and "limit" in bad_limit.json()["errors"]
