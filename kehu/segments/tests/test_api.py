"""/api/v1/segments: create, read, change, delete, counts, preview, the customers page; bad
filters are a 422 naming the parameter; only owners (or administrators) change a segment."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import User
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.segments.models import Segment
from kehu.tags.services import tag_apply

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(customer_factory: Any, rep: User, rep2: User) -> list[Customer]:
    made = [
        customer_factory(name="广州甲制造有限公司", province="广东省", status="intent"),
        customer_factory(name="深圳乙制造有限公司", province="广东省", status="intent"),
        customer_factory(name="杭州丙贸易有限公司", province="浙江省", status="intent"),
        customer_factory(actor=rep2, name="广州丁贸易有限公司", province="广东省", status="intent"),
    ]
    tag_apply(actor=None, customer=made[0], name="高价值")
    return made


def create(api: Any, **data: Any) -> Any:
    return api.post("/api/v1/segments", {"name": "广东意向", "query": "province=广东省", **data})


def test_create_list_count_and_customers(api: Any, rep: User, book: list[Customer]) -> None:
    api.login(rep)
    response = create(api, description="华南重点", query="?province=广东省&status=intent&cursor=x")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["params"] == {"province": "广东省", "status": "intent"}  # paging dropped
    assert body["query"] == "province=%E5%B9%BF%E4%B8%9C%E7%9C%81&status=intent"
    assert body["count"] == 2  # the rep's own two; rep2's is not theirs
    assert body["visibility"] == "private"
    assert body["may_change"] is True
    sid = body["id"]
    listed = api.get("/api/v1/segments").json()
    assert [(s["id"], s["count"]) for s in listed] == [(sid, 2)]
    assert api.get(f"/api/v1/segments/{sid}/count").json() == {"count": 2}
    page = api.get(f"/api/v1/segments/{sid}/customers", limit="1").json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["has_more"]
    rest = api.get(f"/api/v1/segments/{sid}/customers", cursor=page["next_cursor"]).json()
    names = {page["items"][0]["name"], rest["items"][0]["name"]}
    assert names == {"广州甲制造有限公司", "深圳乙制造有限公司"}
    # the customer list takes segment= too, and narrows it with the other filters
    listed = api.get("/api/v1/customers", segment=str(sid), q="深圳").json()
    assert [c["name"] for c in listed["items"]] == ["深圳乙制造有限公司"]
    entry = AuditEntry.objects.filter(action="segment.created").get()
    assert entry.changes["name"] == [None, "广东意向"]


def test_preview_counts_without_saving(api: Any, rep: User, book: list[Customer]) -> None:
    api.login(rep)
    response = api.post("/api/v1/segments/preview", {"query": "tag=高价值&tag_mode=any"})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("province=广东省&colour=red", "colour"),  # unknown parameter
        ("status=nonsense", "status"),  # bad value, named by the list's own parser
        ("tag=没有这个标签", "tag"),
        ("cf_nothing=1", "cf_nothing"),
        ("idle_days=abc", "idle_days"),
        ("status=won&status=lost", "status"),  # given twice
        ("", "query"),  # no filter at all
        ("cursor=abc&order=name", "query"),  # only paging and sort
    ],
)
def test_bad_filters_are_422_naming_the_parameter(
    api: Any, rep: User, query: str, field: str
) -> None:
    api.login(rep)
    for response in (
        create(api, query=query),
        api.post("/api/v1/segments/preview", {"query": query}),
    ):
        assert response.status_code == 422, response.content
        assert field in response.json()["errors"], response.json()
    assert not Segment.objects.exists()
    assert not AuditEntry.objects.filter(action="segment.created").exists()


def test_control_characters_never_500(api: Any, rep: User) -> None:
    api.login(rep)
    response = create(api, query="province=\x00广东省\x07")
    assert response.status_code in (201, 422)


def test_patch_and_delete_by_owner_only(
    api: Any, rep: User, rep2: User, manager: User, admin_user: User, book: list[Customer]
) -> None:
    api.login(rep)
    sid = create(api, visibility="team").json()["id"]
    api.login(rep2)  # same team: sees it, counts their own customers, may not change it
    seen = api.get(f"/api/v1/segments/{sid}").json()
    assert seen["count"] == 1 and seen["may_change"] is False
    assert api.patch(f"/api/v1/segments/{sid}", {"name": "改名"}).status_code == 403
    assert api.delete(f"/api/v1/segments/{sid}").status_code == 403
    assert Segment.objects.get(pk=sid).name == "广东意向"
    api.login(rep)
    response = api.patch(
        f"/api/v1/segments/{sid}", {"name": "广东全部", "query": "province=广东省"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "广东全部"
    entry = AuditEntry.objects.filter(action="segment.updated").get()
    assert entry.changes == {"name": ["广东意向", "广东全部"]}
    assert api.patch(f"/api/v1/segments/{sid}", {"query": "bogus=1"}).status_code == 422
    api.login(admin_user)
    assert api.delete(f"/api/v1/segments/{sid}").status_code == 204
    assert not Segment.objects.exists()
    assert AuditEntry.objects.filter(action="segment.deleted").count() == 1


def test_private_segments_are_invisible_to_others(
    api: Any, rep: User, rep2: User, outsider: User, book: list[Customer]
) -> None:
    api.login(rep)
    sid = create(api).json()["id"]
    for other in (rep2, outsider):
        api.login(other)
        assert api.get("/api/v1/segments").json() == []
        assert api.get(f"/api/v1/segments/{sid}").status_code == 404
        assert api.get(f"/api/v1/segments/{sid}/count").status_code == 404
        assert api.get(f"/api/v1/segments/{sid}/customers").status_code == 404
        assert api.get("/api/v1/customers", segment=str(sid)).status_code == 422
        assert api.delete(f"/api/v1/segments/{sid}").status_code == 404
    assert Segment.objects.filter(pk=sid).exists()


def test_who_shares_how_widely(api: Any, rep: User, manager: User, marketing: User) -> None:
    api.login(rep)
    response = create(api, visibility="company")
    assert response.status_code == 422 and "visibility" in response.json()["errors"]
    api.login(marketing)  # in no team: no team to share with
    response = create(api, visibility="team")
    assert response.status_code == 422 and "visibility" in response.json()["errors"]
    assert create(api).status_code == 201  # a private one is fine
    api.login(manager)
    response = create(api, visibility="company")
    assert response.status_code == 201
    api.login(rep)
    assert [s["name"] for s in api.get("/api/v1/segments").json()] == ["广东意向"]


def test_duplicate_name_is_422(api: Any, rep: User) -> None:
    api.login(rep)
    assert create(api).status_code == 201
    response = create(api)
    assert response.status_code == 422 and "name" in response.json()["errors"]


def test_followup_rule_fields(api: Any, rep: User, executive: User) -> None:
    api.login(rep)
    response = create(api, followup_cadence="weekly", followup_due_days=5)
    assert response.status_code == 201, response.content
    rule = response.json()["followup"]
    assert rule["cadence"] == "weekly" and rule["due_days"] == 5 and rule["title"]
    response = create(api, name="x", followup_cadence="daily")
    assert response.status_code == 422 and "followup_cadence" in response.json()["errors"]
    response = create(api, name="y", followup_cadence="weekly", followup_due_days=400)
    assert response.status_code == 422 and "followup_due_days" in response.json()["errors"]
    api.login(executive)  # changes no customer: sets no rule
    response = create(api, followup_cadence="weekly")
    assert response.status_code == 422 and "followup_cadence" in response.json()["errors"]


def test_idle_days_counts_the_never_contacted_too(
    api: Any, rep: User, customer_factory: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    never = customer_factory(name="从未联系有限公司")
    old = customer_factory(name="久未联系有限公司")
    recent = customer_factory(name="最近联系有限公司")
    now = timezone.now()
    # set as the interactions' service would have (tests may write rows directly)
    Customer.objects.filter(pk=old.pk).update(last_interaction_at=now - timedelta(days=200))
    Customer.objects.filter(pk=recent.pk).update(last_interaction_at=now - timedelta(days=10))
    api.login(rep)
    listed = api.get("/api/v1/customers", idle_days="90").json()
    assert sorted(c["name"] for c in listed["items"]) == sorted([never.name, old.name])
    assert api.post("/api/v1/segments/preview", {"query": "idle_days=90"}).json()["count"] == 2
    assert api.post("/api/v1/segments/preview", {"query": "idle_days=300"}).json()["count"] == 1
    assert recent.name not in {c["name"] for c in listed["items"]}
