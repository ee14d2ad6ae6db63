"""A segment's count is the customer list's count as the caller sees it: under every role's
visibility (own, team, shared, team pool, all, won only, prospects only) the segment's count,
GET /api/v1/customers?<its filters>, ?segment=<id> and /segments/<id>/customers agree."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role, Team, User
from kehu.conftest import make_user
from kehu.customers.models import Customer
from kehu.customers.services import customer_assign_pool, customer_share
from kehu.interactions.services import interaction_log
from kehu.segments.models import Segment
from kehu.tags.services import tag_apply
from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db

QUERIES = [
    "status=intent&province=广东省",
    "status=won",
    "province=广东省",
    "tag=高价值&tag=重点&tag_mode=any",
    "tag=高价值&tag_mode=none",
    "idle_days=90",
    "status=lead,intent&industry=制造业",
    "owner=me",
]


@pytest.fixture
def world(
    customer_factory: Any,
    rep: User,
    rep2: User,
    manager: User,
    outsider: User,
    team_east: Team,
) -> list[Customer]:
    made: list[Customer] = []
    boss = make_user("world-admin", Role.ADMIN)
    statuses = ["lead", "intent", "won", "intent", "lost"]
    provinces = ["广东省", "浙江省", "广东省"]
    library("重点")  # 高价值 is a preset
    for actor, n in ((rep, 8), (rep2, 5), (outsider, 6), (manager, 3)):
        for i in range(n):
            customer = customer_factory(
                actor=actor if statuses[i % 5] not in ("won", "lost") else boss,
                owner=actor.username,
                name=f"{actor.username}{i}号制造有限公司",
                status=statuses[i % 5],
                province=provinces[i % 3],
                industry="制造业" if i % 2 else "批发和零售业",
            )
            made.append(customer)
            if i % 3 == 0:
                tag_apply(actor=None, customer=customer, name="高价值")
            if i % 4 == 1:
                tag_apply(actor=None, customer=customer, name="重点")
            if i % 2:
                interaction_log(
                    actor=None,
                    customer=customer,
                    data={
                        "method": "phone",
                        "topic": "回访",
                        "summary": "电话沟通",
                        "feedback": "interested",
                        "next_action": "发资料",
                        **({"occurred_at": "2025-01-05T10:00"} if i % 4 == 1 else {}),
                    },
                )
    south = [c for c in made if c.owner_id == outsider.pk]
    customer_share(actor=outsider, customer=south[1], user=rep)  # shared with the rep
    pooled = [c for c in made if c.owner_id == manager.pk][0]
    customer_assign_pool(actor=manager, customer=pooled, team=team_east)  # the east pool
    return made


def _count_everywhere(api: Any, segment_id: int, query: str) -> set[int]:
    from urllib.parse import parse_qsl

    params: dict[str, Any] = {}
    for key, value in parse_qsl(query):
        params.setdefault(key, []).append(value)
    listed = api.client.get("/api/v1/customers", params)
    assert listed.status_code == 200, listed.content
    by_segment = api.get("/api/v1/customers", segment=str(segment_id)).json()
    customers = api.get(f"/api/v1/segments/{segment_id}/customers").json()
    count = api.get(f"/api/v1/segments/{segment_id}/count").json()["count"]
    detail = api.get(f"/api/v1/segments/{segment_id}").json()["count"]
    return {listed.json()["total"], by_segment["total"], customers["total"], count, detail}


@pytest.mark.parametrize(
    "role", ["rep", "manager", "executive", "support", "marketing", "steward", "admin", "outsider"]
)
def test_segment_counts_equal_list_counts(
    api: Any,
    world: list[Customer],
    role: str,
    rep: User,
    manager: User,
    outsider: User,
    team_east: Team,
) -> None:
    users = {
        "rep": rep,
        "manager": manager,
        "outsider": outsider,
        "executive": make_user("exec", Role.EXECUTIVE),
        "support": make_user("sup", Role.SUPPORT),
        "marketing": make_user("mkt", Role.MARKETING),
        "steward": make_user("stew", Role.STEWARD),
        "admin": make_user("adm", Role.ADMIN),
    }
    owner = make_user("segment-owner", Role.MANAGER, team_east)
    api.login(owner)
    ids = []
    for i, query in enumerate(QUERIES):
        response = api.post(
            "/api/v1/segments", {"name": f"分群{i}", "query": query, "visibility": "company"}
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    user = users[role]
    api.login(user)
    listed = {s["id"]: s["count"] for s in api.get("/api/v1/segments").json()}
    nonzero = 0
    for segment_id, query in zip(ids, QUERIES, strict=True):
        counts = _count_everywhere(api, segment_id, query)
        assert len(counts) == 1, (role, query, counts)
        assert listed[segment_id] in counts
        nonzero += bool(counts.pop())
    assert nonzero > 0  # every role sees some of it
    assert Segment.objects.count() == len(QUERIES)


def test_shared_segment_counts_for_the_reader_not_the_owner(
    api: Any, world: list[Customer], rep: User, manager: User
) -> None:
    api.login(manager)
    sid = api.post(
        "/api/v1/segments", {"name": "全部广东", "query": "province=广东省", "visibility": "team"}
    ).json()["id"]
    manager_count = api.get(f"/api/v1/segments/{sid}/count").json()["count"]
    api.login(rep)
    rep_count = api.get(f"/api/v1/segments/{sid}/count").json()["count"]
    assert rep_count < manager_count
    expected = Customer.objects.filter(province="广东省", owner=rep).count()
    shared_or_pool = Customer.objects.filter(province="广东省").exclude(owner=rep)
    extra = (
        shared_or_pool.filter(shares__user=rep).count()
        + shared_or_pool.filter(owner__isnull=True, team=rep.team).count()
    )
    assert rep_count == expected + extra
