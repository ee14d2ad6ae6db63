"""RFM quintiles, the value cube, grades, lifecycle and levels: the one-customer path and the
set-based nightly path agree."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kehu.value.models import CustomerValue, ValueSettings
from kehu.value.services.classify import quintile
from kehu.value.services.nightly import values_recompute_all
from kehu.value.services.single import values_recompute

from .helpers import aged, interaction, order

pytestmark = pytest.mark.django_db

FIELDS = ("order_count", "revenue", "avg_order_value", "r", "f", "m", "rfm_score", "octant",
          "grade", "lifecycle", "interaction_level", "channel_preference", "product_interest",
          "tenure_band", "repurchase_level", "first_order_date", "last_order_date")  # fmt: skip


def rows() -> dict[int, tuple[Any, ...]]:
    return {
        v.customer_id: tuple(getattr(v, f) for f in FIELDS) for v in CustomerValue.objects.all()
    }


def both_paths(ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Nightly, then each customer alone against the others: the same rows."""
    values_recompute_all()
    nightly = rows()
    for pk in ids:
        values_recompute([pk])
    assert rows() == nightly
    return nightly


def test_quintile_ties_lone_and_all_equal() -> None:
    assert [quintile(i, 1, 5) for i in range(5)] == [1, 2, 3, 4, 5]
    assert quintile(0, 1, 1) == 3  # a lone customer sits in the middle
    assert quintile(0, 4, 4) == 3  # all equal: all in the middle
    assert quintile(0, 0, 0) is None


def test_rfm_quintiles_with_ties_and_no_orders(customer_factory: Any) -> None:
    today = timezone.localdate()
    customers = [customer_factory(name=f"客户{i}") for i in range(6)]
    for i, c in enumerate(customers[:5]):
        for _k in range(i + 1):
            order(c, 1000 * (i + 1), today - timedelta(days=100 - 10 * i))
    order(customers[4], 5, today, status="cancelled")  # not counted
    # customers[3] and [4] tie on the last order date: the same R.
    order(customers[3], 1, today - timedelta(days=60))
    result = both_paths([c.pk for c in customers])
    values = {c.pk: CustomerValue.objects.get(customer=c) for c in customers}
    # [3] and [4] both have 5 orders: a tie, the same F (the middle of their group: 5)
    assert [values[c.pk].f for c in customers[:5]] == [1, 2, 3, 5, 5]
    assert values[customers[3].pk].r == values[customers[4].pk].r
    assert values[customers[4].pk].order_count == 5  # the cancelled one is left out
    none = values[customers[5].pk]
    assert (none.r, none.f, none.m, none.rfm_score, none.octant) == (None, None, None, None, "")
    assert none.grade == "C"
    assert len(result) == 6


def test_one_customer_and_all_equal(customer_factory: Any) -> None:
    today = timezone.localdate()
    lone = customer_factory(name="独家")
    order(lone, 500, today - timedelta(days=10))
    both_paths([lone.pk])
    v = CustomerValue.objects.get(customer=lone)
    assert (v.r, v.f, v.m, v.rfm_score) == (3, 3, 3, 9)
    assert v.octant == "watch"  # nobody is above the median of one
    others = [customer_factory(name=f"同{i}") for i in range(3)]
    for c in others:
        order(c, 500, today - timedelta(days=10))
    both_paths([c.pk for c in [lone, *others]])
    assert set(CustomerValue.objects.values_list("rfm_score", "octant")) == {(9, "watch")}


def test_octants_and_grades(customer_factory: Any) -> None:
    today = timezone.localdate()
    big = aged(customer_factory(name="钻石"), 2000)
    small = customer_factory(name="观察")
    mid = customer_factory(name="中间")
    for k in range(6):
        order(big, 90000, today - timedelta(days=1500 - k * 200), product="ERP")
    order(small, 100, today - timedelta(days=5), product="耗材")
    order(mid, 5000, today - timedelta(days=400))
    order(mid, 5000, today - timedelta(days=300))
    both_paths([big.pk, small.pk, mid.pk])
    assert CustomerValue.objects.get(customer=big).octant == "diamond"
    assert CustomerValue.objects.get(customer=big).grade == "A"
    assert CustomerValue.objects.get(customer=big).product_interest == "ERP"
    assert CustomerValue.objects.get(customer=small).octant == "watch"
    assert CustomerValue.objects.get(customer=small).grade == "C"
    # Grade rules are data: watch becomes B.
    ValueSettings.objects.filter(pk=1).update(grade_rules={"watch": "B"})
    values_recompute_all()
    assert CustomerValue.objects.get(customer=small).grade == "B"
    # A threshold set by hand replaces the median.
    ValueSettings.objects.filter(pk=1).update(frequency_threshold=0, aov_threshold=1000)
    values_recompute_all()
    assert CustomerValue.objects.get(customer=small).octant == "active"


def test_levels(customer_factory: Any) -> None:
    now = timezone.now()
    c = customer_factory(name="行为")
    for k in range(7):
        interaction(c, now - timedelta(days=k * 5), method="wechat" if k < 4 else "visit")
    quiet = customer_factory(name="安静")
    interaction(quiet, now - timedelta(days=200), method="email")
    for k in range(3):
        order(c, 100, timezone.localdate() - timedelta(days=k))
    both_paths([c.pk, quiet.pk])
    v = CustomerValue.objects.get(customer=c)
    assert (v.interaction_level, v.channel_preference, v.repurchase_level) == (
        "high",
        "wechat",
        "high",
    )
    assert v.tenure_band == "lt1y"
    q = CustomerValue.objects.get(customer=quiet)
    assert (q.interaction_level, q.channel_preference, q.repurchase_level) == ("low", "email", "")


def test_an_imported_book_of_old_customers_is_not_new(customer_factory: Any) -> None:
    """Rows created today for a relationship that began long ago (an import of the whole book,
    the sandbox): the first order or first contact decides, not the row's creation."""
    today = timezone.localdate()
    ordered = customer_factory(name="三年前就下单的客户")
    order(ordered, 5000, today - timedelta(days=3 * 365))
    type(ordered).objects.filter(pk=ordered.pk).update(
        last_interaction_at=timezone.now() - timedelta(days=20)
    )
    old_contact = customer_factory(name="去年就接触的客户")
    CustomerValue.objects.all().delete()
    type(old_contact).objects.filter(pk=old_contact.pk).update(
        first_contact_date=today - timedelta(days=400), last_interaction_at=None
    )
    fresh = customer_factory(name="刚录入的新客户")
    got = both_paths([ordered.pk, old_contact.pk, fresh.pk])
    lifecycle = FIELDS.index("lifecycle")
    assert got[ordered.pk][lifecycle] == "active"  # an interaction 20 days ago
    assert got[old_contact.pk][lifecycle] == "lost"  # nothing for 400 days
    assert got[fresh.pk][lifecycle] == "new"
