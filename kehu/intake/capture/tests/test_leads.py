"""POST /api/v1/leads: consent, honeypot, rate limit, assignment, domain auto-fill, duplicates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kehu.conftest import make_user
from kehu.customers.models import Customer
from kehu.intake.capture.leads import DEFAULT_PURPOSE
from kehu.intake.capture.models import AssignmentRule, EmailDomain, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def post(data: dict[str, Any], ip: str = "203.0.113.5") -> Any:
    client = Client(enforce_csrf_checks=True)
    return client.post(
        "/api/v1/leads", json.dumps(data), content_type="application/json", REMOTE_ADDR=ip
    )


FORM = {"name": "钱多多", "mobile": "13912340001", "email": "qdd@qq.com", "consent": True}


def test_consent_is_stored_with_purpose_time_and_ip() -> None:
    response = post({**FORM, "company": "多多贸易有限公司", "message": "想了解报价"})
    assert response.status_code == 201, response.content
    lead = Lead.objects.get()
    assert lead.consent_purpose == str(DEFAULT_PURPOSE) and lead.consent_at is not None
    assert lead.ip == "203.0.113.5"
    customer = lead.customer
    assert customer.status == "lead" and customer.name == "多多贸易有限公司"
    assert customer.contacts.get().mobile == "+8613912340001"
    assert lead.outcome == Lead.Outcome.CREATED


def test_without_consent_nothing_is_saved() -> None:
    response = post({**FORM, "consent": False})
    assert response.status_code == 422 and "consent" in response.json()["errors"]
    assert Lead.objects.count() == 0 and Customer.objects.count() == 0


def test_only_form_fields_are_accepted() -> None:
    response = post({**FORM, "owner": "admin"})
    assert response.status_code == 422 and "owner" in response.json()["errors"]


def test_honeypot_answers_like_success_and_keeps_nothing() -> None:
    response = post({**FORM, "homepage": "http://spam.example"})
    assert response.status_code == 201
    assert Lead.objects.count() == 0 and Customer.objects.count() == 0


def test_rate_limit_per_ip(settings: Any) -> None:
    settings.KEHU_LEAD_RATE_LIMIT = 2
    for i in range(2):
        assert post({**FORM, "mobile": f"1391234000{i}", "email": ""}).status_code == 201
    assert post({**FORM, "mobile": "13912340009", "email": ""}).status_code == 429
    other_ip = post({**FORM, "mobile": "13912340008", "email": ""}, ip="198.51.100.7")
    assert other_ip.status_code == 201
    assert Lead.objects.count() == 3


def test_assignment_by_region_then_round_robin(team_east: Any, team_south: Any) -> None:
    south_rep = make_user("south", "rep", team_south)
    east_a = make_user("east-a", "rep", team_east)
    east_b = make_user("east-b", "rep", team_east)
    AssignmentRule.objects.create(name="华南", priority=1, province="广东", owner=south_rep)
    AssignmentRule.objects.create(name="其余", priority=9, team=team_east)
    for i, (name, province) in enumerate(
        [("甲一", "广东省"), ("乙二", "上海市"), ("丙三", "江苏省"), ("丁四", "浙江省")]
    ):
        post({"name": name, "province": province, "mobile": f"1391234002{i}", "consent": True})
    owners = [lead.customer.owner for lead in Lead.objects.order_by("id")]
    assert owners == [south_rep, east_a, east_b, east_a]


def test_assignment_by_industry(team_east: Any) -> None:
    from kehu.customers.models import Industry

    industry = Industry.objects.filter(parent__isnull=True).first()
    rep = make_user("ind", "rep", team_east)
    AssignmentRule.objects.create(name="行业", industry=industry, owner=rep)
    post({**FORM, "industry": industry.name, "email": ""})
    assert Lead.objects.get().customer.owner == rep


def test_company_from_domain_directory_and_existing_customers(customer_factory: Any) -> None:
    EmailDomain.objects.create(domain="acme.cn", company="艾克米科技有限公司")
    post({**FORM, "email": "li@acme.cn", "mobile": ""})
    lead = Lead.objects.get()
    assert lead.company == "艾克米科技有限公司" and lead.company_autofilled
    customer_factory(name="华南精工有限公司", email="info@hnjg.com.cn")
    post({"name": "周一", "email": "zhou@hnjg.com.cn", "consent": True})
    second = Lead.objects.order_by("-id").first()
    assert second.company == "华南精工有限公司"


@pytest.mark.parametrize("domain", ["qq.com", "163.com", "gmail.com", "outlook.com", "126.com"])
def test_free_mail_never_auto_fills(domain: str, customer_factory: Any) -> None:
    customer_factory(name="某某有限公司", email=f"boss@{domain}")
    EmailDomain.objects.create(domain=domain, company="不该用")
    post({"name": "孙二", "email": f"sun2@{domain}", "consent": True})
    lead = Lead.objects.get()
    assert lead.company == "" and not lead.company_autofilled
    assert lead.customer.kind == "individual"


def test_duplicate_attaches_to_the_existing_customer(customer_factory: Any) -> None:
    existing = customer_factory(
        name="东方机电有限公司",
        decision_maker={"name": "王建国", "title": "总经理", "mobile": "13912340099"},
    )
    before = Customer.objects.count()
    response = post({"name": "王建国", "mobile": "13912340099", "consent": True})
    assert response.status_code == 201
    lead = Lead.objects.get()
    assert lead.outcome == Lead.Outcome.ATTACHED and lead.customer == existing
    assert Customer.objects.count() == before
    from kehu.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="lead.attached", target_id=str(existing.pk)).exists()
