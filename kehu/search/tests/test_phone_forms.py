"""A number is found as people write it: a Shenzhen landline (four-digit area code, eight
digits) by its whole number, a 400 number without a trunk 0, every address at a domain by
"@domain". Found by the helpers' exploration of 7 Dec 2026; search migration 0002 mends the
blind indexes and documents stored before."""

from __future__ import annotations

import hmac
import importlib
from typing import Any

import pytest
from django.apps import apps

from kehu.contacts.models import Contact
from kehu.core import crypto
from kehu.customers.models import Customer
from kehu.search.selectors import search_for

pytestmark = pytest.mark.django_db


def _found(user: Any, query: str) -> set[str]:
    return {hit.title for group in search_for(user, query).groups for hit in group.hits}


@pytest.fixture
def shenzhen(customer_factory: Any) -> Any:
    return customer_factory(
        name="深圳市南山座机测试有限公司",
        phone="0755-12345678转123",
        email="sales@szzuoji.cn",
        decision_maker={"name": "钟晓明", "title": "经理", "landline": "0571-86001234"},
    )


@pytest.mark.parametrize(
    "query", ["0755-12345678", "075512345678", "+86 755 1234 5678", "0086 755 1234 5678"]
)
def test_a_four_digit_area_code_landline_is_found_by_its_whole_number(
    shenzhen: Customer, rep: Any, query: str
) -> None:
    assert "深圳市南山座机测试有限公司" in _found(rep, query), query


def test_a_contacts_landline_and_a_400_number_are_found_whole(
    shenzhen: Customer, customer_factory: Any, rep: Any
) -> None:
    assert "钟晓明" in _found(rep, "0571-86001234")
    customer_factory(name="全国客服热线测试有限公司", phone="400-800-8888")
    for query in ("400-800-8888", "4008008888"):
        assert "全国客服热线测试有限公司" in _found(rep, query), query


def test_at_domain_finds_every_address_there(shenzhen: Customer, rep: Any) -> None:
    assert "深圳市南山座机测试有限公司" in _found(rep, "@szzuoji.cn")
    assert "深圳市南山座机测试有限公司" in _found(rep, "sales@")
    assert not _found(rep, "@nowhere-at-all.cn")


def test_the_migration_mends_what_was_stored_under_the_old_digits(
    shenzhen: Customer, rep: Any
) -> None:
    old = hmac.digest(  # the token the old digits gave: 75512345678, no trunk 0
        crypto.keyring().blind_key, b"phone\x0075512345678", "sha256"
    )
    Customer.objects.filter(pk=shenzhen.pk).update(phone_bidx=crypto._b64encode(old[:16]))
    contact = Contact.objects.get(customer=shenzhen)
    Contact.objects.filter(pk=contact.pk).update(landline_bidx="stale")
    migration = importlib.import_module("kehu.search.migrations.0002_phone_digits_and_surnames")
    migration._renew(apps, None)
    shenzhen.refresh_from_db()
    assert shenzhen.phone_bidx == crypto.blind("phone", shenzhen.phone)
    assert Contact.objects.get(pk=contact.pk).landline_bidx == crypto.blind(
        "phone", contact.landline
    )
    assert "深圳市南山座机测试有限公司" in _found(rep, "0755-12345678")


def test_a_surname_is_read_as_one_and_the_common_reading_still_finds(
    customer_factory: Any, rep: Any
) -> None:
    customer = customer_factory(
        name="曾氏姓名测试有限公司",
        decision_maker={"name": "曾志伟", "title": "总经理", "mobile": "13912340066"},
    )
    for query in ("zzw", "zengzhiwei", "zengz", "cengzhiwei"):
        assert "曾志伟" in _found(rep, query), query
    assert Contact.objects.get(customer=customer).name_pinyin == "zeng zhiwei"
    Contact.objects.filter(customer=customer).update(name_pinyin="ceng zhiwei")  # stored before
    migration = importlib.import_module("kehu.search.migrations.0002_phone_digits_and_surnames")
    migration._renew(apps, None)
    assert Contact.objects.get(customer=customer).name_pinyin == "zeng zhiwei"
