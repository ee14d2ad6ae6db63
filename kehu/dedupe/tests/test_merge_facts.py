"""Issue 14.6 "Merge loses facts": status, name, owner and team, contacts, finance fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehu.audit.models import AuditEntry
from kehu.contacts.models import Contact
from kehu.customers.models import Customer, CustomerStatusChange
from kehu.customers.services import contact_create
from kehu.dedupe.models import DuplicatePair, Merge
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD

pytestmark = pytest.mark.django_db


def merge(api: Any, user: Any, survivor: Customer, merged: Customer, **fields: str) -> Any:
    return api.login(user).post(
        "/api/v1/dedupe/merge", {"survivor": survivor.pk, "merged": merged.pk, "fields": fields}
    )


def nothing_merged(survivor: Customer, merged: Customer, entries_before: int) -> None:
    """A refused merge leaves both customers and the log as they were."""
    assert Customer.objects.filter(pk=merged.pk).exists()
    assert not Merge.objects.exists()
    assert AuditEntry.objects.count() == entries_before
    row = Customer.objects.get(pk=survivor.pk)
    assert (row.name, row.status, row.owner_id, row.budget_amount) == (
        survivor.name,
        survivor.status,
        survivor.owner_id,
        survivor.budget_amount,
    )


# --- Status: the furthest wins (潜在 < 意向 < 成交; 流失 lowest)


@pytest.mark.parametrize(
    ("survivor_status", "merged_status", "expected"),
    [
        ("lead", "won", "won"),  # the approved 成交 record was the older one: still 成交
        ("won", "lead", "won"),
        ("intent", "lead", "intent"),
        ("lost", "intent", "intent"),  # somebody still works the company
        ("lost", "lost", "lost"),
    ],
)
def test_status_never_moves_backwards(
    api: Any,
    steward: Any,
    customer_factory: Any,
    survivor_status: str,
    merged_status: str,
    expected: str,
) -> None:
    survivor = customer_factory(name="深圳市华信软件有限公司", status=survivor_status)
    merged = customer_factory(name="华信软件", status=merged_status)  # the newer record
    response = merge(api, steward, survivor, merged)
    assert response.status_code == 200, response.content
    survivor.refresh_from_db()
    assert survivor.status == expected
    if survivor_status != expected:
        change = CustomerStatusChange.objects.filter(customer=survivor).order_by("-id").first()
        assert change is not None
        assert (change.from_status, change.to_status) == (survivor_status, expected)
        assert merged.customer_no in change.reason


def test_a_status_chosen_backwards_is_refused(
    api: Any, steward: Any, customer_factory: Any
) -> None:
    survivor = customer_factory(name="深圳市华信软件有限公司", status="won")
    merged = customer_factory(name="华信软件")
    entries = AuditEntry.objects.count()
    response = merge(api, steward, survivor, merged, status="merged")
    assert response.status_code == 422
    assert "fields.status" in response.json()["errors"]
    nothing_merged(survivor, merged, entries)


# --- Name: the registered full name


def test_the_registered_full_name_wins_over_a_short_newer_one(
    api: Any, steward: Any, customer_factory: Any
) -> None:
    registered = customer_factory(name="深圳市华信软件有限公司")
    short = customer_factory(name="华信软件")  # newer, informal
    assert merge(api, steward, short, registered).status_code == 200
    short.refresh_from_db()
    assert short.name == "深圳市华信软件有限公司"
    assert short.name_normalized == Customer.objects.get(pk=short.pk).name_normalized != ""


def test_the_name_beside_a_credit_code_wins(api: Any, steward: Any, customer_factory: Any) -> None:
    coded = customer_factory(name="深圳华信软件有限公司", credit_code="91440300708461136T")
    longer = customer_factory(name="深圳市华信软件技术股份有限公司")  # newer, longer, no code
    assert merge(api, steward, longer, coded).status_code == 200
    longer.refresh_from_db()
    assert (longer.name, longer.credit_code) == ("深圳华信软件有限公司", "91440300708461136T")


def test_the_steward_may_still_choose_the_other_name(
    api: Any, steward: Any, customer_factory: Any
) -> None:
    registered = customer_factory(name="深圳市华信软件有限公司")
    short = customer_factory(name="华信软件")
    assert merge(api, steward, registered, short, name="merged").status_code == 200
    assert Customer.objects.get(pk=registered.pk).name == "华信软件"


# --- Owner and team: only when chosen, and said


def test_owner_and_team_stay_unless_chosen(
    api: Any, steward: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    mine = customer_factory(name="深圳市华信软件有限公司")
    theirs = customer_factory(actor=outsider, name="深圳市华信软件有限公司")  # newer
    response = merge(api, steward, mine, theirs)
    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.owner_id, mine.team_id) == (rep.pk, rep.team_id)
    assert "owner_id" not in response.json()["changes"]


def test_a_chosen_owner_and_team_are_said(
    api: Any, steward: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    mine = customer_factory(name="深圳市华信软件有限公司")
    theirs = customer_factory(actor=outsider, name="深圳市华信软件有限公司")
    response = merge(api, steward, mine, theirs, owner_id="merged", team_id="merged")
    assert response.status_code == 200
    changes = response.json()["changes"]
    assert changes["owner_id"] == [rep.pk, outsider.pk]
    assert changes["team_id"] == [rep.team_id, outsider.team_id]
    mine.refresh_from_db()
    assert (mine.owner_id, mine.team_id) == (outsider.pk, outsider.team_id)
    entry = AuditEntry.objects.get(action="customer.merged")
    assert entry.changes["owner"] == [str(rep), str(outsider)]


def test_the_merge_page_says_owner_and_team_change_only_when_chosen(
    client: Any, steward: Any, rep: Any, outsider: Any, customer_factory: Any
) -> None:
    mine = customer_factory(name="深圳市华信软件有限公司")
    theirs = customer_factory(actor=outsider, name="深圳市华信软件有限公司")
    pair = DuplicatePair.objects.create(customer_a=mine, customer_b=theirs, score=0.99)
    client.force_login(steward)
    page = client.get(f"/dedupe/pairs/{pair.pk}/").content.decode()
    assert 'id="owner-note" class="message warning"' in page  # the owners differ
    assert 'name="field_owner_id" value="survivor" checked' in page
    response = client.post(
        f"/dedupe/pairs/{pair.pk}/",
        {"decision": "merge", "survivor": mine.pk, "field_owner_id": "merged"},
        follow=True,
    )
    said = " ".join(str(m) for m in response.context["messages"])
    assert rep.label in said and outsider.label in said
    assert Customer.objects.get(pk=mine.pk).owner_id == outsider.pk


# --- Contacts: by mobile, e-mail or name; undo takes them apart again


def test_contacts_are_merged_by_mobile_email_or_name_and_undo_parts_them(
    api: Any, steward: Any, rep: Any, customer_factory: Any
) -> None:
    survivor = customer_factory(
        name="深圳市华信软件有限公司",
        decision_maker={"name": "王建国", "title": "总经理", "mobile": "13912345678"},
    )
    contact_create(actor=rep, customer=survivor, data={"name": "李娜", "email": "lina@huaxin.cn"})
    zhang = contact_create(
        actor=rep, customer=survivor, data={"name": "张伟", "landline": "0755-86001234"}
    )
    contact_create(actor=rep, customer=survivor, data={"name": "赵敏", "email": "info@huaxin.cn"})
    merged = customer_factory(
        name="华信软件",
        decision_maker={"name": "Wang Jianguo", "mobile": "139 1234 5678", "email": "wjg@hx.cn"},
    )
    wang_b = Contact.objects.get(customer=merged, name="Wang Jianguo")
    li_b = contact_create(
        actor=rep,
        customer=merged,
        data={"name": "Li Na", "email": "LiNa@HuaXin.cn", "mobile": "13700000009"},
    )
    zhang_b = contact_create(
        actor=rep, customer=merged, data={"name": "张伟", "mobile": "13600000001"}
    )
    contact_create(actor=rep, customer=merged, data={"name": "汪建国", "mobile": "13500000001"})
    contact_create(actor=rep, customer=merged, data={"name": "钱进", "email": "info@huaxin.cn"})
    call = interaction_log(
        actor=rep, customer=merged, data={**STANDARD, "method": "phone", "contact_id": wang_b.pk}
    )
    before = {c.pk: (c.customer_id, c.email, c.mobile) for c in Contact.objects.all()}

    response = merge(api, steward, survivor, merged)
    assert response.status_code == 200, response.content

    people = {c.name: c for c in Contact.objects.filter(customer=survivor)}
    # 王建国 = Wang Jianguo (mobile), 李娜 = Li Na (e-mail), 张伟 = 张伟 (name); 汪建国 is another
    # person (same pinyin), and a shared info@ mailbox makes nobody the same person.
    assert set(people) == {"王建国", "李娜", "张伟", "赵敏", "汪建国", "钱进"}
    assert people["王建国"].email == "wjg@hx.cn"  # empty fields filled from the other
    assert people["李娜"].mobile == "+8613700000009"
    assert people["张伟"].mobile == "+8613600000001"
    assert not Contact.objects.filter(pk__in=[wang_b.pk, li_b.pk, zhang_b.pk]).exists()
    call.refresh_from_db()
    assert (call.customer_id, call.contact_id) == (survivor.pk, people["王建国"].pk)
    assert response.json()["contacts_folded"] == 3

    merge_id = response.json()["id"]
    assert api.post(f"/api/v1/dedupe/merges/{merge_id}/undo").status_code == 200
    after = {c.pk: (c.customer_id, c.email, c.mobile) for c in Contact.objects.all()}
    assert after == before
    call.refresh_from_db()
    assert (call.customer_id, call.contact_id) == (merged.pk, wang_b.pk)
    assert Contact.objects.get(pk=zhang.pk).landline == zhang.landline


# --- Finance fields: guarded on the merge too (issue 14.10)


def test_a_steward_may_not_take_the_other_budget(
    api: Any, steward: Any, customer_factory: Any
) -> None:
    survivor = customer_factory(name="深圳市华信软件有限公司")
    merged = customer_factory(name="华信软件", budget_amount="800000")
    entries = AuditEntry.objects.count()
    response = merge(api, steward, survivor, merged, budget_amount="merged")
    assert response.status_code == 403
    nothing_merged(survivor, merged, entries)
    # By default a steward's merge keeps the survivor's budget: it goes through.
    assert merge(api, steward, survivor, merged).status_code == 200
    assert Customer.objects.get(pk=survivor.pk).budget_amount is None


def test_an_administrator_may_take_the_other_budget(
    api: Any, admin_user: Any, customer_factory: Any
) -> None:
    survivor = customer_factory(name="深圳市华信软件有限公司")
    merged = customer_factory(name="华信软件", budget_amount="800000")
    assert merge(api, admin_user, survivor, merged).status_code == 200
    assert Customer.objects.get(pk=survivor.pk).budget_amount == Decimal("800000")


def test_the_kind_goes_with_the_name(api: Any, steward: Any, customer_factory: Any) -> None:
    company = customer_factory(name="深圳市华信软件有限公司")
    person = customer_factory(name="王建国", kind="individual")  # newer
    assert merge(api, steward, person, company).status_code == 200
    person.refresh_from_db()
    assert (person.name, person.kind) == ("深圳市华信软件有限公司", "company")
