"""The customer-360 page and what is done from it, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.customers.models import Contact
from kehu.customers.services import contact_create, customer_update
from kehu.interactions.models import BehaviourEvent, Interaction
from kehu.interactions.services import events_ingest, interaction_log
from kehu.interactions.tests.helpers import STANDARD
from kehu.opportunities.services import opportunity_create, order_create

HTMX = {"HX-Request": "true"}


def add_children(customer, actor, count: int) -> None:
    for i in range(count):
        contact_create(
            actor=actor,
            customer=customer,
            data={"name": f"联系人{i}", "mobile": f"1390000{i:04d}", "decision_role": "影响者"},
        )
        interaction_log(
            actor=actor,
            customer=customer,
            data={**STANDARD, "method": "电话", "topic": f"跟进{i}", "summary": "沟通需求"},
        )
        opportunity_create(actor=actor, customer=customer, data={"title": f"商机{i}"})
        order_create(
            actor=actor,
            customer=customer,
            data={"lines": [{"product": "软件许可", "quantity": "2", "unit_price": "1000"}]},
        )
    events_ingest(
        actor=actor,
        events=[
            {
                "customer_no": customer.customer_no,
                "kind": "web_visit",
                "occurred_at": "2026-03-05 10:00",
            }
            for _ in range(count)
        ],
        customers=type(customer).objects.all(),
    )


def test_360_shows_every_section(client, customer_factory, rep):
    customer = customer_factory(name="全景测试有限公司", status="intent", status_reason="有意向")
    add_children(customer, rep, 2)
    client.force_login(rep)
    response = client.get(f"/customers/{customer.customer_no}/")
    assert response.status_code == 200
    body = response.content.decode()
    for section in ("contacts", "interactions", "timeline", "opportunities", "orders", "events",
                    "history", "status-history", "quick-interaction"):  # fmt: skip
        assert f'id="{section}"' in body, section
    assert body.count('class="interaction-item"') == 2
    assert body.count('class="order-item"') == 2
    assert body.count('class="event-item"') == 2
    assert "13900000001" in body  # phones shown as 11 digits, not E.164
    assert "+8613900000001" not in body.replace('href="tel:+8613900000001"', "")
    assert "软件许可" in body


def test_360_is_404_for_an_outsider(client, customer_factory, outsider):
    customer = customer_factory()
    client.force_login(outsider)
    assert client.get(f"/customers/{customer.customer_no}/").status_code == 404
    response = client.post(
        f"/customers/{customer.customer_no}/interactions/new/", {"method": "phone"}, headers=HTMX
    )
    assert response.status_code == 404
    assert Interaction.objects.count() == 0


def test_360_query_count_is_constant(client, customer_factory, rep):
    small = customer_factory(name="小客户")
    big = customer_factory(name="大客户")
    add_children(small, rep, 1)
    add_children(big, rep, 25)
    client.force_login(rep)
    client.get(f"/customers/{small.customer_no}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/customers/{small.customer_no}/")
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/customers/{big.customer_no}/")
    assert response.content.decode().count('class="interaction-item"') == 20
    assert len(many) == len(one), [q["sql"] for q in many]


def test_timeline_more_loads_the_next_items(client, customer_factory, rep):
    customer = customer_factory()
    add_children(customer, rep, 23)
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/")
    cursor = page.context["timeline"].next_cursor
    assert cursor
    response = client.get(
        f"/customers/{customer.customer_no}/interactions/", {"cursor": cursor}, headers=HTMX
    )
    assert response.content.decode().count('class="interaction-item"') == 3
    assert "<html" not in response.content.decode()
    plain = client.get(f"/customers/{customer.customer_no}/interactions/", {"cursor": cursor})
    assert plain.status_code == 200 and "<html" in plain.content.decode()


def test_quick_add_interaction_with_htmx(client, customer_factory, rep):
    customer = customer_factory()
    contact = customer.contacts.get()
    client.force_login(rep)
    occurred = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/customers/{customer.customer_no}/interactions/new/",
        {
            "method": "visit",
            "occurred_at": occurred,
            "contact_id": contact.pk,
            "topic": "上门演示",
            "summary": "演示了新版本",
            "feedback": "interested",
            "next_action": "发送报价",
            "next_action_due": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="timeline">')
    assert body.count('class="interaction-item"') == 1
    assert "上门演示" in body
    assert 'id="quick-interaction"' in body and 'hx-swap-oob="true"' in body
    interaction = Interaction.objects.get()
    assert interaction.performed_by == rep
    assert interaction.contact == contact
    assert interaction.feedback == "interested"
    assert not interaction.is_late_entry
    customer.refresh_from_db()
    assert customer.last_interaction_at == interaction.occurred_at


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"method": "", "topic": "无方式"}, "method"),
        ({"method": "phone", "occurred_at": "2099-01-01T10:00"}, "occurred_at"),
        ({"method": "phone", "next_action_due": "明天"}, "next_action_due"),
    ],
)
def test_quick_add_bad_input_returns_the_form_naming_the_field(
    client, customer_factory, rep, data, field
):
    customer = customer_factory()
    entries = AuditEntry.objects.count()
    client.force_login(rep)
    response = client.post(
        f"/customers/{customer.customer_no}/interactions/new/", data, headers=HTMX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#quick-interaction"
    body = response.content.decode()
    assert body.lstrip().startswith("<form")
    assert f'id="error-{field}"' in body
    assert Interaction.objects.count() == 0
    assert AuditEntry.objects.count() == entries


def test_quick_add_without_js_redirects_or_rerenders(client, customer_factory, rep):
    customer = customer_factory()
    client.force_login(rep)
    url = f"/customers/{customer.customer_no}/interactions/new/"
    response = client.post(url, {**STANDARD, "method": "wechat", "topic": "微信沟通"})
    assert response.status_code == 302
    assert response.url == f"/customers/{customer.customer_no}/#timeline"
    response = client.post(url, {"method": "fax"})
    assert response.status_code == 422
    assert 'id="error-method"' in response.content.decode()
    assert Interaction.objects.count() == 1


def test_quick_add_forbidden_for_read_only_roles(client, customer_factory, executive):
    customer = customer_factory()
    client.force_login(executive)
    page = client.get(f"/customers/{customer.customer_no}/")
    assert page.status_code == 200
    assert 'id="quick-interaction"' not in page.content.decode()
    response = client.post(
        f"/customers/{customer.customer_no}/interactions/new/", {"method": "phone"}, headers=HTMX
    )
    assert response.status_code == 403
    assert Interaction.objects.count() == 0


def test_add_contact_and_mark_left(client, customer_factory, rep):
    customer = customer_factory()
    client.force_login(rep)
    url = f"/customers/{customer.customer_no}/contacts/new/"
    response = client.post(url, {"name": "钱采购", "mobile": "12345", "contact_type": "customer"})
    assert response.status_code == 422
    assert 'id="error-mobile"' in response.content.decode()
    assert customer.contacts.count() == 1
    response = client.post(
        url,
        {"name": "钱采购", "title": "采购经理", "mobile": "13912345678",
         "contact_type": "customer", "decision_role": "budget_approver"},
    )  # fmt: skip
    assert response.status_code == 302
    contact = customer.contacts.get(name="钱采购")
    assert contact.mobile == "+8613912345678"
    response = client.post(f"/contacts/{contact.pk}/left/")
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.has_left and contact.left_on == timezone.localdate()
    body = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f'id="contact-{contact.pk}"' in body  # still shown, marked
    assert 'class="contact left"' in body


def test_contact_pages_deny_outsiders_and_readers(client, customer_factory, outsider, executive):
    customer = customer_factory()
    contact = customer.contacts.get()
    client.force_login(outsider)
    assert client.post(f"/contacts/{contact.pk}/left/").status_code == 404
    client.force_login(executive)
    assert client.post(f"/contacts/{contact.pk}/left/").status_code == 403
    response = client.post(f"/customers/{customer.customer_no}/contacts/new/", {"name": "X"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert not contact.has_left
    assert Contact.objects.count() == 1


def test_history_shows_field_before_and_after(client, customer_factory, rep, manager):
    customer = customer_factory(name="旧名字")
    customer_update(actor=manager, customer=customer, data={"name": "新名字", "size": "medium"})
    client.force_login(rep)
    body = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "<del>旧名字</del>" in body
    assert "<ins>新名字</ins>" in body
    assert BehaviourEvent.objects.count() == 0


def test_add_opportunity_from_the_360_page(client, rep, outsider, customer_factory):
    from kehu.opportunities.models import Opportunity

    customer = customer_factory()
    url = f"/customers/{customer.customer_no}/opportunities/new/"
    client.force_login(outsider)
    assert client.post(url, {"title": "越权"}).status_code == 404
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/")
    assert 'id="opportunity-add"' in page.content.decode()
    response = client.post(
        url, {"title": "年度采购", "expected_amount": "50万", "stage": "proposal"}
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get(customer=customer)
    assert opportunity.expected_amount == 500000
    assert opportunity.stage == "proposal"
    response = client.post(url, {"title": "", "expected_amount": "很多"}, follow=True)
    assert Opportunity.objects.count() == 1
    assert "expected_amount" in response.content.decode()


def test_edit_a_contact_from_the_360_page(client, customer_factory, rep):
    customer = customer_factory()
    contact = customer.contacts.get()
    client.force_login(rep)
    body = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f'href="/contacts/{contact.pk}/edit/"' in body
    page = client.get(f"/contacts/{contact.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="王建国"' in html and f"/customers/{customer.customer_no}/#contact-" in html
    # All errors in one round, nothing written.
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        {"name": "王建国", "mobile": "12345", "email": "not-an-email", "contact_type": "customer"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="error-mobile"' in html and 'id="error-email"' in html
    contact.refresh_from_db()
    assert contact.email == ""
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        {"name": "王建国", "title": "副总经理", "mobile": "13912340001",
         "email": "jg.wang@example.cn", "contact_type": "customer",
         "decision_role": "decision_maker"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == f"/customers/{customer.customer_no}/#contact-{contact.pk}"
    contact.refresh_from_db()
    assert (contact.title, contact.mobile, contact.email) == (
        "副总经理",
        "+8613912340001",
        "jg.wang@example.cn",
    )
    entry = AuditEntry.objects.filter(action="contact.updated").latest("id")
    assert entry.actor_id == rep.pk and "title" in entry.changes


def test_mark_left_on_a_date_and_undo(client, customer_factory, rep):
    customer = customer_factory()
    contact = contact_create(
        actor=rep, customer=customer, data={"name": "钱采购", "mobile": "13912345670"}
    )
    client.force_login(rep)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    client.post(f"/contacts/{contact.pk}/left/", {"left_on": future})
    contact.refresh_from_db()
    assert not contact.has_left  # refused, with a message
    messages = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "离职日期不能晚于今天" in messages
    client.post(f"/contacts/{contact.pk}/left/", {"left_on": "2026-03-01"})
    contact.refresh_from_db()
    assert contact.has_left and contact.left_on.isoformat() == "2026-03-01"
    body = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f'id="contact-rejoin-{contact.pk}"' in body and "2026-03-01" in body
    response = client.post(f"/contacts/{contact.pk}/rejoin/")
    assert response.status_code == 302
    contact.refresh_from_db()
    assert not contact.has_left and contact.left_on is None
    actions = list(
        AuditEntry.objects.filter(action="contact.updated").values_list("changes", flat=True)
    )
    assert any("has_left" in c for c in actions)


def test_a_steward_edits_blind_fields_without_seeing_or_losing_them(client, customer_factory):
    from kehu.accounts.models import Role
    from kehu.conftest import make_user

    steward = make_user("steward", Role.STEWARD, None)
    customer = customer_factory()
    contact = customer.contacts.get()
    mobile = contact.mobile
    client.force_login(steward)
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert mobile[-4:] in html and mobile[3:] not in html  # only the masked form
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        {"name": "王建国", "title": "总监", "mobile": "", "contact_type": "customer"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.title == "总监" and contact.mobile == mobile


def test_phones_and_emails_are_tap_to_call_and_mail_for_who_sees_them(
    client, customer_factory, rep, rep2
):
    customer = customer_factory(email="sales@huadong.cn")
    contact = customer.contacts.get()
    client.force_login(rep)
    body = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f'href="tel:{contact.mobile}"' in body
    assert 'href="mailto:sales@huadong.cn"' in body
    assert 'id="menu-toggle"' in body  # the folded menu for narrow screens
    client.force_login(rep2)  # a teammate: no access, and no number leaks into a link
    assert client.get(f"/customers/{customer.customer_no}/").status_code == 404


def test_labels_name_what_they_ask_for(client, customer_factory, rep):
    customer = customer_factory()
    contact = customer.contacts.get()
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "商机名称" in page  # an opportunity's title is not a person's 职务
    edit = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert ">姓名" in edit and ">名称" not in edit


def test_system_status_reasons_are_shown_in_the_readers_language(client, customer_factory, rep):
    from kehu.customers.models import CustomerStatusChange

    customer = customer_factory()
    CustomerStatusChange.objects.filter(customer=customer).update(reason="Imported (#7)")
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "导入（第 7 批）" in page and "Imported (#7)" not in page
    CustomerStatusChange.objects.filter(customer=customer).update(reason="Created")
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert "<small>已创建</small>" in page
