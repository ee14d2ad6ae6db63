"""Issue 14.6: the search index, the old addresses, masking, chains of merges, rows of other apps
(leads), older merge records; issue 13.1: every row moves through its app's services."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.core import serializers
from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.contacts.models import Contact
from kehu.core.models import SearchDocument
from kehu.customers.masking import pii_value
from kehu.customers.models import Customer
from kehu.customers.services import contact_create
from kehu.dedupe import movers
from kehu.dedupe.models import DuplicatePair, Merge
from kehu.dedupe.services import CHILDREN, customer_merge, merge_undo
from kehu.intake.capture.models import Lead
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db


def documents(customer_id: int) -> set[tuple[str, int]]:
    return set(
        SearchDocument.objects.filter(customer_id=customer_id).values_list("kind", "object_id")
    )


def hits(api: Any, user: Any, q: str) -> set[str]:
    body = api.login(user).get("/api/v1/search", q=q).json()
    return {hit["customer_no"] for group in body["groups"] for hit in group["hits"]}


@pytest.fixture
def two(customer_factory: Any, rep: Any) -> tuple[Customer, Customer, Contact]:
    """深圳市华信软件有限公司 and, newer, 华信软件（深圳）股份有限公司 with a contact 钱进 and a call."""
    a = customer_factory(name="深圳市华信软件有限公司")
    b = customer_factory(name="华信软件（深圳）股份有限公司")
    qian = contact_create(actor=rep, customer=b, data={"name": "钱进", "mobile": "13511112222"})
    interaction_log(
        actor=rep, customer=b, data={**STANDARD, "method": "visit", "topic": "年度框架协议"}
    )
    return a, b, qian


# --- The search index changes with the merge, and back with its undo


def test_the_search_index_follows_the_merge_and_its_undo(api: Any, steward: Any, two: Any) -> None:
    a, b, qian = two
    b_docs = documents(b.pk)
    assert hits(api, steward, "股份") == {b.customer_no}
    merge = customer_merge(actor=steward, survivor=a, merged=b)
    assert documents(b.pk) == set()  # nothing of b is found under its own number any more
    assert ("contact", qian.pk) in documents(a.pk)
    assert hits(api, steward, "钱进") == {a.customer_no}
    assert hits(api, steward, "年度框架协议") == {a.customer_no}
    assert b.customer_no not in hits(api, steward, "华信")

    merge_undo(actor=steward, merge=merge)
    assert documents(b.pk) == b_docs
    assert hits(api, steward, "钱进") == {b.customer_no}


def test_a_refused_merge_changes_nothing_not_even_the_index(
    api: Any, steward: Any, two: Any, monkeypatch: Any
) -> None:
    """A row nobody moves (here: leads, with their app's mover taken away) stops the merge: the
    merged customer is not deleted under it, and everything already moved rolls back."""
    a, b, qian = two
    Lead.objects.create(
        customer=b, contact=qian, outcome="attached", name="钱进", consent_purpose="联系",
        consent_at=timezone.now(),
    )  # fmt: skip
    index_before = set(SearchDocument.objects.values_list("kind", "object_id", "customer_id"))
    entries = AuditEntry.objects.count()
    monkeypatch.setattr(movers, "_MOVERS", {})
    response = api.login(steward).post("/api/v1/dedupe/merge", {"survivor": a.pk, "merged": b.pk})
    assert response.status_code == 409
    assert Contact.objects.get(pk=qian.pk).customer_id == b.pk
    assert set(SearchDocument.objects.values_list("kind", "object_id", "customer_id")) == (
        index_before
    )
    assert AuditEntry.objects.count() == entries and not Merge.objects.exists()


# --- The old addresses lead to the survivor


def test_the_old_addresses_redirect_to_the_survivor(
    api: Any, client: Any, steward: Any, rep: Any, outsider: Any, two: Any
) -> None:
    a, b, _qian = two
    merge = customer_merge(actor=steward, survivor=a, merged=b)
    client.force_login(rep)
    page = client.get(f"/customers/{b.customer_no}/")
    assert page.status_code == 302 and page["Location"] == f"/customers/{a.customer_no}/"
    detail = client.get(f"/api/v1/customers/{b.customer_no}")
    assert detail.status_code == 302
    assert detail["Location"] == f"/api/v1/customers/{a.customer_no}"
    assert detail.json()["customer_no"] == a.customer_no
    assert client.get(detail["Location"]).json()["customer_no"] == a.customer_no
    # Someone who may not see the survivor learns nothing: 404, as for any number.
    client.force_login(outsider)
    assert client.get(f"/customers/{b.customer_no}/").status_code == 404
    assert client.get(f"/api/v1/customers/{b.customer_no}").status_code == 404
    # After an undo the number is the restored customer's again.
    merge_undo(actor=steward, merge=merge)
    client.force_login(rep)
    assert client.get(f"/customers/{b.customer_no}/").status_code == 200
    assert client.get(f"/api/v1/customers/{b.customer_no}").json()["name"] == b.name


def test_a_chain_of_merges_leads_to_the_last_survivor(
    client: Any, steward: Any, rep: Any, customer_factory: Any
) -> None:
    a = customer_factory(name="深圳市华信软件有限公司")
    b = customer_factory(name="深圳华信软件有限公司")
    c = customer_factory(name="华信软件")
    first = customer_merge(actor=steward, survivor=b, merged=c)
    second = customer_merge(actor=steward, survivor=a, merged=b)
    client.force_login(rep)
    assert client.get(f"/customers/{c.customer_no}/")["Location"] == f"/customers/{a.customer_no}/"
    with pytest.raises(Exception, match=b.customer_no):
        merge_undo(actor=steward, merge=first)  # the later merge took its survivor away
    merge_undo(actor=steward, merge=second)
    merge_undo(actor=steward, merge=first)
    assert set(Customer.objects.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}


# --- The merge page masks as the 360 page does


def test_the_merge_page_masks_as_the_360_page(
    client: Any, steward: Any, rep: Any, customer_factory: Any
) -> None:
    a = customer_factory(name="深圳市华信软件有限公司", email="wang.jianguo@huaxin.cn")
    b = customer_factory(name="华信软件", phone="0755-86001234")
    pair = DuplicatePair.objects.create(customer_a=a, customer_b=b, score=0.97)
    client.force_login(steward)
    masked = pii_value(steward, a, "email")
    assert masked != a.email
    merge_page = client.get(f"/dedupe/pairs/{pair.pk}/").content.decode()
    page_360 = client.get(f"/customers/{a.customer_no}/").content.decode()
    for page in (merge_page, page_360):
        assert masked in page
        assert a.email not in page
    assert b.phone not in merge_page
    maker = Contact.objects.get(customer=a)
    assert maker.mobile not in merge_page  # the contacts' preview is masked too


# --- Every row of every app moves through that app's services (issue 13.1)


def test_every_row_pointing_at_a_customer_or_contact_has_a_way_to_move() -> None:
    """A new foreign key to customers or contacts fails here until the merge moves its rows
    (kehu/dedupe/services.py CHILDREN, or a Mover for an app above dedupe)."""
    registered = {m.label for m in movers.movers()}
    handled = {label for label, _model, _move in CHILDREN} | registered | {
        "contacts.contact", "tags.customertag", "customers.customerstatuschange",
        "customers.customershare", "review.reviewitem", "dedupe.duplicatepair", "dedupe.merge",
        "value.customervalue",  # derived: recomputed for the survivor, never moved
    }  # fmt: skip

    def pointing(model: Any) -> set[str]:
        return {cast(Any, r.related_model)._meta.label_lower for r in model._meta.related_objects}

    assert pointing(Customer) <= handled
    assert pointing(Contact) <= {
        "interactions.interaction",
        "interactions.behaviourevent",
        *registered,
    }


def test_leads_and_their_consent_follow_the_merge_and_its_undo(steward: Any, two: Any) -> None:
    a, b, qian = two
    lead = Lead.objects.create(
        customer=b, contact=qian, outcome="attached", name="钱进", consent_purpose="联系",
        consent_at=timezone.now(),
    )  # fmt: skip
    merge = customer_merge(actor=steward, survivor=a, merged=b)
    lead.refresh_from_db()
    assert (lead.customer_id, lead.contact_id) == (a.pk, qian.pk)
    assert AuditEntry.objects.filter(action="lead.moved").exists()
    merge_undo(actor=steward, merge=merge)
    lead.refresh_from_db()
    assert (lead.customer_id, lead.contact_id) == (b.pk, qian.pk)


def test_the_moves_are_audited_by_their_apps(steward: Any, two: Any) -> None:
    a, b, qian = two
    customer_merge(actor=steward, survivor=a, merged=b)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"contact.moved", "interaction.moved", "customer.merged_into", "customer.merged"} <= (
        actions
    )
    moved = AuditEntry.objects.get(action="interaction.moved")
    assert moved.changes == {"customer": [b.customer_no, a.customer_no]}
    assert moved.customer_id == a.pk  # in the history of the customer it joined


# --- A merge recorded before the merge went through the services can still be undone


def test_an_older_merge_record_is_undone(steward: Any, two: Any) -> None:
    a, b, qian = two
    call = Interaction.objects.get(customer=b)
    snapshot = serializers.serialize("python", [Customer.objects.get(pk=b.pk)])[0]
    snapshot["fields"] = {
        k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in snapshot["fields"].items()
    }
    contacts = list(Contact.objects.filter(customer=b).values_list("pk", flat=True))
    merge = Merge.objects.create(  # as the old customer_merge wrote it
        survivor=a,
        merged_customer_id=b.pk,
        merged_customer_no=b.customer_no,
        merged_snapshot={**snapshot, "pairs": [], "dropped": []},
        survivor_before={"name": a.name},
        moved={
            "contacts.contact": {"customer": contacts},
            "interactions.interaction": {"customer": [call.pk]},
        },
    )
    Contact.objects.filter(customer=b).update(customer=a)
    Interaction.objects.filter(pk=call.pk).update(customer=a)
    Customer.objects.filter(pk=a.pk).update(name=b.name)
    SearchDocument.objects.filter(customer_id=b.pk).delete()
    Customer.objects.filter(pk=b.pk).delete()

    merge_undo(actor=steward, merge=merge)
    restored = Customer.objects.get(pk=b.pk)
    assert restored.customer_no == b.customer_no and restored.name == b.name
    assert set(Contact.objects.filter(customer=b).values_list("pk", flat=True)) == set(contacts)
    assert Interaction.objects.get(pk=call.pk).customer_id == b.pk
    assert Customer.objects.get(pk=a.pk).name == "深圳市华信软件有限公司"
    assert ("contact", qian.pk) in documents(b.pk)
