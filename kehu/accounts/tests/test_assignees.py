"""Work on a customer goes only to people who work on it (issue 14 item 20): an opportunity's
owner, a follow-up task's owner, an interaction's performer and its next action's owner are
refused when they belong to another team, with a 422 naming the field and nothing written."""

from __future__ import annotations

from typing import Any

from kehu.audit.models import AuditEntry
from kehu.interactions.models import FollowUp, Interaction
from kehu.interactions.tests.helpers import STANDARD
from kehu.opportunities.models import Opportunity


def test_follow_up_for_a_user_of_another_team_is_refused(
    api: Any, rep: Any, rep2: Any, outsider: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="任务分派测试有限公司")
    url = f"/api/v1/customers/{customer.customer_no}/follow-ups"
    audit_before = AuditEntry.objects.count()
    refused = api.login(rep).post(url, {"kind": "下一步", "title": "回电话", "owner": "outsider"})
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["owner"]
    assert "赵销售" in refused.json()["errors"]["owner"][0]
    assert not FollowUp.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    # A colleague of the customer's team may take it.
    created = api.post(url, {"kind": "下一步", "title": "回电话", "owner": "rep2"})
    assert created.status_code == 201, created.content
    assert FollowUp.objects.get().owner == rep2


def test_opportunity_owner_from_another_team_is_refused_on_create_and_change(
    api: Any, rep: Any, rep2: Any, outsider: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="商机分派测试有限公司")
    url = f"/api/v1/customers/{customer.customer_no}/opportunities"
    refused = api.login(rep).post(url, {"title": "年度采购", "owner": "outsider"})
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["owner"]
    assert not Opportunity.objects.exists()
    created = api.post(url, {"title": "年度采购", "owner": "rep2"})
    assert created.status_code == 201, created.content
    opportunity = Opportunity.objects.get()
    assert opportunity.owner == rep2
    changed = api.patch(f"/api/v1/opportunities/{opportunity.pk}", {"owner": str(outsider.pk)})
    assert changed.status_code == 422
    assert list(changed.json()["errors"]) == ["owner"]
    opportunity.refresh_from_db()
    assert opportunity.owner == rep2


def test_interaction_performer_and_next_action_owner_from_another_team_are_refused(
    api: Any, rep: Any, rep2: Any, outsider: Any, customer_factory: Any
) -> None:
    customer = customer_factory(name="拜访分派测试有限公司")
    url = f"/api/v1/customers/{customer.customer_no}/interactions"
    refused = api.login(rep).post(
        url,
        {
            **STANDARD,
            "method": "电话",
            "topic": "回访",
            "performed_by": "outsider",
            "next_action": "发报价",
            "next_action_owner": "赵销售",
        },
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"performed_by", "next_action_owner"}
    assert not Interaction.objects.filter(customer=customer).exists()
    logged = api.post(
        url,
        {**STANDARD, "method": "电话", "performed_by": "rep2", "next_action_owner": "rep"},
    )
    assert logged.status_code == 201, logged.content
    interaction = Interaction.objects.get(customer=customer)
    assert (interaction.performed_by, interaction.next_action_owner) == (rep2, rep)
    moved = api.patch(
        f"/api/v1/interactions/{interaction.interaction_no}", {"performed_by": "outsider"}
    )
    assert moved.status_code == 422
    assert list(moved.json()["errors"]) == ["performed_by"]
    interaction.refresh_from_db()
    assert interaction.performed_by == rep2


def test_someone_the_customer_is_shared_with_may_take_a_task(
    api: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    """Outside the team but inside what they may see (a share): they work on it."""
    customer = customer_factory(name="共享分派测试有限公司")
    assert api.login(rep).post(
        f"/api/v1/customers/{customer.customer_no}/shares", {"user": "outsider"}
    ).status_code in (200, 201)
    created = api.post(
        f"/api/v1/customers/{customer.customer_no}/follow-ups",
        {"kind": "下一步", "title": "一起拜访", "owner": "outsider"},
    )
    assert created.status_code == 201, created.content
    assert FollowUp.objects.get().owner == outsider
