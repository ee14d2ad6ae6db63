"""Opportunities from before the stage history get their first row (migration 0005): created
in their current stage at their creation time, by their owner; run twice, nothing doubles."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from kehu.opportunities.models import Opportunity, OpportunityStageChange

pytestmark = pytest.mark.django_db

backfill = importlib.import_module(
    "kehu.opportunities.migrations.0005_stage_history_backfill"
).backfill


def test_old_opportunities_get_their_first_history_row(
    api: Any, customer_factory: Any, rep: Any
) -> None:
    customer = customer_factory(name="历史回填贸易有限公司")
    old = Opportunity.objects.create(customer=customer, title="老商机", stage="proposal", owner=rep)
    api.login(rep)
    new = api.post(
        f"/api/v1/customers/{customer.customer_no}/opportunities", {"title": "新商机"}
    ).json()["id"]
    assert not OpportunityStageChange.objects.filter(opportunity=old).exists()

    editor = SimpleNamespace(connection=connection)
    backfill(apps, editor)
    backfill(apps, editor)  # idempotent

    row = OpportunityStageChange.objects.get(opportunity=old)
    old.refresh_from_db()
    assert (row.from_stage, row.to_stage, row.changed_by) == ("", "proposal", rep)
    assert row.changed_at == old.created_at == old.stage_changed_at
    assert OpportunityStageChange.objects.filter(opportunity_id=new).count() == 1
    history = api.get(f"/api/v1/opportunities/{old.pk}").json()["stage_history"]
    assert [h["to_stage"] for h in history] == ["proposal"]
