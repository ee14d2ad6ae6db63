from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role, User
from kehu.conftest import make_user


@pytest.fixture
def steward(db: Any) -> User:
    return make_user("steward", Role.STEWARD, None, display_name="数据管理员")


@pytest.fixture
def pair_of_customers(customer_factory: Any) -> tuple[Any, Any]:
    """One company entered twice: another form of the name, the same mobile and contact."""
    a = customer_factory(
        name="深圳市华信软件有限公司",
        city="深圳市",
        address="广东省深圳市南山区科技路716号",
        decision_maker={"name": "王建国", "title": "总经理", "mobile": "13912345678"},
    )
    b = customer_factory(
        name="华信软件（深圳）股份有限公司",
        address="南山区科技路716號",
        decision_maker={"name": "Wang Jianguo", "title": "总经理", "mobile": "139 1234 5678"},
    )
    return a, b
