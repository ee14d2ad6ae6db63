"""Phones and e-mails typed into free text (备注, an interaction's summary and next action, a
task's note) are masked for who sees the customer's phone fields masked, as the fields are;
the owner, the team manager and administrators read the text whole. Through the API and the
360 page."""

from __future__ import annotations

from typing import Any

from kehu.customers.models import Customer
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD

NOTES = "老板手机13800138000，订单20261207001，金额128000元"
SUMMARY = "对方采购邮箱 li.caigou@example.com，手机 139 1234 5678"
NEXT = "打座机010-62345678确认"


def a_customer(customer_factory: Any, rep: Any, api: Any) -> Customer:
    customer: Customer = customer_factory(name="自由文本脱敏有限公司", notes=NOTES)
    interaction_log(
        actor=rep,
        customer=customer,
        data={
            **STANDARD,
            "method": "电话",
            "summary": SUMMARY,
            "next_action": NEXT,
            "next_action_due": "2026-12-20",
        },
    )
    response = api.login(rep).post(
        f"/api/v1/customers/{customer.customer_no}/follow-ups",
        {"kind": "next_action", "title": "回电", "note": "回电13800138000"},
    )
    assert response.status_code == 201, response.content
    return customer


def test_api_masks_free_text_for_a_masked_role_and_not_for_the_owner(
    api: Any, customer_factory: Any, rep: Any, manager: Any, executive: Any, marketing: Any
) -> None:
    customer = a_customer(customer_factory, rep, api)
    url = f"/api/v1/customers/{customer.customer_no}"
    for user in (rep, manager):  # who sees the phones whole reads the text unchanged
        api.login(user)
        assert api.get(url).json()["notes"] == NOTES
        item = api.get(f"{url}/interactions").json()["items"][0]
        assert item["summary"] == SUMMARY and item["next_action"] == NEXT
        notes = [t["note"] for t in api.get(f"{url}/follow-ups").json()["items"]]
        assert "回电13800138000" in notes
    for user in (executive, marketing):
        api.login(user)
        body = api.get(url).json()
        assert "*" in body["decision_maker"]["mobile"]  # this role sees phone fields masked
        # The mobile masked; the order number and the amount stay as typed.
        assert body["notes"] == "老板手机138****8000，订单20261207001，金额128000元"
        item = api.get(f"{url}/interactions").json()["items"][0]
        assert item["summary"] == "对方采购邮箱 l***@example.com，手机 139****5678"
        assert item["next_action"] == "打座机010-****5678确认"
        detail = api.get(f"/api/v1/interactions/{item['interaction_no']}").json()
        assert detail["summary"] == item["summary"]
        tasks = api.get(f"{url}/follow-ups").json()["items"]
        assert "回电138****8000" in [t["note"] for t in tasks]
        assert "打座机010-****5678确认" in [t["title"] for t in tasks]  # from the next action
        history = str(api.get(f"{url}/history").json())
        for whole in ("13800138000", "li.caigou@example.com", "139 1234 5678", "62345678"):
            assert whole not in history, whole


def test_360_page_masks_free_text_for_a_masked_role(
    client: Any, api: Any, customer_factory: Any, rep: Any, marketing: Any
) -> None:
    customer = a_customer(customer_factory, rep, api)
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "13800138000" in page and "li.caigou@example.com" in page and "010-62345678" in page
    client.force_login(marketing)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "老板手机138****8000，订单20261207001，金额128000元" in page  # notes
    assert "l***@example.com，手机 139****5678" in page  # the timeline's summary
    assert "打座机010-****5678确认" in page  # next action (and the task made of it)
    assert "回电138****8000" in page  # a task's note
    for whole in ("13800138000", "li.caigou@example.com", "139 1234 5678", "62345678"):
        assert whole not in page, whole
    assert "20261207001" in page


def test_sending_back_the_masked_text_keeps_the_stored_numbers(
    api: Any, customer_factory: Any, rep: Any, admin_user: Any
) -> None:
    """A data steward changes every customer but sees the phones masked: a PATCH that sends
    back what the GET gave (the masked notes, summary, task note) keeps the stored text."""
    from kehu.accounts.models import Role
    from kehu.conftest import make_user
    from kehu.interactions.models import FollowUp, Interaction

    steward = make_user("steward", Role.STEWARD)
    customer = a_customer(customer_factory, rep, api)
    url = f"/api/v1/customers/{customer.customer_no}"
    body = api.login(steward).get(url).json()
    assert body["notes"] != NOTES
    response = api.patch(url, {"notes": body["notes"], "address": "深圳市南山区科技园"})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.notes == NOTES and customer.address == "深圳市南山区科技园"
    response = api.patch(url, {"notes": "新备注 13900001111"})  # a real change is saved
    customer.refresh_from_db()
    assert customer.notes == "新备注 13900001111"
    interaction = Interaction.objects.get(customer=customer)
    task = FollowUp.objects.get(customer=customer, note="回电13800138000")
    api.login(rep)
    item = api.get(f"/api/v1/interactions/{interaction.interaction_no}").json()
    assert item["summary"] == SUMMARY  # the owner reads it whole, after all this
    api.login(admin_user)
    assert api.get(f"/api/v1/follow-ups/{task.pk}").json()["note"] == "回电13800138000"
