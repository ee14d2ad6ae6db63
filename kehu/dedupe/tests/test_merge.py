"""Merge moves every child row to the survivor, is audited, and undo restores everything."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kehu.audit.models import AuditEntry
from kehu.core.crypto import blind_values
from kehu.customers.models import Contact, Customer
from kehu.dedupe.models import DuplicatePair, Merge
from kehu.dedupe.services import customer_merge, merge_undo
from kehu.interactions.models import BehaviourEvent, Interaction
from kehu.opportunities.models import Opportunity, Order


def _children(customer: Customer) -> dict[str, set[int]]:
    return {
        "contacts": set(customer.contacts.values_list("pk", flat=True)),
        "interactions": set(customer.interactions.values_list("pk", flat=True)),
        "orders": set(customer.orders.values_list("pk", flat=True)),
        "opportunities": set(customer.opportunities.values_list("pk", flat=True)),
        "events": set(customer.events.values_list("pk", flat=True)),
        "status_changes": set(customer.status_changes.values_list("pk", flat=True)),
    }


def _give_children(customer: Customer) -> None:
    now = timezone.now()
    Contact.objects.create(customer=customer, name="李四", mobile="+8613700000002")
    Interaction.objects.create(
        customer=customer,
        interaction_no=f"HD{customer.customer_no}0001",
        occurred_at=now - timedelta(days=1),
        method=Interaction.Method.choices[0][0],
    )
    Order.objects.create(
        customer=customer, order_no=f"DD{customer.pk}", signed_on=date(2026, 1, 5),
        amount=Decimal("80000"),
    )  # fmt: skip
    Opportunity.objects.create(customer=customer, title="年度合同")
    BehaviourEvent.objects.create(
        customer=customer, kind=BehaviourEvent.Kind.choices[0][0], occurred_at=now
    )


def test_merge_moves_every_child_and_undo_restores_it(pair_of_customers: Any, steward: Any) -> None:
    survivor, merged = pair_of_customers
    _give_children(merged)
    Customer.objects.filter(pk=merged.pk).update(
        **blind_values(Customer, {"email": "info@huaxin.cn"})
    )
    merged.refresh_from_db()
    before_survivor = _children(survivor)
    before_merged = _children(merged)
    merged_row = Customer.objects.filter(pk=merged.pk).values().get()
    survivor_name = survivor.name

    merge = customer_merge(
        actor=steward, survivor=survivor, merged=merged, choices={"name": "merged"}
    )

    assert not Customer.objects.filter(pk=merged.pk).exists()
    survivor.refresh_from_db()
    assert survivor.name == merged_row["name"]  # picked by the steward
    assert survivor.email == "info@huaxin.cn"  # the only non-empty value is kept
    after = _children(survivor)
    # The decision makers are one person (the same mobile): one contact now (issue 14.6).
    (folded,) = merge.contacts["folded"]
    assert folded["merged"]["id"] in before_merged["contacts"]
    before_merged_kept = {
        **before_merged,
        "contacts": before_merged["contacts"] - {folded["merged"]["id"]},
    }
    for kind in after:
        assert after[kind] == before_survivor[kind] | before_merged_kept[kind], kind
    assert AuditEntry.objects.filter(action="customer.merged").count() == 1

    merge_undo(actor=steward, merge=merge)

    restored = Customer.objects.filter(pk=merged.pk).values().get()
    # Every column as it was, but the version: the undo is an edit, forms opened before it are
    # stale (kehu.core.versioning).
    assert restored["version"] == merged_row["version"] + 1
    assert {**restored, "version": 0} == {**merged_row, "version": 0}
    survivor.refresh_from_db()
    assert survivor.name == survivor_name and survivor.email == ""
    assert _children(survivor) == before_survivor
    assert _children(Customer.objects.get(pk=merged.pk)) == before_merged
    assert Merge.objects.get().undone_at is not None
    assert AuditEntry.objects.filter(action="customer.merge_undone").count() == 1


def test_default_keeps_the_most_recent_non_empty_value(
    pair_of_customers: Any, steward: Any
) -> None:
    survivor, merged = pair_of_customers
    Customer.objects.filter(pk=merged.pk).update(
        size="large", updated_at=timezone.now() + timedelta(days=1)
    )
    Customer.objects.filter(pk=survivor.pk).update(size="small", address="旧地址")
    survivor.refresh_from_db()
    merged.refresh_from_db()
    customer_merge(actor=steward, survivor=survivor, merged=merged)
    survivor.refresh_from_db()
    assert survivor.size == "large"  # newer record's value
    assert survivor.name == merged.name


def test_rep_cannot_merge(api: Any, rep: Any, pair_of_customers: Any) -> None:
    survivor, merged = pair_of_customers
    response = api.login(rep).post(
        "/api/v1/dedupe/merge", {"survivor": survivor.pk, "merged": merged.pk}
    )
    assert response.status_code == 403
    assert Customer.objects.filter(pk=merged.pk).exists()
    assert not AuditEntry.objects.filter(action="customer.merged").exists()
    assert not Merge.objects.exists()


def test_merge_and_undo_through_the_api(api: Any, steward: Any, pair_of_customers: Any) -> None:
    survivor, merged = pair_of_customers
    api.login(steward)
    response = api.post("/api/v1/dedupe/merge", {"survivor": survivor.pk, "merged": merged.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["merged_customer_no"] == merged.customer_no
    # The merged record's only contact is the survivor's decision maker (the same mobile): it is
    # folded into that contact, not moved beside it (issue 14.6).
    assert body["contacts_folded"] == 1 and "contacts.contact" not in body["moved"]
    response = api.post(f"/api/v1/dedupe/merges/{body['id']}/undo")
    assert response.status_code == 200 and response.json()["undone_at"]
    assert Customer.objects.filter(pk=merged.pk).exists()


def test_steward_pages_merge_and_not_duplicate(
    client: Any, steward: Any, rep: Any, pair_of_customers: Any
) -> None:
    a, b = pair_of_customers
    pair = DuplicatePair.objects.create(customer_a=a, customer_b=b, score=0.99)
    client.force_login(rep)
    assert client.get("/dedupe/").status_code == 403
    client.force_login(steward)
    assert client.get("/dedupe/").status_code == 200
    page = client.get(f"/dedupe/pairs/{pair.pk}/")
    assert page.status_code == 200 and b.customer_no in page.content.decode()
    response = client.post(f"/dedupe/pairs/{pair.pk}/", {"decision": "not_duplicate"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.NOT_DUPLICATE
    response = client.post(
        f"/dedupe/pairs/{pair.pk}/", {"decision": "merge", "survivor": a.pk, "field_name": "merged"}
    )
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=b.pk).exists()
    merge = Merge.objects.get()
    assert client.post(f"/dedupe/merges/{merge.pk}/undo/").status_code == 302
    assert Customer.objects.filter(pk=b.pk).exists()


def test_tags_move_and_a_shared_tag_comes_back_on_undo(
    pair_of_customers: Any, steward: Any
) -> None:
    from kehu.tags.models import CustomerTag, Tag

    survivor, merged = pair_of_customers
    shared, own = Tag.objects.create(name="重点客户"), Tag.objects.create(name="展会客户")
    CustomerTag.objects.create(customer=survivor, tag=shared)
    CustomerTag.objects.create(customer=merged, tag=shared)
    CustomerTag.objects.create(customer=merged, tag=own)
    merge = customer_merge(actor=steward, survivor=survivor, merged=merged)
    assert set(survivor.customer_tags.values_list("tag__name", flat=True)) == {
        "重点客户",
        "展会客户",
    }
    merge_undo(actor=steward, merge=merge)
    assert set(survivor.customer_tags.values_list("tag__name", flat=True)) == {"重点客户"}
    restored = Customer.objects.get(pk=merged.pk)
    assert set(restored.customer_tags.values_list("tag__name", flat=True)) == {
        "重点客户",
        "展会客户",
    }


def test_custom_field_values_the_survivor_lacks_come_along_and_go_back_on_undo(
    pair_of_customers: Any, steward: Any
) -> None:
    """Issue 15: a merge loses no custom field value; the survivor's own win."""
    survivor, merged = pair_of_customers
    Customer.objects.filter(pk=survivor.pk).update(custom_fields={"tier": "A"})
    Customer.objects.filter(pk=merged.pk).update(
        custom_fields={"tier": "B", "renewal": "2027-01-31"}
    )
    survivor.refresh_from_db()
    merged.refresh_from_db()
    merge = customer_merge(actor=steward, survivor=survivor, merged=merged)
    survivor.refresh_from_db()
    assert survivor.custom_fields == {"tier": "A", "renewal": "2027-01-31"}
    merge_undo(actor=steward, merge=merge)
    survivor.refresh_from_db()
    assert survivor.custom_fields == {"tier": "A"}
    assert Customer.objects.get(pk=merged.pk).custom_fields == {
        "tier": "B",
        "renewal": "2027-01-31",
    }
