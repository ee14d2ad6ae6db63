from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kehu.accounts.models import Role, User
from kehu.customers.models import Customer
from kehu.interactions.models import Interaction
from kehu.sandbox.personas import PERSONAS

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--customers", "60", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_every_role_and_prints_logins(settings):
    output = run_demo()
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(team__isnull=False).values("team").distinct().count() == 2
    assert Customer.objects.count() >= 60
    assert Interaction.objects.exists()
    for persona in PERSONAS:
        assert persona.username in output
    assert settings.KEHU_DEMO_PASSWORD in output
    # Every rep owns customers, so each view has something to show.
    for rep in User.objects.filter(role=Role.REP):
        assert Customer.objects.filter(owner=rep).exists(), rep.username
    # Sharing and the team pool have examples: li sees zhang's shared customers, every
    # 华东 rep sees the pooled ones.
    from kehu.customers.selectors import customer_queryset_for

    li, zhang = User.objects.get(username="li"), User.objects.get(username="zhang")
    shared = Customer.objects.filter(shares__user=li)
    assert shared.exists() and all(c.owner == zhang for c in shared)
    assert set(shared) <= set(customer_queryset_for(li))
    pooled = Customer.objects.filter(owner__isnull=True, team__name="华东销售部")
    assert pooled.exists() and set(pooled) <= set(customer_queryset_for(li))
    # The review queue has zhang's held changes waiting for his manager, with readable diffs.
    from kehu.review.models import ReviewItem

    held = ReviewItem.objects.filter(requested_by=zhang, status="pending")
    assert held.count() == 2, output
    assert "2 of zhang's changes wait" in output
    client = Client()
    client.force_login(User.objects.get(username="zhou"))
    page = client.get("/review/").content.decode()
    assert "成交客户" in page
    assert all(item.customer is not None and item.customer.name in page for item in held)
    # The printed login works.
    client = Client()
    response = client.post(
        "/login/", {"username": "zhang", "password": settings.KEHU_DEMO_PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_demo_is_deterministic_and_reset_restores_it():
    run_demo()
    names = list(Customer.objects.order_by("customer_no").values_list("name", flat=True))
    Customer.objects.filter(name=names[0]).update(name="被改过的名字")
    with pytest.raises(CommandError):
        run_demo()
    run_demo("--reset")
    assert not Customer.objects.filter(name="被改过的名字").exists()
    assert sorted(Customer.objects.values_list("name", flat=True)) == sorted(names)


def test_demo_if_empty_keeps_existing_data():
    run_demo()
    count = Customer.objects.count()
    output = run_demo("--if-empty")
    assert "not reloaded" in output
    assert Customer.objects.count() == count


def test_demo_customers_have_consistent_region_codes():
    from kehu.core.regions import region_names, region_resolve

    run_demo()
    customers = list(Customer.objects.values_list("region_code", "province", "city"))
    coded = [c for c in customers if c[0]]
    assert len(coded) >= len(customers) * 0.8  # the generator drops a region now and then
    for code, province, city in coded:
        names = region_names(code)
        assert (names["province"], names["city"]) == (province, city), code
    # What is left without a code has nothing that resolves (dropped, or written in pinyin).
    assert all(not region_resolve(p, c).code for code, p, c in customers if not code)


def test_demo_has_a_pipeline_in_every_stage():
    """Issue 16: opportunities in every stage, with stage history and products."""
    from kehu.opportunities.models import Opportunity, OpportunityStageChange, Product

    run_demo()
    stages = set(Opportunity.objects.values_list("stage", flat=True))
    assert stages == set(Opportunity.Stage.values)
    assert Product.objects.count() >= 5
    assert Opportunity.objects.filter(lines__isnull=False).distinct().count() >= 10
    assert not Opportunity.objects.filter(stage="lost", lost_reason__isnull=True).exists()
    moves = OpportunityStageChange.objects.exclude(from_stage="")
    assert moves.exists() and moves.filter(days_in_previous_stage__gt=0).exists()
    client = Client()
    client.force_login(User.objects.get(username="zhou"))
    page = client.get("/opportunities/").content.decode()
    east = Opportunity.objects.filter(owner__team__name="华东销售部").first()
    assert east is not None and east.title in page
