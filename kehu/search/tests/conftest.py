from __future__ import annotations

from typing import Any

import pytest

from kehu.conftest import next_mobile
from kehu.customers.services import contact_create


@pytest.fixture
def company(customer_factory: Any, rep: Any) -> Any:
    """深圳市腾讯科技有限公司, owned by rep, with a decision maker 马化腾 and a contact 王建国."""
    customer = customer_factory(
        name="深圳市腾讯科技有限公司",
        credit_code="91440300708461136T",
        address="深圳市南山区科技园科技中一路腾讯大厦",
        decision_maker={"name": "马化腾", "title": "董事长", "mobile": "13912345678"},
    )
    contact_create(
        actor=rep,
        customer=customer,
        data={
            "name": "王建国",
            "mobile": next_mobile(),
            "email": "jianguo.wang@tencent.com",
            "wechat": "wx_jianguo88",
        },
    )
    return customer
