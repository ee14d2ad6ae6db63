"""Erasing a person who is an individual customer whose number is kept on its contact (as the
form's decision maker, a vCard import): found by that number, the customer is erased too, not
only the contact, so no search finds them by name afterwards (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

NAME = "孙美玲"
MOBILE = "13566667777"


def test_erasure_by_phone_erases_the_individual_customer_holding_it(
    api: Any, admin_user: Any, steward: Any, customer_factory: Any
) -> None:
    person = customer_factory(
        name=NAME, kind="individual", decision_maker={"name": NAME, "mobile": MOBILE}
    )
    assert person.phone == ""  # the number is the contact's only
    created = api.login(steward).post(
        "/api/v1/privacy/requests", {"kind": "erasure", "phone": MOBILE}
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    holdings = api.get(f"/api/v1/privacy/requests/{request_id}/holdings").json()
    assert holdings["customers"] == [person.customer_no]

    erased = api.post(f"/api/v1/privacy/requests/{request_id}/erase", {"confirm": True})
    assert erased.status_code == 200, erased.content
    assert erased.json()["result"]["erased"]["customers"] == 1

    assert api.login(admin_user).get("/api/v1/search", q=NAME).json()["total"] == 0
    listed = api.get("/api/v1/customers", q=NAME).json()
    assert listed["items"] == []
    shown = api.get(f"/api/v1/customers/{person.customer_no}").json()
    assert NAME not in shown["name"]
    assert NAME not in api.client.get(f"/customers/{person.customer_no}/").content.decode()
