"""An edit rewrites the contacts' search documents only when the customer's name changed (they
show it); a notes edit costs the same queries however many contacts the customer has."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.core.models import SearchDocument
from kehu.customers.services import contact_create, customer_update


def _add_contacts(rep: Any, customer: Any, count: int) -> None:
    for index in range(count):
        contact_create(
            actor=rep, customer=customer, data={"name": f"联系人{index}", "wechat": f"wx_{index}"}
        )


def _queries_of_notes_edit(rep: Any, customer: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        customer_update(actor=rep, customer=customer, data={"notes": "一次备注"})
    return len(queries.captured_queries)


def test_a_notes_edit_does_not_grow_with_the_contacts(rep, customer_factory) -> None:
    one = customer_factory(name="一联系人贸易有限公司")
    many = customer_factory(name="多联系人贸易有限公司")
    _add_contacts(rep, many, 4)
    assert _queries_of_notes_edit(rep, one) == _queries_of_notes_edit(rep, many)


def test_a_rename_carries_the_name_to_the_contacts_documents(
    rep, admin_user, customer_factory
) -> None:
    customer = customer_factory(name="旧名贸易有限公司")
    _add_contacts(rep, customer, 2)
    customer_update(actor=rep, customer=customer, data={"notes": "只改备注"})
    contacts = SearchDocument.objects.filter(customer_id=customer.pk, kind="contact")
    assert contacts.count() == 3 and all("旧名" in d.subtitle for d in contacts)
    customer_update(actor=admin_user, customer=customer, data={"name": "新名贸易有限公司"})
    assert all("新名贸易有限公司" in d.subtitle for d in contacts.all())
