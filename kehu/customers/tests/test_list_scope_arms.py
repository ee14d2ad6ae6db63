"""A rep's customer list reads each branch of the scope on its own (own, shared, team pool;
kehu.core.pagination keyset_page(arms=...), issue 14.12): every page, in every order, holds the
rows of the whole scope, in order, none twice and none left out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q

from kehu.accounts.models import Team, User
from kehu.customers.models import Customer
from kehu.customers.services import customer_assign_pool, customer_share

pytestmark = pytest.mark.django_db

ORDERS = {  # API order -> model order
    "newest": "-id",
    "oldest": "id",
    "name": "name_sort",  # pinyin order
    "-name": "-name_sort",
    "budget_amount": "budget_amount",
    "-budget_amount": "-budget_amount",
    "status": "status",
    "-owner": "-owner_id",
    "team": "team_id",
    "-last_interaction": "-last_interaction_at",
}


@pytest.fixture
def world(
    customer_factory: Any, rep: User, rep2: User, manager: User, outsider: User, team_east: Team
) -> dict[str, list[Customer]]:
    def make(actor: User, n: int, tag: str) -> list[Customer]:
        made = []
        for i in range(n):
            budget = {} if i % 3 == 0 else {"budget_amount": str(Decimal(10_000 * (i % 4 + 1)))}
            made.append(customer_factory(actor=actor, name=f"{tag}{i}号贸易有限公司", **budget))
        return made

    own = make(rep, 7, "甲")
    others = make(rep2, 4, "乙")
    pooled = make(manager, 3, "丙")
    for customer in pooled:
        customer_assign_pool(actor=manager, customer=customer, team=team_east)
    south = make(outsider, 4, "丁")
    shared = south[:2]
    for customer in shared:
        customer_share(actor=outsider, customer=customer, user=rep)
    return {"own": own, "pooled": pooled, "shared": shared, "others": others + south[2:]}


def expected(ids: set[int], order: str) -> list[str]:
    """The scope's customers in keyset order: by (field, id), NULLs last by id."""
    field = order.lstrip("-")
    direction = "-" if order.startswith("-") else ""
    rows = Customer.objects.filter(pk__in=ids)
    filled = rows.filter(~Q(**{f"{field}__isnull": True})).order_by(order, f"{direction}id")
    empty = rows.filter(**{f"{field}__isnull": True}).order_by(f"{direction}id")
    return [c.customer_no for c in [*filled, *empty]]


def walk(api: Any, order: str, limit: int, **params: str) -> list[str]:
    numbers: list[str] = []
    cursor = ""
    while True:
        query = {"order": order, "limit": str(limit), **params}
        if cursor:
            query["cursor"] = cursor
        response = api.get("/api/v1/customers", **query)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= limit
        numbers += [c["customer_no"] for c in body["items"]]
        cursor = body["next_cursor"] or ""
        if not cursor:
            return numbers


@pytest.mark.parametrize("limit", [1, 2, 5, 50])
def test_a_reps_pages_hold_the_whole_scope_in_order(
    api: Any, world: dict[str, list[Customer]], rep: User, limit: int
) -> None:
    visible = {c.pk for key in ("own", "pooled", "shared") for c in world[key]}
    api.login(rep)
    for api_order, order in ORDERS.items():
        got = walk(api, api_order, limit)
        assert got == expected(visible, order), api_order
    hidden = {c.customer_no for c in world["others"]}
    assert not hidden & set(walk(api, "newest", limit))


@pytest.mark.parametrize(
    ("params", "lookup"),
    [({"budget_min": "20000"}, {"budget_amount__gte": 20_000}), ({"status": "潜在客户"}, {})],
)
def test_a_filter_applies_to_every_branch(
    api: Any,
    world: dict[str, list[Customer]],
    rep: User,
    params: dict[str, str],
    lookup: dict[str, Any],
) -> None:
    visible = {c.pk for key in ("own", "pooled", "shared") for c in world[key]}
    if not lookup:  # a status some of every branch has, not all
        Customer.objects.filter(pk__in=[world[k][0].pk for k in world]).update(status="intent")
        lookup = {"status": "lead"}
    kept = set(Customer.objects.filter(pk__in=visible, **lookup).values_list("pk", flat=True))
    assert kept and kept != visible
    got = walk(api.login(rep), "newest", 2, **params)
    assert got == expected(kept, "-id")


def test_the_list_page_shows_every_branch(
    client: Any, world: dict[str, list[Customer]], rep: User
) -> None:
    client.force_login(rep)
    html = client.get("/customers/").content.decode()
    for key in ("own", "pooled", "shared"):
        assert all(c.name in html for c in world[key]), key
    assert not any(c.name in html for c in world["others"])
