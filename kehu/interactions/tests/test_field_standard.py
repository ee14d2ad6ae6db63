"""The field standard for interactions (issue 15): topic, summary, customer feedback and next
action are required on every path (API, the 360 page's quick-add, the chat capture), each
missing one named; the standard's own feedback wording (需进一步知晓) is accepted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import User
from kehu.audit.models import AuditEntry
from kehu.interactions.models import Interaction

from .helpers import STANDARD

pytestmark = pytest.mark.django_db
REQUIRED = {"topic", "summary", "feedback", "next_action"}


def test_the_api_refuses_an_interaction_without_the_standard_fields_naming_each(
    api: Any, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory()
    url = f"/api/v1/customers/{customer.customer_no}/interactions"
    entries = AuditEntry.objects.count()
    response = api.login(rep).post(url, {"method": "phone", "topic": "  "})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == REQUIRED
    assert "主题" in errors["topic"][0] and "客户反馈" in errors["feedback"][0]
    assert "摘要" in errors["summary"][0] and "下一步行动" in errors["next_action"][0]
    assert not Interaction.objects.exists()
    assert AuditEntry.objects.count() == entries

    for missing in REQUIRED:  # each one alone is enough to refuse
        data = {**STANDARD, "method": "phone", missing: ""}
        response = api.post(url, data)
        assert response.status_code == 422 and set(response.json()["errors"]) == {missing}
    assert not Interaction.objects.exists()


def test_the_standards_own_feedback_wording_is_accepted(
    api: Any, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory()
    response = api.login(rep).post(
        f"/api/v1/customers/{customer.customer_no}/interactions",
        {**STANDARD, "method": "线上直播", "feedback": "需进一步知晓"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["feedback"] == Interaction.Feedback.NEEDS_MORE_INFO
    assert Interaction.objects.get().method == Interaction.Method.LIVE_STREAM


def test_a_change_may_not_blank_a_standard_field(
    api: Any, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory()
    created = api.login(rep).post(
        f"/api/v1/customers/{customer.customer_no}/interactions", {**STANDARD, "method": "phone"}
    )
    number = created.json()["interaction_no"]
    refused = api.patch(f"/api/v1/interactions/{number}", {"summary": "", "next_action": " "})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"summary", "next_action"}
    interaction = Interaction.objects.get()
    assert (interaction.summary, interaction.next_action) == (
        STANDARD["summary"],
        STANDARD["next_action"],
    )
    changed = api.patch(f"/api/v1/interactions/{number}", {"topic": "续约洽谈"})
    assert changed.status_code == 200 and changed.json()["topic"] == "续约洽谈"


def test_the_quick_add_form_names_every_missing_field_in_one_round(
    client: Client, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(rep)
    url = f"/customers/{customer.customer_no}/interactions/new/"
    response = client.post(url, {"method": "visit"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.content.decode()
    for field in REQUIRED:
        assert f'id="error-{field}"' in body, field
    assert not Interaction.objects.exists()
    response = client.post(url, {**STANDARD, "method": "visit"})
    assert response.status_code == 302
    assert Interaction.objects.get().next_action == STANDARD["next_action"]


def test_the_chat_capture_logs_a_standard_complete_interaction(
    api: Any, rep: User, customer_factory: Any
) -> None:
    customer = customer_factory()
    response = api.login(rep).post(
        "/api/v1/capture/chat",
        {"text": "需要100台电脑，预算5万", "customer_no": customer.customer_no, "commit": True},
    )
    assert response.status_code in (200, 201), response.content
    interaction = Interaction.objects.get()
    assert interaction.feedback == Interaction.Feedback.INTERESTED
    assert interaction.topic and interaction.summary and interaction.next_action
    assert f"#{response.json()['opportunity_id']}" in interaction.next_action
