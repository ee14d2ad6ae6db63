"""The sandbox follows the field standard (issue 15): its interactions state topic, summary,
feedback and next action; its 待补全 records were marked on different days in the past, so the
business-day deadline has passed for some of them (信息待完善, a task each) and not for others."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.interactions.models import FollowUp, Interaction

pytestmark = pytest.mark.django_db
Quality = Customer.Quality


def test_the_sandbox_interactions_are_standard_complete_and_its_gaps_have_aged() -> None:
    out = StringIO()
    call_command("demo", "--customers", "120", stdout=out)
    interactions = Interaction.objects.all()
    assert interactions.exists()
    empty = Q(topic="") | Q(summary="") | Q(feedback="") | Q(next_action="")
    assert not interactions.filter(empty).exists()

    marked = [
        since
        for since in Customer.objects.values_list("incomplete_since", flat=True)
        if since is not None
    ]
    days = {timezone.localtime(since).date() for since in marked}
    assert len(days) >= 4  # spread over the past, not all at the moment of the load
    assert all(since <= timezone.now() for since in marked)
    assert min(marked) < timezone.now() - timedelta(days=5)
    overdue = Customer.objects.filter(quality=Quality.NEEDS_INFO)
    assert overdue.exists() and Customer.objects.filter(quality=Quality.INCOMPLETE).exists()
    assert f"{overdue.count()} 待补全 customers were past their" in out.getvalue()
    tasks = FollowUp.objects.filter(kind=FollowUp.Kind.COMPLETE_INFO, done_at__isnull=True)
    assert set(tasks.values_list("customer_id", flat=True)) == set(
        overdue.values_list("pk", flat=True)
    )
