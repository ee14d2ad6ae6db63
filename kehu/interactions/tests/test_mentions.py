"""@mentions (issue 16): in an interaction's summary, a customer's notes or a task's note, a
colleague who may see the customer is told with a link; anyone else gets nothing, and the
autocomplete offers only those who may see it."""

from __future__ import annotations

import pytest

from kehu.accounts.mentions import mentioned_users
from kehu.accounts.models import Notification
from kehu.audit.models import AuditEntry
from kehu.customers.services import customer_update
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db


def told_zh(user):
    return list(Notification.objects.filter(user=user, link__startswith="/customers/"))


def test_longest_name_wins_and_usernames_work(rep, rep2, manager):
    assert mentioned_users("请 @王经理跟进，抄送 @rep2 和 @nobody") == [manager, rep2]


def test_interaction_summary_mentions_reach_only_who_may_see(
    api, rep, rep2, manager, outsider, customer_factory
):
    customer = customer_factory(name="提及贸易")
    response = api.login(rep).post(
        f"/api/v1/customers/{customer.customer_no}/interactions",
        {**STANDARD, "method": "电话", "summary": "@王经理 请审批折扣；@赵销售 @李销售 知悉"},
    )
    assert response.status_code == 201, response.content
    (note,) = told_zh(manager)
    assert note.link == f"/customers/{customer.customer_no}/"
    assert "提及贸易" in note.message and "张销售" in note.message
    # rep2 (same team, not the owner) and the outsider may not see the customer: nothing.
    assert told_zh(rep2) == [] and told_zh(outsider) == []
    entry = AuditEntry.objects.get(action="mention.sent")
    assert entry.changes == {"user": ["manager"]}
    # Editing the summary tells only newly mentioned people.
    number = response.json()["interaction_no"]
    api.patch(f"/api/v1/interactions/{number}", {"summary": "@王经理 再看一下"})
    assert len(told_zh(manager)) == 1


def test_customer_notes_and_task_notes_mention(api, rep, manager, customer_factory):
    customer = customer_factory(name="备注提及")
    customer_update(actor=rep, customer=customer, data={"notes": "大客户，@manager 请关注"})
    assert len(told_zh(manager)) == 1
    created = api.login(rep).post(
        "/api/v1/follow-ups",
        {
            "customer_no": customer.customer_no,
            "kind": "其他",
            "title": "报价",
            "note": "@王经理 帮忙",
        },
    )
    assert created.status_code == 201
    assert len(told_zh(manager)) == 2
    # Never the author themself.
    customer_update(actor=rep, customer=customer, data={"notes": "@张销售 自己提醒自己"})
    assert told_zh(rep) == []


def test_autocomplete_offers_only_users_who_may_see(
    api, rep, rep2, manager, outsider, executive, customer_factory
):
    customer = customer_factory(name="补全贸易")
    url = "/api/v1/users/mentionable"
    names = [
        u["username"] for u in api.login(rep).get(url, customer_no=customer.customer_no).json()
    ]
    assert "manager" in names and "boss" in names
    assert "rep2" not in names and "outsider" not in names and "rep" not in names
    found = api.get(url, customer_no=customer.customer_no, q="王").json()
    assert found == [{"username": "manager", "name": "王经理"}]
    # A customer the asker may not see: 404, nobody listed.
    assert api.login(outsider).get(url, customer_no=customer.customer_no).status_code == 404


def test_text_areas_carry_the_autocomplete(client, rep, customer_factory):
    customer = customer_factory(name="页面提及")
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f'data-mention="{customer.customer_no}"' in page
    assert "kehu/mentions.js" in page
