"""Optimistic locking on the customer edit page: a stale save shows what the other person
changed (their value against yours), keeps both changes in the refilled form, saves on top of
the current version, or is discarded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db


def opened(client: Client, url: str) -> dict[str, str]:
    form = client.get(url).context["form"]
    return {k: ("" if v is None else str(v)) for k, v in form.initial.items()}


def test_stale_save_shows_the_other_change_and_merges(customer_factory, rep, manager):
    customer = customer_factory(name="华南电子有限公司", notes="初次拜访")
    url = f"/customers/{customer.customer_no}/edit/"
    mine, theirs = Client(), Client()
    mine.force_login(manager)
    theirs.force_login(rep)
    my_form = opened(mine, url)
    their_form = opened(theirs, url)
    assert my_form["version"] == their_form["version"] == "1"

    their_form["notes"] = "已报价等待回复"
    assert theirs.post(url, their_form).status_code == 302

    entries = AuditEntry.objects.count()
    my_form["address"] = "广州市天河区体育西路 1 号"
    response = mine.post(url, my_form)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="version-conflict"' in page
    assert "张销售" in page and "（您打开之后）修改了这条记录" in page
    clashes = response.context["clashes"]
    assert [(c.name, c.theirs, c.yours, c.both) for c in clashes] == [
        ("notes", "已报价等待回复", "初次拜访", False)
    ]
    customer.refresh_from_db()
    assert (customer.notes, customer.address, customer.version) == ("已报价等待回复", "", 2)
    assert AuditEntry.objects.count() == entries  # nothing of mine was written

    # The refilled form: their notes, my address, the current version.
    refilled = response.context["form"]
    assert refilled.initial["notes"] == "已报价等待回复"
    assert refilled.initial["address"] == "广州市天河区体育西路 1 号"
    assert refilled.initial["version"] == 2
    again = {k: ("" if v is None else str(v)) for k, v in refilled.initial.items()}
    assert mine.post(url, again).status_code == 302
    customer.refresh_from_db()
    assert (customer.notes, customer.address, customer.version) == (
        "已报价等待回复",
        "广州市天河区体育西路 1 号",
        3,
    )


def test_both_changed_one_field_shows_both_and_keeps_mine(customer_factory, rep, manager):
    customer = customer_factory()
    url = f"/customers/{customer.customer_no}/edit/"
    mine, theirs = Client(), Client()
    mine.force_login(manager)
    theirs.force_login(rep)
    my_form, their_form = opened(mine, url), opened(theirs, url)
    their_form["size"] = "small"
    assert theirs.post(url, their_form).status_code == 302
    my_form["size"] = "large"
    response = mine.post(url, my_form)
    assert response.status_code == 409
    [clash] = response.context["clashes"]
    assert (clash.name, clash.both) == ("size", True)
    with translation.override("zh-hans"):  # the choices' labels, not their codes
        assert (clash.theirs, clash.yours) == (
            str(Customer.Size.SMALL.label),
            str(Customer.Size.LARGE.label),
        )
    assert clash.theirs != "small"
    assert response.context["form"].initial["size"] == "large"
    assert 'id="conflict-discard"' in response.content.decode()
    # Discarding reopens the form from the saved record.
    assert opened(mine, url)["size"] == "small"
    assert Customer.objects.get(pk=customer.pk).size == "small"


def test_logging_a_call_meanwhile_is_no_conflict(customer_factory, rep, manager):
    customer = customer_factory()
    url = f"/customers/{customer.customer_no}/edit/"
    client = Client()
    client.force_login(manager)
    form = opened(client, url)
    from kehu.interactions.services import interaction_log  # the last interaction is derived

    interaction_log(
        actor=rep,
        customer=customer,
        data={**STANDARD, "method": "phone"},
    )
    form["notes"] = "电话后补充"
    assert client.post(url, form).status_code == 302


def test_contact_edit_page_conflict(customer_factory, rep, manager):
    from kehu.customers.models import Contact

    customer = customer_factory()
    contact = Contact.objects.get(customer=customer)
    url = f"/contacts/{contact.pk}/edit/"
    mine, theirs = Client(), Client()
    mine.force_login(manager)
    theirs.force_login(rep)
    my_form, their_form = opened(mine, url), opened(theirs, url)
    assert my_form["version"] == "1"
    their_form["title"] = "董事长"
    assert theirs.post(url, their_form).status_code == 302
    my_form["department"] = "采购部"
    response = mine.post(url, my_form)
    assert response.status_code == 409
    assert 'id="version-conflict"' in response.content.decode()
    assert [(c.name, c.theirs, c.yours) for c in response.context["clashes"]] == [
        ("title", "董事长", "总经理")
    ]
    contact.refresh_from_db()
    assert (contact.title, contact.department) == ("董事长", "")
    again = {k: ("" if v is None else str(v)) for k, v in response.context["form"].initial.items()}
    assert mine.post(url, again).status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.department, contact.version) == ("董事长", "采购部", 3)
