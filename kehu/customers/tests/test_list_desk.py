"""The list a rep lives in (issue 15): its search box is /search/'s search (pinyin, initials,
phone suffix), every shown column sorts, columns are chosen, and views are saved (personal or
shared with the team) through the page and /api/v1/saved-views."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import User
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer, SavedView
from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db
API = "/api/v1/customers"


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["customer_no"] for c in response.json()["items"]]


@pytest.fixture
def three(customer_factory: Any) -> dict[str, Customer]:
    return {
        "huaxin": customer_factory(
            name="深圳市华信软件有限公司",
            decision_maker={"name": "李明", "title": "总经理", "mobile": "13912345678"},
        ),
        "dingfang": customer_factory(name="上海丁方贸易有限公司", status="intent"),
        "beigang": customer_factory(name="北港物流有限公司"),
    }


@pytest.mark.parametrize(
    ("query", "key"),
    [("huaxin", "huaxin"), ("hxrj", "huaxin"), ("5678", "huaxin"), ("丁方", "dingfang")],
)
def test_search_box_finds_by_pinyin_initials_and_phone_suffix(
    api: Any, client: Client, three: dict[str, Customer], rep: User, query: str, key: str
) -> None:
    assert numbers(api.login(rep).get(API, q=query)) == [three[key].customer_no]
    html = client.get("/customers/", {"q": query}).content.decode()
    assert three[key].name in html
    assert all(c.name not in html for k, c in three.items() if k != key)


def test_search_box_keeps_the_other_filters_and_the_scope(
    api: Any, three: dict[str, Customer], rep: User, outsider: User, customer_factory: Any
) -> None:
    customer_factory(actor=outsider, name="深圳市华信软件分公司有限公司")
    api.login(rep)
    assert numbers(api.get(API, q="huaxin")) == [three["huaxin"].customer_no]
    assert numbers(api.get(API, q="huaxin", status="intent")) == []
    assert api.get(API, q="huaxin").json()["total"] == 1


@pytest.mark.parametrize("column", ["status", "industry", "owner", "team", "last_interaction"])
def test_every_sortable_column_sorts_both_ways(
    api: Any, three: dict[str, Customer], rep: User, column: str
) -> None:
    api.login(rep)
    up, down = numbers(api.get(API, order=column)), numbers(api.get(API, order=f"-{column}"))
    assert sorted(up) == sorted(down) == sorted(c.customer_no for c in three.values())
    if column == "status":
        assert up[0] == three["dingfang"].customer_no  # "intent" sorts before "lead"
        assert down[-1] == three["dingfang"].customer_no


def test_sort_by_status_pages_through_everything(
    api: Any, customer_factory: Any, rep: User, settings: Any
) -> None:
    for i in range(7):
        customer_factory(name=f"翻页测试{i}有限公司", status="intent" if i % 2 else "lead")
    api.login(rep)
    seen, cursor = [], None
    while True:
        params = {"order": "status", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get(API, **params).json()
        seen += [(c["status"], c["customer_no"]) for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 and seen == sorted(seen)


def test_headers_sort_and_columns_are_chosen(
    client: Client, three: dict[str, Customer], rep: User
) -> None:
    client.force_login(rep)
    html = client.get("/customers/").content.decode()
    for key in ("sort-name", "sort-status", "sort-owner", "sort-last_interaction"):
        assert f'id="{key}"' in html
    assert 'id="sort-team"' not in html  # not a default column
    chosen = client.get("/customers/", {"cols": ["team", "region"]}).content.decode()
    assert 'id="sort-team"' in chosen and 'class="col-region"' in chosen
    assert 'id="sort-status"' not in chosen
    assert client.get("/customers/", {"cols": "team,source"}).status_code == 200
    assert (
        'class="col-source"' in client.get("/customers/", {"cols": "team,source"}).content.decode()
    )


def test_save_a_view_on_the_page_and_open_it(
    client: Client, three: dict[str, Customer], rep: User, rep2: User
) -> None:
    client.force_login(rep)
    response = client.post(
        "/saved-views/",
        {"name": "我的意向客户", "query": "status=intent&order=-name&cols=status&cols=team"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(owner=rep)
    assert view.team_id is None
    assert dict(x.split("=") for x in view.query.split("&")) == {
        "cols": "status%2Cteam",
        "order": "-name",
        "status": "intent",
    }
    opened = client.get(response["Location"]).content.decode()
    assert three["dingfang"].name in opened and three["huaxin"].name not in opened
    assert "我的意向客户" in opened and 'id="sort-team"' in opened
    assert AuditEntry.objects.filter(action="saved_view.saved").count() == 1
    client.force_login(rep2)
    assert "我的意向客户" not in client.get("/customers/").content.decode()


def test_shared_view_reaches_the_team_and_only_its_owner_deletes_it(
    api: Any, rep: User, rep2: User, outsider: User, three: dict[str, Customer]
) -> None:
    api.login(rep)
    made = api.post(
        "/api/v1/saved-views",
        {"name": "团队新线索", "params": {"status": "lead", "order": "owner"}, "shared": True},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["shared"] is True and body["params"] == {"order": "owner", "status": "lead"}
    assert body["url"].startswith("/customers/?")
    api.login(rep2)
    assert [v["name"] for v in api.get("/api/v1/saved-views").json()] == ["团队新线索"]
    assert api.delete(f"/api/v1/saved-views/{body['id']}").status_code == 403
    api.login(outsider)
    assert api.get("/api/v1/saved-views").json() == []
    assert api.delete(f"/api/v1/saved-views/{body['id']}").status_code == 404
    api.login(rep)
    assert api.delete(f"/api/v1/saved-views/{body['id']}").status_code == 204
    assert not SavedView.objects.exists()
    assert AuditEntry.objects.filter(action="saved_view.deleted").count() == 1


def test_bad_views_are_refused_naming_the_field(api: Any, rep: User, manager: User) -> None:
    api.login(rep)
    errors = api.post("/api/v1/saved-views", {"name": "", "params": {}}).json()["errors"]
    assert "name" in errors
    bad = api.post("/api/v1/saved-views", {"name": "x", "params": {"status": "nonsense"}})
    assert bad.status_code == 422 and "status" in bad.json()["errors"]
    order = api.post("/api/v1/saved-views", {"name": "x", "params": {"order": "colour"}})
    assert "order" in order.json()["errors"]
    api.post("/api/v1/saved-views", {"name": "同名", "params": {"status": "lead"}})
    api.post("/api/v1/saved-views", {"name": "同名", "params": {"status": "intent"}})
    assert SavedView.objects.get(name="同名").query == "status=intent"


def test_names_sort_in_pinyin_order(
    api: Any, client: Client, customer_factory: Any, rep: User
) -> None:
    for name in ("中国测试有限公司", "北京测试有限公司", "阿里测试有限公司", "Acme Trading Ltd"):
        customer_factory(name=name)
    api.login(rep)
    names = [c["name"] for c in api.get(API, order="name").json()["items"]]
    assert names == ["阿里测试有限公司", "Acme Trading Ltd", "北京测试有限公司", "中国测试有限公司"]
    assert [c["name"] for c in api.get(API, order="-name").json()["items"]] == names[::-1]
    client.force_login(rep)
    html = client.get("/customers/", {"order": "name"}).content.decode()
    assert html.index("阿里测试") < html.index("北京测试") < html.index("中国测试")


def test_applying_filters_keeps_a_sort_chosen_from_a_header(
    client: Client, three: dict[str, Customer], rep: User
) -> None:
    client.force_login(rep)
    html = client.get("/customers/", {"order": "-team"}).content.decode()
    assert '<option value="-team" selected>' in html


def test_tags_typed_with_chinese_separators_filter_as_a_list(
    api: Any, three: dict[str, Customer], rep: User
) -> None:
    api.login(rep)
    library("重点")  # tags come from the library (issue 17)
    for key, tag in (("huaxin", "重点"), ("dingfang", "展会")):
        body = {"customer_nos": [three[key].customer_no], "action": "tag", "tags": [tag]}
        assert api.post("/api/v1/customers/bulk", body).status_code == 200
    found = numbers(api.get(API, tag="重点，展会", tag_mode="any"))
    assert sorted(found) == sorted([three["huaxin"].customer_no, three["dingfang"].customer_no])
