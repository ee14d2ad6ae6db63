"""The governed tag library (issue 17): who maintains it, library only, requests through the one
review queue, exclusivity, provenance, and who may tag."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import gettext as _

from kehu.accounts.models import Notification, Role
from kehu.audit.models import AuditEntry
from kehu.conftest import make_user
from kehu.review.models import ReviewItem
from kehu.tags.models import CustomerTag, Tag, TagType
from kehu.tags.services import tag_apply
from kehu.tags.services.library import not_in_library
from kehu.tags.tests.helpers import library

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(db: Any) -> Any:
    return make_user("steward", Role.STEWARD, None, display_name="钱治理")


def _url(customer: Any) -> str:
    return f"/api/v1/customers/{customer.customer_no}/tags"


def test_a_rep_cannot_create_a_tag_or_a_type(api: Any, rep: Any) -> None:
    api.login(rep)
    before = Tag.objects.count()
    assert api.post("/api/v1/tags", {"name": "我随便起的标签xyz"}).status_code == 403
    assert api.post("/api/v1/tag-types", {"name": "随便类型"}).status_code == 403
    high = Tag.objects.get(name="高价值")
    assert api.patch(f"/api/v1/tags/{high.pk}", {"description": "改"}).status_code == 403
    assert api.post(f"/api/v1/tags/{high.pk}/retire", {}).status_code == 403
    assert Tag.objects.count() == before and Tag.objects.get(pk=high.pk).is_active
    # The library reads for everyone, with usage counts.
    rows = {row["name"]: row for row in api.get("/api/v1/tags").json()}
    assert rows["高价值"]["type"] == "value" and rows["高价值"]["exclusive_group"] == "价值等级"
    assert rows["高价值"]["usage"] == 0
    assert [r["name"] for r in api.get("/api/v1/tags", type="risk").json()] == [
        "回款风险",
        "投诉",
        "流失风险",
    ]
    assert [r["name"] for r in api.get("/api/v1/tags", q="价值").json()] == [
        "中价值",
        "低价值",
        "高价值",
    ]


def test_steward_maintains_tags_admin_types_builtin_types_stay(
    api: Any, steward: Any, admin_user: Any, rep: Any, customer_factory: Any
) -> None:
    api.login(steward)
    made = api.post("/api/v1/tags", {"name": "出海需求", "type": "need", "description": "外贸"})
    assert made.status_code == 201, made.content
    tag_id = made.json()["id"]
    assert api.patch(f"/api/v1/tags/{tag_id}", {"exclusive_group": "组"}).status_code == 200
    assert api.post("/api/v1/tag-types", {"name": "生命周期标签"}).status_code == 403
    assert AuditEntry.objects.filter(action="tag.created").count() == 1
    api.login(admin_user)
    made_type = api.post("/api/v1/tag-types", {"name": "生命周期标签"})
    assert made_type.status_code == 201
    builtin = TagType.objects.get(code="risk")
    assert api.delete(f"/api/v1/tag-types/{builtin.pk}").status_code == 409
    assert api.delete(f"/api/v1/tag-types/{made_type.json()['id']}").status_code == 204
    # Retired: nobody applies it; the customer who has it keeps it.
    customer = customer_factory()
    api.login(rep).post(_url(customer), {"tag": "出海需求"})
    api.login(steward)
    assert api.post(f"/api/v1/tags/{tag_id}/retire", {}).status_code == 200
    other = customer_factory(name="另一家贸易有限公司")
    refused = api.login(rep).post(_url(other), {"tag": "出海需求"})
    assert refused.status_code == 422
    assert refused.json()["errors"]["tag"] == [not_in_library("出海需求")]
    assert CustomerTag.objects.filter(customer=customer, tag__name="出海需求").exists()


def test_unknown_tag_is_refused_naming_the_field(api: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    before = Tag.objects.count()
    response = api.login(rep).post(_url(customer), {"tag": "我随便起的标签xyz"})
    assert response.status_code == 422
    assert "我随便起的标签xyz" in response.json()["errors"]["tag"][0]
    assert Tag.objects.count() == before and not CustomerTag.objects.exists()
    bulk = api.post(
        "/api/v1/customers/bulk",
        {"customer_nos": [customer.customer_no], "action": "tag", "tags": ["xyz"]},
    )
    assert bulk.status_code == 422 and bulk.json()["errors"]["tags"] == [not_in_library("xyz")]
    assert not CustomerTag.objects.exists()


def test_chat_and_workflow_rules_must_name_a_library_tag(api: Any, admin_user: Any) -> None:
    api.login(admin_user)
    rule = {
        "name": "广东客户",
        "trigger": "customer_created",
        "conditions": [],
        "actions": [{"type": "add_tag", "tag": "不存在的标签"}],
    }
    response = api.post("/api/v1/rules", rule)
    assert response.status_code == 422
    assert response.json()["errors"]["actions.1"] == [not_in_library("不存在的标签")]
    rule["actions"] = [{"type": "add_tag", "tag": "VIP"}]
    assert api.post("/api/v1/rules", rule).status_code in (200, 201)


def test_request_approved_by_the_steward_joins_the_library_and_tags_the_customer(
    api: Any, rep: Any, steward: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    api.login(rep)
    sent = api.post(
        "/api/v1/tags/requests",
        {
            "name": "出口退税",
            "type": "need",
            "description": "关注出口退税政策",
            "reason": "外贸客户常问",
            "customer_no": customer.customer_no,
        },
    )
    assert sent.status_code == 201, sent.content
    assert not Tag.objects.filter(name="出口退税").exists()
    item = ReviewItem.objects.get(pk=sent.json()["id"])
    assert item.action == "tag_request"
    assert Notification.objects.filter(user=steward, link=f"/review/{item.pk}/").exists()
    # A rep cannot decide it; the steward can.
    assert api.post(f"/api/v1/review/{item.pk}/approve", {}).status_code in (403, 404)
    decided = api.login(steward).post(f"/api/v1/review/{item.pk}/approve", {})
    assert decided.status_code == 200, decided.content
    tag = Tag.objects.get(name="出口退税")
    assert (
        tag.type is not None
        and tag.type.code == "need"
        and tag.is_active
        and tag.created_by == steward
    )
    link = CustomerTag.objects.get(customer=customer, tag=tag)
    assert link.added_by == rep
    assert Notification.objects.filter(user=rep, message__contains="出口退税").exists()


def test_a_rejected_request_stays_out_of_the_library(api: Any, rep: Any, steward: Any) -> None:
    api.login(rep)
    sent = api.post("/api/v1/tags/requests", {"name": "随便标签", "reason": "想要"})
    assert sent.status_code == 201
    assert (
        api.post("/api/v1/tags/requests", {"name": "随便标签", "reason": "再要"}).status_code == 422
    )
    assert api.post("/api/v1/tags/requests", {"name": "高价值", "reason": "x"}).status_code == 422
    assert api.post("/api/v1/tags/requests", {"name": "没理由"}).status_code == 422
    item_id = sent.json()["id"]
    rejected = api.login(steward).post(
        f"/api/v1/review/{item_id}/reject", {"note": "与「潜在需求」重复"}
    )
    assert rejected.status_code == 200, rejected.content
    assert not Tag.objects.filter(name="随便标签").exists()
    assert Notification.objects.filter(user=rep, message__contains="与「潜在需求」重复").exists()


def test_exclusive_group_replaces_and_says_so(
    api: Any, rep: Any, client: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    api.login(rep)
    api.post(_url(customer), {"tag": "中价值"})
    response = api.post(_url(customer), {"tag": "高价值", "note": "年度预算上调"})
    body = response.json()
    assert body["tags"] == ["高价值"] and body["replaced"] == ["中价值"]
    assert body["items"][0]["note"] == "年度预算上调"
    # The page: htmx apply, the replacement message, the panel.
    page = api.client.post(
        f"/customers/{customer.customer_no}/tags/", {"tag": "低价值"}, HTTP_HX_REQUEST="true"
    )
    html = page.content.decode()
    replaced = _("Replaced “%(old)s” with “%(new)s”.") % {"old": "高价值", "new": "低价值"}
    assert page.status_code == 200 and replaced in html
    assert list(
        CustomerTag.objects.filter(customer=customer).values_list("tag__name", flat=True)
    ) == ["低价值"]
    refused = api.client.post(
        f"/customers/{customer.customer_no}/tags/", {"tag": "xyz"}, HTTP_HX_REQUEST="true"
    )
    assert not_in_library("xyz") in refused.content.decode()


def test_provenance_in_api_and_on_the_page(api: Any, rep: Any, customer_factory: Any) -> None:
    customer = customer_factory()
    tag_apply(
        actor=None,
        customer=customer,
        name="价格敏感型",
        applied_by=CustomerTag.Source.RULE,
        label="预算有限",
        evidence="客户说今年预算有限，希望打折",
    )
    tag_apply(
        actor=None,
        customer=customer,
        name="VIP",
        applied_by=CustomerTag.Source.WORKFLOW,
        label="大客户打标签",
    )
    api.login(rep).post(_url(customer), {"tag": "展会", "note": "进博会认识"})
    items = {i["tag"]: i for i in api.get(_url(customer)).json()["items"]}
    assert items["价格敏感型"]["provenance"] == "关键词规则「预算有限」"
    assert items["价格敏感型"]["evidence"] == "客户说今年预算有限，希望打折"
    assert items["VIP"]["provenance"] == "工作流规则「大客户打标签」"
    by_hand = f"{CustomerTag.Source.USER.label}·张销售"
    assert items["展会"]["provenance"] == by_hand and items["展会"]["applied_by"] == "张销售"
    html = api.client.get(f"/customers/{customer.customer_no}/").content.decode()
    for text in ("关键词规则「预算有限」", "客户说今年预算有限", by_hand, "进博会认识", "渠道标签"):
        assert text in html, text


def test_marketing_and_support_tag_what_they_see_executives_do_not(
    api: Any, marketing: Any, support: Any, executive: Any, rep: Any, customer_factory: Any
) -> None:
    prospect = customer_factory(status="intent")
    won = customer_factory(status="won", name="成交客户有限公司")
    assert api.login(marketing).post(_url(prospect), {"tag": "线上渠道"}).status_code == 200
    assert api.post(_url(won), {"tag": "线上渠道"}).status_code == 404
    assert api.login(support).post(_url(won), {"tag": "投诉"}).status_code == 200
    assert api.login(executive).post(_url(won), {"tag": "VIP"}).status_code == 403
    entry = AuditEntry.objects.filter(action="customer.tagged", actor=marketing).get()
    assert entry.changes == {"tags": [None, "线上渠道"]}


def test_merge_keeps_the_survivors_tag_of_an_exclusive_group(
    rep: Any, customer_factory: Any
) -> None:
    from kehu.tags.services import customer_tags_move, customer_tags_restore

    survivor = customer_factory(name="存续方有限公司")
    merged = customer_factory(name="被合并方有限公司")
    tag_apply(actor=rep, customer=survivor, name="高价值")
    tag_apply(actor=rep, customer=merged, name="低价值")
    tag_apply(actor=rep, customer=merged, name="展会")
    ids = list(CustomerTag.objects.filter(customer=merged).values_list("pk", flat=True))
    moved, removed = customer_tags_move(actor=rep, ids=ids, customer=survivor)
    names = set(CustomerTag.objects.filter(customer=survivor).values_list("tag__name", flat=True))
    assert names == {"高价值", "展会"}
    assert [Tag.objects.get(pk=r["tag_id"]).name for r in removed] == ["低价值"]
    assert len(moved) == 1
    assert customer_tags_restore(actor=rep, rows=removed) == 1
    assert CustomerTag.objects.filter(customer=merged, tag__name="低价值").exists()


def test_settings_page_and_request_form(
    client: Any, rep: Any, steward: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    client.force_login(rep)
    page = client.get("/settings/tags/").content.decode()
    assert "行业标签" in page and "高价值" in page and "?tag=" in page
    assert 'id="tag-form"' not in page
    assert client.post("/settings/tags/", {"name": "偷建"}).status_code == 403
    assert client.get(f"/settings/tags/{Tag.objects.get(name='VIP').pk}/").status_code == 403
    form = client.get(f"/tags/request/?customer={customer.customer_no}")
    assert form.status_code == 200
    sent = client.post(
        "/tags/request/",
        {"name": "海外仓", "type": "need", "reason": "跨境客户", "customer": customer.customer_no},
    )
    assert sent.status_code == 302
    assert ReviewItem.objects.filter(action="tag_request", payload__name="海外仓").exists()
    client.force_login(steward)
    assert 'id="tag-form"' in client.get("/settings/tags/").content.decode()
    added = client.post(
        "/settings/tags/", {"op": "tag", "name": "直播带货", "type": "channel"}, follow=True
    )
    made = Tag.objects.get(name="直播带货")
    assert added.status_code == 200 and made.type is not None and made.type.code == "channel"
    library("旧标签")
    old = Tag.objects.get(name="旧标签")
    assert client.post(f"/settings/tags/{old.pk}/retire/").status_code == 302
    assert not Tag.objects.get(pk=old.pk).is_active


def test_customers_filter_by_tag_type_and_the_list_offers_the_library(
    api: Any, rep: Any, customer_factory: Any
) -> None:
    risky = customer_factory(name="有风险的贸易有限公司")
    calm = customer_factory(name="没风险的贸易有限公司")
    tag_apply(actor=rep, customer=risky, name="回款风险")
    tag_apply(actor=rep, customer=calm, name="展会")
    api.login(rep)
    names = [c["name"] for c in api.get("/api/v1/customers", tag_type="risk").json()["items"]]
    assert names == ["有风险的贸易有限公司"]
    assert api.get("/api/v1/customers", tag_type="nope").status_code == 422
    both = api.get("/api/v1/customers", tag=["回款风险", "展会"], tag_mode="any").json()
    assert len(both["items"]) == 2
    page = api.client.get("/customers/?tag_type=risk").content.decode()
    assert "有风险的贸易有限公司" in page and "没风险的贸易有限公司" not in page
    assert '<datalist id="tag-library">' in page and '<option value="高价值">' in page


def test_the_search_page_offers_the_tag_filter(
    client: Any, rep: Any, customer_factory: Any
) -> None:
    wanted = customer_factory(name="华东标签搜索有限公司")
    customer_factory(name="华东别的搜索有限公司")
    tag_apply(actor=rep, customer=wanted, name="投诉")
    client.force_login(rep)
    page = client.get("/search/", {"q": "华东"}).content.decode()
    assert 'id="search-by-tag"' in page and '<option value="投诉">' in page
    listed = client.get("/customers/", {"q": "华东", "tag": "投诉"}).content.decode()
    assert "华东标签搜索有限公司" in listed and "华东别的搜索有限公司" not in listed
