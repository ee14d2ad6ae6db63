"""The index follows every write through services and the API, in the same transaction."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from kehu.core.models import SearchDocument
from kehu.core.search_index import search_index_refill, search_set_tags
from kehu.customers.models import Contact
from kehu.customers.services import customer_update
from kehu.interactions.services import interaction_log
from kehu.interactions.tests.helpers import STANDARD
from kehu.search.selectors import search_for

pytestmark = pytest.mark.django_db


def found(user: Any, query: str, kind: str = "customer") -> list[str]:
    return [h.title for g in search_for(user, query).groups if g.kind == kind for h in g.hits]


def test_rename_through_api(api: Any, manager: Any, rep: Any, company: Any) -> None:
    api.login(manager)  # a rep's rename waits for approval (customers.approvals); a manager's not
    response = api.patch(
        f"/api/v1/customers/{company.customer_no}", {"name": "深圳市鹅厂网络有限公司"}
    )
    assert response.status_code == 200
    assert found(rep, "鹅厂") == ["深圳市鹅厂网络有限公司"]
    assert found(rep, "腾讯科技") == []
    assert found(rep, "ecwl") == ["深圳市鹅厂网络有限公司"]


def test_reassign_moves_visibility_of_every_document(
    manager: Any, rep: Any, rep2: Any, company: Any
) -> None:
    interaction_log(
        actor=rep,
        customer=company,
        data={**STANDARD, "method": "visit", "topic": "现场演示", "summary": "现场演示"},
    )
    assert found(rep2, "腾讯") == []
    customer_update(actor=manager, customer=company, data={"owner": rep2.pk})
    assert found(rep2, "腾讯") == [company.name]
    assert found(rep2, "马化腾", "contact") == ["马化腾"]
    assert found(rep2, "现场演示", "interaction") == ["现场演示"]
    assert found(rep, "腾讯") == []
    assert found(rep, "马化腾", "contact") == []
    assert search_for(rep, "现场演示").groups == []


def test_status_change_follows(support: Any, manager: Any, company: Any) -> None:
    assert found(support, "腾讯") == []
    customer_update(
        actor=manager, customer=company, data={"status": "won", "status_reason": "签约"}
    )
    assert found(support, "腾讯") == [company.name]
    assert found(support, "马化腾", "contact") == ["马化腾"]


def test_contacts_through_api(api: Any, rep: Any, company: Any) -> None:
    api.login(rep)
    response = api.post(
        f"/api/v1/customers/{company.customer_no}/contacts",
        {"name": "刘炽平", "mobile": "13700001111", "email": "martin@tencent.com"},
    )
    assert response.status_code == 201, response.content
    contact_id = response.json()["id"]
    assert found(rep, "1111", "contact") == ["刘炽平"]
    assert found(rep, "martin", "contact") == ["刘炽平"]
    response = api.patch(f"/api/v1/contacts/{contact_id}", {"mobile": "13700002222"})
    assert response.status_code == 200, response.content
    assert found(rep, "1111", "contact") == []
    assert found(rep, "2222", "contact") == ["刘炽平"]
    assert api.delete(f"/api/v1/contacts/{contact_id}").status_code == 204
    assert found(rep, "刘炽平", "contact") == []
    assert not SearchDocument.objects.filter(kind="contact", object_id=contact_id).exists()


def test_interactions_through_api(api: Any, rep: Any, company: Any) -> None:
    api.login(rep)
    response = api.post(
        f"/api/v1/customers/{company.customer_no}/interactions",
        {**STANDARD, "method": "phone", "topic": "报价", "summary": "询问私有化部署报价"},
    )
    assert response.status_code == 201, response.content
    number = response.json()["interaction_no"]
    assert found(rep, "私有化", "interaction") == ["报价"]
    response = api.patch(f"/api/v1/interactions/{number}", {"summary": "确认公有云方案"})
    assert response.status_code == 200, response.content
    assert found(rep, "私有化", "interaction") == []
    assert found(rep, "公有云", "interaction") == ["报价"]
    assert api.delete(f"/api/v1/interactions/{number}").status_code == 204
    assert search_for(rep, "公有云").groups == []


def test_delete_customer_through_api(api: Any, manager: Any, rep: Any, company: Any) -> None:
    api.login(manager)
    assert api.delete(f"/api/v1/customers/{company.customer_no}").status_code == 204
    assert search_for(manager, "腾讯").groups == []
    assert search_for(manager, "马化腾").groups == []
    assert not SearchDocument.objects.filter(customer_id=company.pk).exists()


def test_rollback_leaves_no_document(customer_factory: Any, rep: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_factory(name="回滚测试有限公司")
        assert found(rep, "回滚测试") == ["回滚测试有限公司"]
        raise RuntimeError
    assert found(rep, "回滚测试") == []


def test_reindex_command_rebuilds_and_keeps_tags(rep: Any, company: Any) -> None:
    search_set_tags(kind="customer", object_id=company.pk, tags=["重点客户"])
    before = sorted(SearchDocument.objects.values_list("kind", "object_id", "text"))
    Contact.objects.filter(customer=company, name="王建国").update(wechat="wx_changed_outside")
    out = StringIO()
    call_command("search_reindex", "--no-progress", stdout=out)
    assert "Indexed 3 documents" in out.getvalue()
    after = sorted(SearchDocument.objects.values_list("kind", "object_id", "text"))
    assert [(k, o) for k, o, _t in after] == [(k, o) for k, o, _t in before]
    assert found(rep, "wx_changed", "contact") == ["王建国"]
    assert found(rep, "重点客户") == [company.name]
    assert found(rep, "腾讯") == [company.name]


def test_reindex_groups_each_owners_documents(
    customer_factory: Any, rep: Any, rep2: Any, outsider: Any
) -> None:
    """Per kind, an owner's documents get one run of ids (one run in the substring indexes)."""
    for index in range(3):
        for user in (rep, outsider, rep2):
            customer_factory(actor=user, name=f"分组测试{index}号{user.username}有限公司")
    call_command("search_reindex", "--no-progress", stdout=StringIO())
    for kind in ("customer", "contact"):
        for user in (rep, rep2, outsider):
            ids = sorted(
                SearchDocument.objects.filter(kind=kind, owner=user.pk).values_list("id", flat=True)
            )
            assert len(ids) == 3
            assert ids == list(range(ids[0], ids[0] + 3)), (kind, user.username, ids)
    assert found(rep, "分组测试") == [f"分组测试{i}号{rep.username}有限公司" for i in range(3)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tidy_keeps_every_document(rep: Any, company: Any) -> None:
    """`search_reindex --tidy` merges / vacuums outside any transaction; nothing is lost."""
    before = sorted(SearchDocument.objects.values_list("kind", "object_id", "text"))
    out = StringIO()
    call_command("search_reindex", "--tidy", stdout=out)
    assert "tidied" in out.getvalue()
    assert sorted(SearchDocument.objects.values_list("kind", "object_id", "text")) == before
    assert found(rep, "腾讯") == [company.name]
    assert found(rep, "tengxun") == [company.name]


def test_sandbox_loader_indexes_in_bulk(db: Any, tmp_path: Any, admin_user: Any) -> None:
    from kehu.sandbox.loader import generate, load

    folder = generate(tmp_path / "gen", customers=30, seed=3)
    report = load(folder)
    documents = SearchDocument.objects
    assert documents.filter(kind="customer").count() == report.customers
    assert documents.filter(kind="contact").count() == report.contacts
    assert documents.filter(kind="interaction").count() == report.interactions
    some = documents.filter(kind="customer").first()
    assert some is not None
    assert some.title in found(admin_user, some.title)


def test_refill_writes_the_substring_entries_again(rep: Any, company: Any) -> None:
    """search_index_refill (the scope-token migration, a repair) rebuilds the substring indexes
    from the stored documents: the same entries as the writes made."""
    sqlite = connection.vendor == "sqlite"
    before = found(rep, "南山区科技园")
    assert before == [company.name]
    grams = dict(SearchDocument.objects.values_list("pk", "grams"))
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('delete-all')")
            cursor.execute("INSERT INTO search_bigram(search_bigram) VALUES('delete-all')")
        else:
            cursor.execute("UPDATE core_searchdocument SET grams = ''")
    if sqlite:  # PostgreSQL finds it by its trigram index on the text, beside the grams
        assert found(rep, "南山区科技园") == []
    else:
        assert all(grams.values())
        assert set(SearchDocument.objects.values_list("grams", flat=True)) == {""}
    assert search_index_refill(batch_size=2) == len(grams)
    assert dict(SearchDocument.objects.values_list("pk", "grams")) == grams
    assert found(rep, "南山区科技园") == before
