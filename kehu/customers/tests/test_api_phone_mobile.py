"""A customer's phone and mobile are one field: two different numbers are refused, not one of
them silently dropped."""

from __future__ import annotations

import pytest

from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers"


def test_a_phone_and_a_different_mobile_are_refused_naming_the_mobile(api, rep):
    api.login(rep)
    response = api.post(
        URL,
        {"name": "宁波甬江贸易有限公司", "phone": "13800138000", "mobile": "0086 138 0013 8001"},
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["mobile"] and "13800138001" in errors["mobile"][0]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "numbers",
    [
        {"phone": "13800138000", "mobile": "+86 138-0013-8000"},  # one number, written twice
        {"phone": "", "mobile": "138 0013 8000"},  # a blank phone leaves the mobile
        {"mobile": "13800138000", "phone": None},
    ],
)
def test_the_same_number_twice_or_beside_a_blank_is_kept(api, rep, numbers):
    response = api.login(rep).post(URL, {"name": "宁波甬江贸易有限公司", **numbers})
    assert response.status_code == 201, response.content
    assert Customer.objects.get().phone == "+8613800138000"


def test_a_change_with_a_different_mobile_is_refused(api, rep):
    api.login(rep)
    created = api.post(URL, {"name": "宁波甬江贸易有限公司", "phone": "0574-87654321"})
    number = created.json()["customer_no"]
    response = api.patch(f"{URL}/{number}", {"phone": "0574-87654322", "mobile": "13800138001"})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["mobile"]
    assert Customer.objects.get().phone == "+8657487654321"
