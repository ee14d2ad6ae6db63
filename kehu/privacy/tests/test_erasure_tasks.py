"""Erasure and the to-dos about the person: a task made from an interaction's next action, a
task typed by hand and the reminder it sent name the person; after the erasure none of them
does, on the task list, the 360 page, the calendar or the notifications (issue 19)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kehu.interactions.services import interaction_log
from kehu.interactions.services.reminders import followups_remind_due

pytestmark = pytest.mark.django_db

CONTACT_NAME = "赵丽娜"
CONTACT_MOBILE = "13698765432"
INDIVIDUAL = "林晓梅"
INDIVIDUAL_MOBILE = "13912345678"


def _said_to(api: Any, user: Any, *customers: Any) -> str:
    """What the rep's task list, tasks API, calendar, notifications and 360 pages show."""
    parts = [
        api.login(user).get("/api/v1/follow-ups", limit=100).content.decode(),
        api.client.get("/follow-ups/").content.decode(),
        api.client.get("/my-day/").content.decode(),
        api.get("/api/v1/notifications").content.decode(),
        api.client.get("/notifications/").content.decode(),
    ]
    for customer in customers:
        parts.append(api.client.get(f"/customers/{customer.customer_no}/").content.decode())
        parts.append(
            api.get(f"/api/v1/customers/{customer.customer_no}/follow-ups").content.decode()
        )
    return "\n".join(parts)


def _erase(api: Any, steward: Any, **who: str) -> None:
    created = api.login(steward).post("/api/v1/privacy/requests", {"kind": "erasure", **who})
    assert created.status_code == 201, created.content
    erased = api.post(f"/api/v1/privacy/requests/{created.json()['id']}/erase", {"confirm": True})
    assert erased.status_code == 200, erased.content


def test_erasure_leaves_no_task_or_reminder_naming_the_person(
    api: Any, rep: Any, steward: Any, customer_factory: Any
) -> None:
    company = customer_factory(
        name="康光汽车配件有限公司",
        decision_maker={"name": CONTACT_NAME, "title": "采购经理", "mobile": CONTACT_MOBILE},
    )
    contact = company.contacts.get()
    person = customer_factory(
        name=INDIVIDUAL,
        kind="individual",
        decision_maker={"name": INDIVIDUAL, "mobile": INDIVIDUAL_MOBILE},
    )
    interaction_log(
        actor=rep,
        customer=company,
        data={
            "method": "visit",
            "contact_id": contact.pk,
            "topic": "采购计划",
            "feedback": "interested",
            "next_action": f"给{CONTACT_NAME}发方案",
            "summary": "面谈采购计划",
        },
    )
    interaction_log(
        actor=rep,
        customer=person,
        data={
            "method": "phone",
            "topic": "咨询",
            "feedback": "interested",
            "next_action": f"发报价给{INDIVIDUAL}",
            "summary": "来电想要报价",
        },
    )
    due = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for customer, name in ((company, CONTACT_NAME), (person, INDIVIDUAL)):
        made = api.login(rep).post(
            f"/api/v1/customers/{customer.customer_no}/follow-ups",
            {"kind": "other", "title": f"回访{name}", "note": f"{name}说月底前定", "due_at": due},
        )
        assert made.status_code == 201, made.content
    assert followups_remind_due() == 2
    said = _said_to(api, rep, company, person)
    assert CONTACT_NAME in said and INDIVIDUAL in said  # the pages do show them before

    _erase(api, steward, phone=CONTACT_MOBILE)
    _erase(api, steward, phone=INDIVIDUAL_MOBILE)

    said = _said_to(api, rep, company, person)
    assert CONTACT_NAME not in said
    assert INDIVIDUAL not in said
    assert "康光汽车配件有限公司" in said  # the company and its tasks stay
