"""The customer list's "unassigned / team pool" filter: page and /api/v1/customers?pool=true
(issue 14.2: a lead with no owner was found by no filter)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import Team, User
from kehu.customers.services import customer_assign_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(customer_factory: Any, manager: User, outsider: User, team_east: Team) -> Any:
    owned = customer_factory(name="有主客户有限公司")
    pooled = customer_factory(actor=manager, name="池中客户有限公司")
    customer_assign_pool(actor=manager, customer=pooled, team=team_east)
    other = customer_factory(actor=outsider, name="华南有主客户有限公司")
    return {"owned": owned, "pooled": pooled, "other": other}


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["customer_no"] for c in response.json()["items"]]


def test_api_pool_filter_for_a_rep_and_an_admin(
    api: Any, world: Any, rep: User, admin_user: User
) -> None:
    api.login(rep)
    assert numbers(api.get("/api/v1/customers", pool="true")) == [world["pooled"].customer_no]
    assert numbers(api.get("/api/v1/customers", pool="false")) == [world["owned"].customer_no]
    assert len(numbers(api.get("/api/v1/customers"))) == 2
    api.login(admin_user)
    assert numbers(api.get("/api/v1/customers", pool="true")) == [world["pooled"].customer_no]


def test_bad_pool_value_names_the_parameter(api: Any, world: Any, rep: User) -> None:
    response = api.login(rep).get("/api/v1/customers", pool="maybe")
    assert response.status_code == 422 and "pool" in response.json()["errors"]


def test_list_page_filter(client: Client, world: Any, rep: User) -> None:
    client.force_login(rep)
    page = client.get("/customers/")
    assert 'name="pool"' in page.content.decode()
    html = client.get("/customers/", {"pool": "on"}).content.decode()
    assert world["pooled"].name in html and world["owned"].name not in html
