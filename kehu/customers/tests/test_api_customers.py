"""Customers through /api/v1/customers: create, change, filter, page, and who may do what."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from stdnum.cn import uscc

from kehu.audit.models import AuditEntry
from kehu.core.pagination import encode_cursor
from kehu.customers.models import Contact, Customer, CustomerStatusChange

URL = "/api/v1/customers"
USCC_BODY = "91330200MA2AXXXX0"
VALID_USCC = USCC_BODY + uscc.calc_check_digit(USCC_BODY)

FULL_PAYLOAD = {
    "kind": "企业",
    "name": "宁波东海汽配制造有限公司",
    "credit_code": VALID_USCC,
    "industry": "制造业",
    "sub_industry": "汽车零部件",
    "size": "中型企业(100-500人)",
    "region": {"province": "浙江省", "city": "宁波市", "district": "江北区"},
    "address": "浙江省宁波市江北区长兴路 88 号",
    "source": "展会拜访",
    "first_contact_date": "2026年3月5日",
    "status": "意向客户",
    "budget_amount": "20万",
    "external_id": "ERP-0001",
    "notes": "展会上交换了名片。\n关注价格。",
    "decision_maker": {
        "name": "陈志强",
        "title": "采购总监",
        "mobile": "+86 139 0574 1234",
        "email": "Chen.ZQ@Example.com",
        "wechat": "chenzq_nb",
    },
}


def snapshot() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        Contact.objects.count(),
        CustomerStatusChange.objects.count(),
        AuditEntry.objects.count(),
    )


# --- Create


def test_create_with_every_field_in_chinese_value_list_forms(api, rep):
    api.login(rep)
    response = api.post(URL, FULL_PAYLOAD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(rf"CX{timezone.localdate():%Y%m}\d{{4}}", body["customer_no"])
    assert body["kind"] == "company"
    assert body["name"] == "宁波东海汽配制造有限公司"
    assert body["credit_code"] == VALID_USCC
    assert body["industry"] == "制造业"
    assert body["sub_industry"] == "汽车零部件"
    assert body["size"] == "medium"
    assert body["region"] == {"province": "浙江省", "city": "宁波市", "district": "江北区"}
    assert body["source"] == "展会拜访"
    assert body["first_contact_date"] == "2026-03-05"
    assert body["status"] == "intent"
    assert Decimal(body["budget_amount"]) == Decimal("200000")
    assert body["budget_band"] == "100k_500k"
    assert body["external_id"] == "ERP-0001"
    assert body["notes"] == "展会上交换了名片。\n关注价格。"
    assert body["owner"] == "rep"
    assert body["team"] == "华东销售部"
    maker = body["decision_maker"]
    assert maker["name"] == "陈志强"
    assert maker["mobile"] == "+8613905741234"
    assert maker["mobile_display"] == "13905741234"
    assert maker["email"] == "chen.zq@example.com"
    assert maker["decision_role"] == "decision_maker"
    assert maker["is_primary"] is True
    # Every standard field is present: the record is complete.
    assert body["completeness"]["state"] == "complete"
    assert body["completeness"]["missing_fields"] == []
    assert body["missing_fields"] == []
    customer = Customer.objects.get(customer_no=body["customer_no"])
    assert customer.quality == Customer.Quality.COMPLETE
    contact = customer.contacts.get()
    assert contact.is_primary and contact.decision_role == "decision_maker"
    assert contact.name_pinyin == "chen zhiqiang"


def test_region_as_a_slash_separated_string(api, rep):
    api.login(rep)
    response = api.post(
        URL, {"name": "宁波某贸易公司", "mobile": "13800138000", "region": "浙江省/宁波市/江北区"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["region"] == {
        "province": "浙江省",
        "city": "宁波市",
        "district": "江北区",
    }


def test_bad_phone_date_and_missing_name_are_all_named_and_nothing_is_written(api, rep):
    api.login(rep)
    before = snapshot()
    response = api.post(
        URL,
        {
            "mobile": "1380013",
            "first_contact_date": "2026-02-30",
            "email": "not-an-email",
            "status": "大客户",
            "credit_code": VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1"),
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "validation_failed"
    assert {"name", "mobile", "first_contact_date", "email", "status", "credit_code"} <= set(
        body["errors"]
    )
    assert snapshot() == before


def test_blank_name_is_refused(api, rep):
    api.login(rep)
    before = snapshot()
    response = api.post(URL, {"name": "   ", "mobile": "13800138000"})
    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    assert snapshot() == before


def test_no_way_to_reach_the_customer_is_refused(api, rep):
    api.login(rep)
    before = snapshot()
    response = api.post(URL, {"name": "无联系方式公司", "decision_maker": {"name": "王总"}})
    assert response.status_code == 422
    assert "contact" in response.json()["errors"]
    assert snapshot() == before


def test_name_and_mobile_only_is_saved_as_incomplete_with_missing_fields(api, rep):
    api.login(rep)
    response = api.post(URL, {"name": "杭州小微科技有限公司", "mobile": "13800138000"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["completeness"]["state"] == "incomplete"
    missing = body["completeness"]["missing_fields"]
    assert missing == body["missing_fields"]
    assert set(missing) == {
        "industry",
        "size",
        "decision_maker_name",
        "decision_maker_title",
        "decision_maker_phone",
        "source",
        "first_contact_date",
    }
    assert len(body["completeness"]["missing_labels"]) == len(missing)
    assert 0 < body["completeness"]["score"] < 100


def test_unknown_field_is_named(api, rep):
    api.login(rep)
    before = snapshot()
    response = api.post(URL, {"name": "某公司", "mobile": "13800138000", "fax": "123"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"fax": ["未知字段。"]}  # "Unknown field."
    assert snapshot() == before


def test_unknown_field_inside_decision_maker_is_named(api, rep):
    api.login(rep)
    response = api.post(
        URL, {"name": "某公司", "decision_maker": {"name": "王总", "mobile": "13800138000", "x": 1}}
    )
    assert response.status_code == 422
    assert "decision_maker.x" in response.json()["errors"]


def test_budget_band_must_agree_with_amount(api, rep):
    api.login(rep)
    response = api.post(
        URL,
        {"name": "某公司", "mobile": "13800138000", "budget_amount": "8万", "budget_band": ">50万"},
    )
    assert response.status_code == 422
    assert "budget_band" in response.json()["errors"]


def test_sub_industry_must_belong_to_the_industry(api, rep):
    api.login(rep)
    response = api.post(
        URL,
        {
            "name": "某公司",
            "mobile": "13800138000",
            "industry": "金融业",
            "sub_industry": "汽车零部件",
        },
    )
    assert response.status_code == 422
    assert "sub_industry" in response.json()["errors"]


def test_unknown_dictionary_values_are_named(api, rep):
    api.login(rep)
    response = api.post(
        URL, {"name": "某公司", "mobile": "13800138000", "industry": "炼金术", "source": "梦里"}
    )
    assert response.status_code == 422
    assert {"industry", "source"} <= set(response.json()["errors"])


def test_external_id_is_unique_per_source_system(api, rep):
    api.login(rep)
    first = api.post(URL, {"name": "甲公司", "mobile": "13800138000", "external_id": "E-1"})
    assert first.status_code == 201
    before = snapshot()
    clash = api.post(URL, {"name": "乙公司", "mobile": "13800138001", "external_id": "E-1"})
    assert clash.status_code == 422
    assert "external_id" in clash.json()["errors"]
    assert snapshot() == before
    other_system = api.post(
        URL,
        {"name": "丙公司", "mobile": "13800138002", "external_id": "E-1", "external_source": "erp"},
    )
    assert other_system.status_code == 201


def test_customer_numbers_follow_the_monthly_sequence(api, rep):
    api.login(rep)
    numbers = [
        api.post(URL, {"name": f"公司{i}", "mobile": f"1380013800{i}"}).json()["customer_no"]
        for i in range(3)
    ]
    prefix = f"CX{timezone.localdate():%Y%m}"
    assert numbers == [f"{prefix}0001", f"{prefix}0002", f"{prefix}0003"]


def test_decision_maker_inline_completes_the_record(api, rep):
    api.login(rep)
    payload = {
        "name": "苏州精工机械有限公司",
        "industry": "制造业/机械设备",
        "size": "大型企业",
        "source": "转介绍",
        "first_contact_date": "2026/3/5",
        "status": "潜在客户",
        "decision_maker": {"name": "周明", "title": "总经理", "mobile": "13912345678"},
    }
    response = api.post(URL, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sub_industry"] == "机械设备"
    assert body["completeness"]["state"] == "complete", body["missing_fields"]
    assert body["decision_maker"]["name"] == "周明"
    contact = Contact.objects.get(customer__customer_no=body["customer_no"])
    assert contact.is_primary and contact.decision_role == Contact.DecisionRole.DECISION_MAKER


# --- Change


def test_customer_no_is_immutable(api, rep, customer_factory):
    customer = customer_factory()
    other_no = customer.customer_no[:-4] + "9999"
    api.login(rep)
    before = snapshot()
    response = api.patch(f"{URL}/{customer.customer_no}", {"customer_no": other_no, "name": "X"})
    assert response.status_code == 422
    assert "customer_no" in response.json()["errors"]
    customer.refresh_from_db()
    assert customer.name == "华东测试贸易有限公司"
    assert snapshot() == before
    same = api.patch(f"{URL}/{customer.customer_no}", {"customer_no": customer.customer_no})
    assert same.status_code == 200


def test_patch_changes_only_the_given_fields(api, rep, customer_factory):
    customer = customer_factory(size="小型企业", notes="旧备注")
    api.login(rep)
    response = api.patch(f"{URL}/{customer.customer_no}", {"notes": "新备注"})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.notes == "新备注"
    assert customer.size == "small"
    assert customer.name == "华东测试贸易有限公司"


def test_status_change_needs_a_reason(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    before = snapshot()
    response = api.patch(f"{URL}/{customer.customer_no}", {"status": "意向客户"})
    assert response.status_code == 422
    assert "status_reason" in response.json()["errors"]
    customer.refresh_from_db()
    assert customer.status == "lead"
    assert snapshot() == before


def test_status_change_with_reason_is_recorded_and_audited(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    response = api.patch(
        f"{URL}/{customer.customer_no}", {"status": "意向客户", "status_reason": "索要了报价单"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "intent"
    change = CustomerStatusChange.objects.filter(customer=customer).first()
    assert (change.from_status, change.to_status) == ("lead", "intent")
    assert change.reason == "索要了报价单"
    assert change.changed_by == rep
    entry = AuditEntry.objects.filter(action="customer.updated", customer_id=customer.pk).get()
    assert entry.changes == {"status": ["lead", "intent"]}
    assert entry.note == "索要了报价单"
    assert entry.actor == rep
    assert entry.source == "api"


def test_status_endpoint_records_the_reason(api, manager, customer_factory):
    customer = customer_factory()
    api.login(manager)  # a rep's move to won waits for approval (test_approvals.py)
    response = api.post(
        f"{URL}/{customer.customer_no}/status", {"status": "won", "reason": "签了合同"}
    )
    assert response.status_code == 200, response.content
    assert CustomerStatusChange.objects.filter(customer=customer, to_status="won").exists()


def test_patch_with_bad_values_changes_nothing(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    before = snapshot()
    response = api.patch(
        f"{URL}/{customer.customer_no}", {"name": "新名字", "mobile": "123", "size": "巨型"}
    )
    assert response.status_code == 422
    assert {"mobile", "size"} <= set(response.json()["errors"])
    customer.refresh_from_db()
    assert customer.name == "华东测试贸易有限公司"
    assert snapshot() == before


def test_history_lists_the_changes(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    api.patch(f"{URL}/{customer.customer_no}", {"notes": "更新"})
    response = api.get(f"{URL}/{customer.customer_no}/history")
    assert response.status_code == 200
    actions = [item["action"] for item in response.json()["items"]]
    assert actions == ["customer.updated", "customer.created"]


def test_patch_decision_maker_changes_only_the_given_fields(api, rep, customer_factory):
    customer = customer_factory()
    api.login(rep)
    response = api.patch(f"{URL}/{customer.customer_no}", {"decision_maker": {"title": "董事长"}})
    assert response.status_code == 200, response.content
    maker = response.json()["decision_maker"]
    assert (maker["name"], maker["title"]) == ("王建国", "董事长")
    assert customer.contacts.count() == 1


def test_patch_adding_a_decision_maker_needs_a_name(api, rep):
    api.login(rep)
    number = api.post(URL, {"name": "无决策人公司", "mobile": "13800138000"}).json()["customer_no"]
    before = snapshot()
    response = api.patch(f"{URL}/{number}", {"decision_maker": {"title": "总经理"}})
    assert response.status_code == 422
    assert "decision_maker.name" in response.json()["errors"]
    assert snapshot() == before
    added = api.patch(f"{URL}/{number}", {"decision_maker": {"name": "吴总", "title": "总经理"}})
    assert added.status_code == 200
    assert added.json()["decision_maker"]["name"] == "吴总"


# --- Filters


@pytest.fixture
def mixed_customers(customer_factory, rep):
    return {
        "match": customer_factory(
            name="宁波汽配",
            industry="制造业",
            sub_industry="汽车零部件",
            status="意向客户",
            budget_amount="20万",
        ),
        "cheap": customer_factory(
            name="温州汽配", industry="制造业", status="意向客户", budget_amount="5万"
        ),
        "lead": customer_factory(
            name="台州机械", industry="制造业", status="潜在客户", budget_amount="30万"
        ),
        "finance": customer_factory(
            name="杭州金融", industry="金融业", status="意向客户", budget_amount="100万"
        ),
    }


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["customer_no"] for item in response.json()["items"]}


def test_filter_by_industry_status_and_budget(api, rep, mixed_customers):
    api.login(rep)
    response = api.get(URL, industry="制造业", status="意向客户", budget_min="100000")
    assert numbers(response) == {mixed_customers["match"].customer_no}


def test_filter_by_sub_industry_and_budget_max(api, rep, mixed_customers):
    api.login(rep)
    assert numbers(api.get(URL, industry="汽车零部件")) == {mixed_customers["match"].customer_no}
    assert numbers(api.get(URL, budget_max="10万")) == {mixed_customers["cheap"].customer_no}
    assert numbers(api.get(URL, status="lead,won")) == {mixed_customers["lead"].customer_no}


def test_search_by_name_number_and_phone(api, rep, customer_factory):
    target = customer_factory(
        name="厦门海鲜进出口公司",
        decision_maker={"name": "林总", "title": "总经理", "mobile": "13959201234"},
    )
    customer_factory(name="福州茶叶公司")
    api.login(rep)
    assert numbers(api.get(URL, q="海鲜")) == {target.customer_no}
    assert numbers(api.get(URL, q=target.customer_no)) == {target.customer_no}
    assert numbers(api.get(URL, q="13959201234")) == {target.customer_no}


def test_owner_me_filter(api, manager, rep, customer_factory):
    mine = customer_factory(actor=manager, name="经理自己的客户")
    customer_factory(name="销售的客户")
    api.login(manager)
    assert numbers(api.get(URL, owner="me")) == {mine.customer_no}
    assert len(numbers(api.get(URL))) == 2


@pytest.mark.parametrize("param", ["owner", "team"])
def test_numeric_filter_beyond_any_id_finds_nothing(api, rep, customer_factory, param):
    customer_factory()
    api.login(rep)
    assert numbers(api.get(URL, **{param: "99999999999999999999"})) == set()


def test_incomplete_filter(api, rep, customer_factory):
    api.login(rep)
    complete = api.post(URL, FULL_PAYLOAD).json()["customer_no"]
    incomplete = customer_factory().customer_no
    assert numbers(api.get(URL, incomplete="1")) == {incomplete}
    assert numbers(api.get(URL, quality="complete")) == {complete}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "大客户"}, "status"),
        ({"size": "巨型"}, "size"),
        ({"industry": "炼金术"}, "industry"),
        ({"budget_min": "很多"}, "budget_min"),
        ({"source": "梦里"}, "source"),
        ({"order": "random"}, "order"),
        ({"limit": "0"}, "limit"),
        ({"limit": "abc"}, "limit"),
    ],
)
def test_bad_filter_value_names_the_parameter(api, rep, params, field):
    api.login(rep)
    response = api.get(URL, **params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


# --- Ordering and keyset pagination


def walk(api, **params) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _page in range(50):
        query = {**params, "limit": 2}
        if cursor:
            query["cursor"] = cursor
        response = api.get(URL, **query)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= 2
        seen += [item["customer_no"] for item in body["items"]]
        cursor = body["next_cursor"]
        assert body["has_more"] == bool(cursor)
        if not cursor:
            return seen
    raise AssertionError("pagination does not end")


@pytest.mark.parametrize(
    "order",
    [
        "newest",
        "oldest",
        "name",
        "-name",
        "budget_amount",
        "-budget_amount",
        "updated_at",
        "-updated_at",
        "customer_no",
        "-completeness",
    ],
)
def test_walking_all_pages_visits_each_customer_once(api, rep, customer_factory, order):
    budgets = [None, "5万", "20万", None, "20万", "100万", None]
    names = ["乙", "甲", "乙", "丙", "甲", "丁", "乙"]
    created = [
        customer_factory(name=name, budget_amount=budget)
        for name, budget in zip(names, budgets, strict=True)
    ]
    api.login(rep)
    seen = walk(api, order=order)
    assert len(seen) == len(set(seen)) == len(created)
    assert set(seen) == {c.customer_no for c in created}


def test_pages_follow_the_requested_order(api, rep, customer_factory):
    for name, budget in [("甲", "30万"), ("乙", None), ("丙", "5万"), ("丁", "80万")]:
        customer_factory(name=name, budget_amount=budget)
    api.login(rep)
    by_budget = walk(api, order="-budget_amount")
    amounts = [Customer.objects.get(customer_no=no).budget_amount for no in by_budget]
    assert amounts == [Decimal("800000"), Decimal("300000"), Decimal("50000"), None]
    newest = walk(api, order="newest")
    assert newest == sorted(newest, reverse=True)


@pytest.mark.parametrize(
    ("order", "cursor"),
    [
        ("newest", "!!not-base64!!"),
        ("newest", encode_cursor(["abc"])),
        ("newest", encode_cursor([1, 2])),
        ("name", encode_cursor(["甲"])),
        ("name", encode_cursor(["甲", "x"])),
        ("budget_amount", encode_cursor(["lots", 1])),
        ("updated_at", encode_cursor(["yesterday", 1])),
        ("updated_at", encode_cursor([{"dt": "never"}, 1])),
    ],
)
def test_invalid_cursor_is_a_422_naming_cursor(api, rep, customer_factory, order, cursor):
    customer_factory()
    api.login(rep)
    response = api.get(URL, order=order, cursor=cursor)
    assert response.status_code == 422, response.content
    assert "cursor" in response.json()["errors"]


# --- Who may see and change what


def test_outsider_gets_404_and_nothing_changes(api, outsider, customer_factory):
    customer = customer_factory()
    url = f"{URL}/{customer.customer_no}"
    api.login(outsider)
    before = snapshot()
    assert api.get(url).status_code == 404
    assert api.patch(url, {"name": "被改了"}).status_code == 404
    assert api.post(f"{url}/status", {"status": "lost", "reason": "x"}).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.get(f"{url}/history").status_code == 404
    customer.refresh_from_db()
    assert customer.name == "华东测试贸易有限公司"
    assert customer.status == "lead"
    assert snapshot() == before


def test_lists_show_only_the_rows_in_scope(api, rep, outsider, manager, customer_factory):
    own = customer_factory(name="本组客户")
    other = customer_factory(actor=outsider, name="华南客户")
    api.login(rep)
    assert numbers(api.get(URL)) == {own.customer_no}
    api.login(outsider)
    assert numbers(api.get(URL)) == {other.customer_no}
    api.login(manager)
    assert numbers(api.get(URL)) == {own.customer_no}


def test_rep_does_not_see_a_teammates_customers(api, rep, rep2, customer_factory):
    customer_factory(actor=rep2, name="同事的客户")
    api.login(rep)
    assert numbers(api.get(URL)) == set()


def test_manager_sees_and_changes_the_teams_customers(api, manager, customer_factory):
    customer = customer_factory()
    api.login(manager)
    assert customer.customer_no in numbers(api.get(URL))
    response = api.patch(f"{URL}/{customer.customer_no}", {"notes": "经理补充"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.notes == "经理补充"


def test_support_sees_only_won_customers(api, support, customer_factory):
    won = customer_factory(name="成交的", status="成交客户")
    lead = customer_factory(name="潜在的")
    api.login(support)
    assert numbers(api.get(URL)) == {won.customer_no}
    assert api.get(f"{URL}/{lead.customer_no}").status_code == 404


def test_marketing_sees_only_leads_and_intents(api, marketing, customer_factory):
    lead = customer_factory(status="lead")
    intent = customer_factory(status="intent")
    customer_factory(status="won")
    customer_factory(status="lost")
    api.login(marketing)
    assert numbers(api.get(URL)) == {lead.customer_no, intent.customer_no}


def test_executive_reads_everything_but_cannot_change(api, executive, outsider, customer_factory):
    first = customer_factory()
    second = customer_factory(actor=outsider)
    api.login(executive)
    assert numbers(api.get(URL)) == {first.customer_no, second.customer_no}
    before = snapshot()
    response = api.patch(f"{URL}/{first.customer_no}", {"name": "改名"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert api.post(URL, {"name": "新客户", "mobile": "13800138000"}).status_code == 403
    assert api.delete(f"{URL}/{first.customer_no}").status_code == 403
    first.refresh_from_db()
    assert first.name == "华东测试贸易有限公司"
    assert snapshot() == before


def test_read_scope_without_write_scope_is_403(api, support, customer_factory):
    customer = customer_factory(status="won")
    api.login(support)
    before = snapshot()
    assert api.get(f"{URL}/{customer.customer_no}").status_code == 200
    response = api.patch(f"{URL}/{customer.customer_no}", {"notes": "客服改的"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.notes == ""
    assert snapshot() == before


def test_only_a_manager_or_admin_may_delete(api, rep, manager, admin_user, customer_factory):
    first, second = customer_factory(), customer_factory()
    api.login(rep)
    before = snapshot()
    assert api.delete(f"{URL}/{first.customer_no}").status_code == 403
    assert snapshot() == before
    api.login(manager)
    assert api.delete(f"{URL}/{first.customer_no}").status_code == 204
    api.login(admin_user)
    assert api.delete(f"{URL}/{second.customer_no}").status_code == 204
    assert Customer.objects.count() == 0
    assert AuditEntry.objects.filter(action="customer.deleted").count() == 2


def test_rep_may_not_give_a_customer_to_someone_else(api, rep, rep2):
    api.login(rep)
    before = snapshot()
    response = api.post(URL, {"name": "某公司", "mobile": "13800138000", "owner": "rep2"})
    assert response.status_code == 422
    assert "owner" in response.json()["errors"]
    assert snapshot() == before


def test_manager_may_assign_within_the_team_only(api, manager, rep, outsider):
    api.login(manager)
    ok = api.post(URL, {"name": "甲", "mobile": "13800138000", "owner": "rep"})
    assert ok.status_code == 201
    assert ok.json()["owner"] == "rep"
    before = snapshot()
    refused = api.post(URL, {"name": "乙", "mobile": "13800138001", "owner": "outsider"})
    assert refused.status_code == 422
    assert "owner" in refused.json()["errors"]
    assert snapshot() == before
    assert Customer.objects.get().name == "甲"


# --- Errors are JSON


def test_unauthenticated_is_401_json(db):
    client = Client()
    for response in (client.get(URL), client.post(URL, {}, content_type="application/json")):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "unauthenticated"


def test_session_writes_need_the_csrf_token(rep):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    response = client.post(
        URL, {"name": "某公司", "mobile": "13800138000"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert Customer.objects.count() == 0


def test_errors_are_json_never_html(api, rep, customer_factory):
    customer_factory()
    api.login(rep)
    responses = [
        api.get(f"{URL}/CX000000000000"),
        api.get("/api/v1/no-such-thing"),
        api.client.post(URL, "{not json", content_type="application/json"),
        api.post(URL, {"name": 123456}),
        api.get(URL, cursor=encode_cursor(["x"])),
    ]
    for response in responses:
        assert response.status_code >= 400
        assert response.status_code < 500, response.content
        assert response["Content-Type"].startswith("application/json"), response.content
        assert "detail" in response.json()
