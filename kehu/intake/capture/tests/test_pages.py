"""Capture pages through the test client: roles, lead form, card, chat, review queue, rules."""

from __future__ import annotations

import io
import os
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kehu.customers.models import Contact, Customer
from kehu.intake.capture.models import ChatTagRule, EmailDomain, Lead
from kehu.intake.capture.tests.cardgen import FONT, cards
from kehu.interactions.models import Interaction
from kehu.opportunities.models import Opportunity
from kehu.tags.services.library import not_in_library
from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db

needs_font = pytest.mark.skipif(not os.path.exists(FONT), reason="fonts-wqy-microhei missing")
MESSAGE = "我们需要采购200台设备,预算大概50万,下个月定"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


# --- Public lead form


def test_lead_form_is_public_and_embeddable() -> None:
    response = Client().get("/leads/form/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    body = response.content.decode()
    assert 'name="homepage"' in body and 'name="consent"' in body
    assert "我同意贵公司保存并使用我提交的信息" in body
    assert '<label for="lead-company">公司名称</label>' in body  # not 企业客户 (a customer kind)


def test_other_pages_still_deny_framing(client: Any, rep: Any) -> None:
    client.force_login(rep)
    assert client.get("/capture/card/")["X-Frame-Options"] == "DENY"


def test_lead_form_creates_a_lead_and_thanks() -> None:
    client = Client(enforce_csrf_checks=True)
    data = {"name": "钱多多", "mobile": "13912340001", "company": "多多贸易有限公司"}
    response = client.post("/leads/form/", {**data, "consent": "on"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    lead = Lead.objects.get()
    assert lead.customer.name == "多多贸易有限公司" and lead.ip == "203.0.113.9"
    assert lead.consent_purpose.startswith("我同意")
    thanks = client.get(response["Location"])
    assert 'id="lead-thanks"' in thanks.content.decode()


def test_lead_form_honeypot_saves_nothing() -> None:
    response = Client().post(
        "/leads/form/",
        {"name": "bot", "mobile": "13912340002", "consent": "on", "homepage": "http://spam"},
    )
    assert response.status_code == 302
    assert Lead.objects.count() == 0 and Customer.objects.count() == 0


def test_lead_form_without_consent_shows_the_error_and_saves_nothing() -> None:
    response = Client().post("/leads/form/", {"name": "钱多多", "mobile": "13912340003"})
    assert response.status_code == 422
    assert 'class="errorlist"' in response.content.decode()
    assert Lead.objects.count() == 0 and Customer.objects.count() == 0


def test_lead_form_is_rate_limited(settings: Any) -> None:
    settings.KEHU_LEAD_RATE_LIMIT = 1
    client = Client()
    form = {"name": "钱多多", "mobile": "13912340004", "consent": "on"}
    assert client.post("/leads/form/", form).status_code == 302
    again = client.post("/leads/form/", {**form, "mobile": "13912340005"})
    assert again.status_code == 429
    assert Lead.objects.count() == 1


# --- Business card


@pytest.mark.parametrize("role", ["support", "marketing", "executive"])
def test_card_page_is_for_roles_that_create_customers(client: Any, role: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(role))
    assert client.get("/capture/card/").status_code == 403


def test_card_page_anonymous_goes_to_login(client: Any) -> None:
    response = client.get("/capture/card/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_card_page_renders_for_a_rep_with_camera_input(client: Any, rep: Any) -> None:
    client.force_login(rep)
    body = client.get("/capture/card/").content.decode()
    assert 'accept="image/*"' in body and 'capture="environment"' in body


@needs_font
def test_card_upload_prefills_and_save_creates_the_contact(client: Any, rep: Any) -> None:
    person, _layout, image = cards()[0]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "card.png"
    client.force_login(rep)
    response = client.post("/capture/card/", {"image": buffer})
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert f'value="{person["name"]}"' in body and f'value="{person["company"]}"' in body
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0
    fields = {key: person[key] for key in ("name", "title", "company", "mobile", "email")}
    saved = client.post("/capture/card/", {**fields, "step": "save"})
    assert saved.status_code == 302, saved.content
    customer = Customer.objects.get(name=person["company"])
    assert saved["Location"].endswith(f"/customers/{customer.customer_no}/")
    contact = customer.contacts.get()
    assert contact.name == person["name"] and contact.mobile == "+86" + person["mobile"]


def test_card_save_onto_another_teams_customer_is_404(
    client: Any, outsider: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(outsider)
    response = client.post(
        "/capture/card/",
        {"step": "save", "name": "新联系人", "customer_no": customer.customer_no},
    )
    assert response.status_code == 404
    assert customer.contacts.count() == 1


def test_card_save_with_a_bad_mobile_shows_the_error(client: Any, rep: Any) -> None:
    client.force_login(rep)
    response = client.post(
        "/capture/card/", {"step": "save", "name": "张伟", "company": "某某公司", "mobile": "123"}
    )
    assert response.status_code == 422
    assert Customer.objects.count() == 0


# --- Chat capture


def test_chat_page_renders_for_the_owner_and_is_linked_from_360(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(rep)
    detail = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f"/customers/{customer.customer_no}/capture/chat/" in detail
    assert client.get(f"/customers/{customer.customer_no}/capture/chat/").status_code == 200


def test_chat_page_is_404_out_of_scope_and_403_read_only(
    client: Any, outsider: Any, executive: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    url = f"/customers/{customer.customer_no}/capture/chat/"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": MESSAGE, "commit": "1"}).status_code == 404
    client.force_login(executive)
    assert client.get(url).status_code == 403
    assert Opportunity.objects.count() == 0


def test_chat_preview_saves_nothing_and_commit_creates_the_opportunity(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    ChatTagRule.objects.get_or_create(tag="批量采购", field="quantity", op="gte", value="100")
    url = f"/customers/{customer.customer_no}/capture/chat/"
    client.force_login(rep)
    interactions = Interaction.objects.count()
    preview = client.post(url, {"text": MESSAGE}, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "200台" in body and "设备" in body and "批量采购" in body
    assert "<html" not in body  # the partial only
    assert Opportunity.objects.count() == 0 and Interaction.objects.count() == interactions
    saved = client.post(url, {"text": MESSAGE, "commit": "1"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 204 and saved["HX-Redirect"].endswith(
        f"/customers/{customer.customer_no}/"
    )
    opportunity = Opportunity.objects.get()
    assert opportunity.customer == customer and opportunity.expected_amount == Decimal("500000")
    assert Interaction.objects.count() == interactions + 1
    assert customer.customer_tags.filter(tag__name="批量采购").exists()


def test_chat_empty_text_is_an_error(client: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    client.force_login(rep)
    response = client.post(f"/customers/{customer.customer_no}/capture/chat/", {"text": " "})
    assert response.status_code == 422
    assert Opportunity.objects.count() == 0


# --- Rules (administrators)


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_rules_page_is_admin_only(client: Any, role: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(role))
    assert client.get("/capture/rules/").status_code == 403
    assert client.post("/capture/rules/", {"kind": "domain", "domain": "x.cn"}).status_code == 403
    assert EmailDomain.objects.count() == 0


def test_admin_adds_a_domain_and_a_chat_rule(client: Any, admin_user: Any) -> None:
    client.force_login(admin_user)
    assert client.get("/capture/rules/").status_code == 200
    response = client.post(
        "/capture/rules/", {"kind": "domain", "domain": "@HDJM.com.cn", "company": "华东精密"}
    )
    assert response.status_code == 302
    assert EmailDomain.objects.get().domain == "hdjm.com.cn"
    refused = client.post(
        "/capture/rules/",
        {"kind": "chat", "tag": "大单", "field": "budget_amount", "op": "gte", "value": "1000000"},
    )
    assert refused.status_code == 422 and not_in_library("大单") in refused.content.decode()
    assert not ChatTagRule.objects.filter(tag="大单").exists()
    library("大单")  # library only (issue 17): a rule's tag must be a library tag
    client.post(
        "/capture/rules/",
        {"kind": "chat", "tag": "大单", "field": "budget_amount", "op": "gte", "value": "1000000"},
    )
    assert ChatTagRule.objects.filter(tag="大单").exists()
    bad = client.post("/capture/rules/", {"kind": "chat", "tag": "x", "field": "nope"})
    assert bad.status_code == 422
