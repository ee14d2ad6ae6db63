"""A municipality's region (重庆市, its province and its city the same name) is shown once, on
the pool and on every page through Customer.region_label."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Team, User
from kehu.customers.services import customer_assign_pool

pytestmark = pytest.mark.django_db


def test_municipality_shown_once(
    client: Any, customer_factory: Any, manager: User, rep: User, team_east: Team
) -> None:
    customer = customer_factory(
        actor=manager,
        name="重庆山城物流有限公司",
        province="重庆市",
        city="重庆市",
        district="渝中区",
    )
    customer.refresh_from_db()
    assert (customer.province, customer.city) == ("重庆市", "重庆市")
    customer_assign_pool(actor=manager, customer=customer, team=team_east)
    client.force_login(rep)
    pool = client.get("/pool/").content.decode()
    assert "重庆山城物流有限公司" in pool
    assert "重庆市重庆市" not in pool and "重庆市 重庆市" not in pool
    assert "重庆市" in pool and "渝中区" in pool
    client.force_login(manager)
    detail = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "重庆市 重庆市" not in detail and "重庆市 渝中区" in detail
