"""A merge that takes the other customer's region takes its code with it; an undo puts both
back (issue 15, forms: region_code follows the names)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role
from kehu.conftest import make_user
from kehu.customers.models import Customer
from kehu.dedupe.services import customer_merge, merge_undo

pytestmark = pytest.mark.django_db


def test_region_code_follows_the_picked_region(customer_factory: Any) -> None:
    steward = make_user("steward", Role.STEWARD, None)
    survivor = customer_factory(name="合并地区甲公司", region_code="110105")
    merged = customer_factory(name="合并地区甲公司", region_code="440305")
    picks = {"province": "merged", "city": "merged", "district": "merged"}
    merge = customer_merge(actor=steward, survivor=survivor, merged=merged, choices=picks)
    survivor.refresh_from_db()
    assert (survivor.region_code, survivor.city, survivor.district) == (
        "440305",
        "深圳市",
        "南山区",
    )
    merge_undo(actor=steward, merge=merge)
    survivor.refresh_from_db()
    assert (survivor.region_code, survivor.district) == ("110105", "朝阳区")
    assert Customer.objects.get(customer_no=merged.customer_no).region_code == "440305"
