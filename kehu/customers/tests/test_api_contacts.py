"""Contacts through the API: create, change, mark as left, delete; reachability is kept."""

from __future__ import annotations

from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.customers.models import Contact, Customer


def contacts_url(customer: Customer) -> str:
    return f"/api/v1/customers/{customer.customer_no}/contacts"


def state() -> tuple[list[tuple], int]:
    rows = list(Contact.objects.order_by("id").values_list("id", "name", "mobile", "has_left"))
    return rows, AuditEntry.objects.count()


def test_create_contact_with_chinese_value_lists(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    response = api.post(
        contacts_url(customer),
        {
            "name": "刘洋",
            "gender": "女",
            "title": "IT 经理",
            "department": "信息部",
            "mobile": "139 0000 1111",
            "phone": "(021)62345678 转 301",
            "email": "Liu.Yang@Example.com",
            "wechat": "liuyang_it",
            "qq": "１２３４５６７８",
            "contact_type": "合作伙伴",
            "decision_role": "技术选型者",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer_no"] == customer.customer_no
    assert body["name_pinyin"] == "liu yang"
    assert body["gender"] == "female"
    assert body["mobile"] == "+8613900001111"
    assert body["mobile_display"] == "13900001111"
    assert body["landline"] == "+862162345678;ext=301"
    assert body["email"] == "liu.yang@example.com"
    assert body["qq"] == "12345678"
    assert body["contact_type"] == "partner"
    assert body["decision_role"] == "technical_evaluator"
    assert body["is_primary"] is False
    entry = AuditEntry.objects.get(action="contact.created")
    assert entry.customer_id == customer.pk
    assert entry.changes["name"] == [None, "刘洋"]


def test_contact_errors_are_named_and_nothing_is_written(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    before = state()
    response = api.post(
        contacts_url(customer),
        {"mobile": "123", "email": "x@", "gender": "未知", "qq": "abc", "left_on": "2026-02-30"},
    )
    assert response.status_code == 422
    assert {"name", "mobile", "email", "gender", "qq", "left_on"} <= set(response.json()["errors"])
    assert state() == before


def test_patch_contact_is_audited_with_before_and_after(api, rep, customer_factory):
    customer = customer_factory()
    contact = customer.contacts.get()
    api.login(rep)
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"title": "董事长"})
    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert contact.title == "董事长"
    entry = AuditEntry.objects.get(action="contact.updated")
    assert entry.changes == {"title": ["总经理", "董事长"]}
    assert entry.customer_id == customer.pk


def test_new_primary_contact_replaces_the_old_one(api, rep, customer_factory):
    customer = customer_factory()
    old = customer.contacts.get()
    api.login(rep)
    response = api.post(
        contacts_url(customer), {"name": "新联系人", "mobile": "13900002222", "is_primary": True}
    )
    assert response.status_code == 201
    old.refresh_from_db()
    assert old.is_primary is False
    assert customer.contacts.filter(is_primary=True).get().name == "新联系人"


def test_marking_a_contact_as_left_keeps_the_person(api, rep, customer_factory):
    customer = customer_factory(address="上海市浦东新区世纪大道 100 号")
    contact = customer.contacts.get()
    api.login(rep)
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"has_left": True})
    assert response.status_code == 200, response.content
    assert response.json()["has_left"] is True
    assert response.json()["left_on"] == timezone.localdate().isoformat()
    contact.refresh_from_db()
    assert contact.has_left is True
    # Still listed (history is kept), but no longer the decision maker.
    listed = api.get(contacts_url(customer)).json()["items"]
    assert [c["id"] for c in listed] == [contact.pk]
    detail = api.get(f"/api/v1/customers/{customer.customer_no}").json()
    assert detail["decision_maker"] is None
    assert "decision_maker_name" in detail["missing_fields"]


def test_marking_the_last_reachable_contact_as_left_is_refused(api, rep, customer_factory):
    customer = customer_factory()
    contact = customer.contacts.get()
    api.login(rep)
    before = state()
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"has_left": True})
    assert response.status_code == 422
    assert "contact" in response.json()["errors"]
    assert state() == before


def test_removing_the_last_way_of_contact_is_refused_and_rolled_back(api, rep, customer_factory):
    customer = customer_factory()
    contact = customer.contacts.get()
    api.login(rep)
    before = state()
    deleted = api.delete(f"/api/v1/contacts/{contact.pk}")
    assert deleted.status_code == 422
    assert "contact" in deleted.json()["errors"]
    blanked = api.patch(f"/api/v1/contacts/{contact.pk}", {"mobile": ""})
    assert blanked.status_code == 422
    assert state() == before
    contact.refresh_from_db()
    assert contact.mobile.startswith("+86")


def test_deleting_a_contact_when_another_way_remains(api, rep, customer_factory):
    customer = customer_factory()
    first = customer.contacts.get()
    second = api.login(rep).post(
        contacts_url(customer), {"name": "备用联系人", "email": "backup@example.com"}
    )
    assert second.status_code == 201
    response = api.delete(f"/api/v1/contacts/{first.pk}")
    assert response.status_code == 204
    assert list(customer.contacts.values_list("name", flat=True)) == ["备用联系人"]
    entry = AuditEntry.objects.get(action="contact.deleted")
    assert entry.changes["name"] == ["王建国", None]
    customer.refresh_from_db()
    assert "decision_maker_name" in customer.missing_fields


def test_outsider_cannot_see_or_change_contacts(api, outsider, customer_factory):
    customer = customer_factory()
    contact = customer.contacts.get()
    api.login(outsider)
    before = state()
    assert api.get(f"/api/v1/contacts/{contact.pk}").status_code == 404
    assert api.get(contacts_url(customer)).status_code == 404
    assert api.patch(f"/api/v1/contacts/{contact.pk}", {"name": "X"}).status_code == 404
    assert api.delete(f"/api/v1/contacts/{contact.pk}").status_code == 404
    assert (
        api.post(contacts_url(customer), {"name": "X", "mobile": "13900003333"}).status_code == 404
    )
    assert state() == before


def test_executive_may_read_contacts_but_not_change_them(api, executive, customer_factory):
    customer = customer_factory()
    contact = customer.contacts.get()
    api.login(executive)
    before = state()
    assert api.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    assert api.patch(f"/api/v1/contacts/{contact.pk}", {"name": "X"}).status_code == 403
    assert api.delete(f"/api/v1/contacts/{contact.pk}").status_code == 403
    assert (
        api.post(contacts_url(customer), {"name": "X", "mobile": "13900003333"}).status_code == 403
    )
    assert state() == before


def test_contact_list_pages(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    for i in range(4):
        api.post(contacts_url(customer), {"name": f"联系人{i}", "mobile": f"1390000444{i}"})
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get(contacts_url(customer), **params).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(customer.contacts.values_list("id", flat=True))
