"""The customer list, create and edit pages, through the test client."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.audit.models import AuditEntry
from kehu.conftest import next_mobile
from kehu.core.normalize.pinyin import name_sort_key
from kehu.customers.models import Contact, Customer, CustomerStatusChange


def customer_links(response) -> list[str]:
    return re.findall(
        r'class="customer-link" href="/customers/(CX\d+)/"', response.content.decode()
    )


def test_root_redirects_to_login_then_shows_the_dashboard(client, rep):
    assert client.get("/").url.startswith("/login/")
    client.force_login(rep)
    response = client.get("/")
    assert response.status_code == 200  # the rep's dashboard (kehu.reports.dashboard)
    assert 'id="dashboard-tiles"' in response.content.decode()
    assert client.get("/customers/").status_code == 200


def test_login_page_renders_and_logs_in(client, rep):
    response = client.get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_username"' in body and 'id="id_password"' in body
    assert "vendor/htmx.org/dist/htmx.min.js" in body
    response = client.post("/login/", {"username": "rep", "password": "pass-for-tests-2026"})
    assert response.status_code == 302
    assert response.url == "/"  # the home dashboard


def test_list_shows_only_visible_customers(client, customer_factory, rep, rep2, outsider):
    mine = [customer_factory(name=f"华东客户{i}") for i in range(3)]
    customer_factory(actor=rep2, name="同事的客户")
    client.force_login(rep)
    response = client.get("/customers/")
    assert response.status_code == 200
    assert sorted(customer_links(response)) == sorted(c.customer_no for c in mine)
    client.force_login(outsider)
    response = client.get("/customers/")
    assert customer_links(response) == []


def test_list_filters_and_search(client, customer_factory, rep):
    lead = customer_factory(name="潜在甲公司", industry="制造业")
    won = customer_factory(name="成交乙公司", status="won", size="大型企业")
    client.force_login(rep)
    assert customer_links(client.get("/customers/", {"status": "won"})) == [won.customer_no]
    assert customer_links(client.get("/customers/", {"status": "潜在客户"})) == [lead.customer_no]
    assert customer_links(client.get("/customers/", {"industry": "制造业"})) == [lead.customer_no]
    assert customer_links(client.get("/customers/", {"size": "large"})) == [won.customer_no]
    assert customer_links(client.get("/customers/", {"q": "乙公司"})) == [won.customer_no]
    assert len(customer_links(client.get("/customers/", {"incomplete": "on"}))) == 2


def test_list_bad_filter_is_named_not_a_500(client, customer_factory, rep):
    customer_factory()
    client.force_login(rep)
    response = client.get("/customers/", {"budget_min": "lots", "industry": "不存在的行业"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="error-budget_min"' in body and 'id="error-industry"' in body
    assert customer_links(response) == []


def test_list_pages_with_a_cursor(client, customer_factory, rep, settings):
    settings.KEHU_PAGE_SIZE = 2
    numbers = [customer_factory(name=f"分页{i}").customer_no for i in range(5)]
    client.force_login(rep)
    seen: list[str] = []
    url = "/customers/?status=lead"
    for _page in range(3):
        response = client.get(url)
        seen += customer_links(response)
        match = re.search(r'href="([^"]+)" id="next-page"', response.content.decode())
        if not match:
            break
        url = "/customers/" + match.group(1).replace("&amp;", "&")
        assert "status=lead" in url
    assert seen == list(reversed(numbers))


def test_list_htmx_returns_the_rows_partial(client, customer_factory, rep):
    customer_factory()
    client.force_login(rep)
    response = client.get("/customers/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="customer-results"')
    assert "<html" not in body


def test_list_query_count_is_constant(client, customer_factory, rep, settings):
    settings.KEHU_PAGE_SIZE = 25
    customer_factory()
    client.force_login(rep)
    client.get("/customers/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get("/customers/", {"industry": "制造业"})
    for i in range(10):
        customer_factory(name=f"更多{i}", industry="制造业", source="转介绍")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/customers/", {"industry": "制造业"})
    assert len(customer_links(response)) == 10
    assert len(many) == len(one)


def test_create_form_bad_phone_shows_inline_error_and_writes_nothing(client, rep):
    client.force_login(rep)
    response = client.post(
        "/customers/new/",
        {
            "kind": "company",
            "name": "坏号码公司",
            "status": "lead",
            "phone": "12345",
            "dm_name": "王总",
            "dm_mobile": "999",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="error-phone"' in body
    assert 'id="error-dm_mobile"' in body
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_create_form_requires_a_name_and_a_way_to_reach(client, rep):
    client.force_login(rep)
    response = client.post("/customers/new/", {"kind": "company", "name": "", "status": "lead"})
    assert response.status_code == 422
    assert 'id="error-name"' in response.content.decode()
    response = client.post(
        "/customers/new/", {"kind": "company", "name": "无联系方式", "status": "lead"}
    )
    assert response.status_code == 422
    assert 'id="error-__all__"' in response.content.decode()
    assert Customer.objects.count() == 0


def test_create_success_redirects_to_360_and_lists_missing(client, rep):
    client.force_login(rep)
    response = client.post(
        "/customers/new/",
        {
            "kind": "company",
            "name": "上海新建科技有限公司",
            "status": "lead",
            "industry": "制造业",
            "sub_industry": "制造业 › 汽车零部件",
            "budget_amount": "8万",
            "dm_name": "王建国",
            "dm_mobile": "138 0013 8000",
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert response.url == f"/customers/{customer.customer_no}/"
    assert customer.owner == rep
    assert customer.sub_industry.name == "汽车零部件"
    assert customer.budget_band == Customer.BudgetBand.UNDER_100K
    assert customer.contacts.get().mobile == "+8613800138000"
    page = client.get(response.url)
    body = page.content.decode()
    assert 'id="missing-fields"' in body
    assert body.count('class="missing-field"') == len(customer.missing_fields)


def test_rep_cannot_make_someone_else_owner(client, rep, rep2):
    client.force_login(rep)
    response = client.post(
        "/customers/new/",
        {
            "kind": "company",
            "name": "甲",
            "status": "lead",
            "phone": next_mobile(),
            "owner": rep2.pk,
        },
    )
    assert response.status_code == 422
    assert Customer.objects.count() == 0


def test_roles_without_create_get_403(client, support):
    client.force_login(support)
    assert client.get("/customers/new/").status_code == 403


def test_edit_status_change_needs_a_reason(client, customer_factory, rep):
    customer = customer_factory(name="改状态公司")
    client.force_login(rep)
    form = client.get(f"/customers/{customer.customer_no}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["status"] = "intent"
    response = client.post(f"/customers/{customer.customer_no}/edit/", data)
    assert response.status_code == 422
    assert 'id="error-status_reason"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.status == "lead"
    assert CustomerStatusChange.objects.filter(customer=customer).count() == 1
    data["status_reason"] = "客户表示有采购意向"
    response = client.post(f"/customers/{customer.customer_no}/edit/", data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == "intent"
    change = CustomerStatusChange.objects.filter(customer=customer).first()
    assert change.reason == "客户表示有采购意向"


def test_edit_saves_changes_without_touching_the_status_history(client, customer_factory, manager):
    customer = customer_factory(name="旧名称")
    client.force_login(manager)  # a rep's rename waits for approval (test_approvals.py)
    form = client.get(f"/customers/{customer.customer_no}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["name"] = "新名称有限公司"
    assert client.post(f"/customers/{customer.customer_no}/edit/", data).status_code == 302
    customer.refresh_from_db()
    assert customer.name == "新名称有限公司"
    assert CustomerStatusChange.objects.filter(customer=customer).count() == 1


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("manager", 200), ("executive", 403)]
)
def test_edit_permissions(client, customer_factory, persona, status, request):
    customer = customer_factory()
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"/customers/{customer.customer_no}/edit/")
    assert response.status_code == status
    if status != 200:
        response = client.post(f"/customers/{customer.customer_no}/edit/", {"name": "X"})
        assert response.status_code == status
        customer.refresh_from_db()
        assert customer.name != "X"


def test_pages_are_chinese_by_default_and_english_on_request(client, rep):
    client.force_login(rep)
    assert "新建客户" in client.get("/customers/").content.decode()
    client.cookies["django_language"] = "en"
    assert "New customer" in client.get("/customers/").content.decode()


def test_list_total_tags_dates_and_sort(client, customer_factory, rep, settings):
    from kehu.tags.services import tag_apply

    settings.KEHU_PAGE_SIZE = 2
    b = customer_factory(name="北京乙方有限公司")
    a = customer_factory(name="北京甲方有限公司")
    c = customer_factory(name="北京丙方有限公司")
    tag_apply(actor=rep, customer=a, name="高价值")
    client.force_login(rep)
    body = client.get("/customers/").content.decode()
    assert 'id="customer-total">共 3 位客户' in body  # the total, not just the page
    response = client.get("/customers/", {"tag": "高价值"})
    assert customer_links(response) == [a.customer_no]
    assert "共 1 位客户" in response.content.decode()
    assert set(
        customer_links(client.get("/customers/", {"tag": "高价值", "tag_mode": "none"}))
    ) == {
        b.customer_no,
        c.customer_no,
    }
    assert customer_links(client.get("/customers/", {"created_to": "2000-01-01"})) == []
    assert len(customer_links(client.get("/customers/", {"created_from": "2000-01-01"}))) == 2
    # Sorting by the name column: the link toggles the direction and keeps the filters.
    response = client.get("/customers/", {"created_from": "2000-01-01"})
    link = re.search(r'id="sort-name" href="([^"]+)"', response.content.decode()).group(1)
    link = link.replace("&amp;", "&")
    assert "order=name" in link and "created_from=2000-01-01" in link
    response = client.get("/customers/" + link)
    by_name = sorted([a, b, c], key=lambda x: name_sort_key(x.name))  # pinyin order
    assert customer_links(response) == [x.customer_no for x in by_name[:2]]
    body = response.content.decode()
    assert "▲" in body and "order=-name" in body
    follow = re.search(r'href="([^"]+)" id="next-page"', body).group(1).replace("&amp;", "&")
    assert customer_links(client.get("/customers/" + follow)) == [by_name[2].customer_no]
    # The same sort from the filters' select (phones have no column headers).
    body = client.get("/customers/", {"order": "-name"}).content.decode()
    assert '<option value="-name" selected>' in body
    assert customer_links(client.get("/customers/", {"order": "-name"})) == [
        x.customer_no for x in by_name[::-1][:2]
    ]
    response = client.get("/customers/", {"order": "sideways"})
    assert response.status_code == 200 and customer_links(response) == []


def test_sub_industries_follow_the_chosen_industry(client, rep, customer_factory):
    client.force_login(rep)
    form = client.get("/customers/new/").content.decode()
    assert 'hx-get="/dictionaries/sub-industries/"' in form
    body = client.get("/dictionaries/sub-industries/", {"industry": "制造业"}).content.decode()
    assert 'value="制造业 › 汽车零部件"' in body and "银行" not in body
    assert "<optgroup" not in body
    every = client.get("/dictionaries/sub-industries/").content.decode()
    assert '<optgroup label="金融业">' in every and "汽车零部件" in every
    # A customer of one industry is edited with only that industry's sub-industries offered.
    customer = customer_factory(industry="金融业")
    edit = client.get(f"/customers/{customer.customer_no}/edit/").content.decode()
    assert 'value="金融业 › 银行"' in edit and "汽车零部件" not in edit


def test_complete_it_asks_only_for_the_missing_fields(client, rep, api):
    api.login(rep)
    response = api.post(
        "/api/v1/customers",
        {"name": "杭州补全测试有限公司", "email": "info@buquan.cn", "address": "西湖区文三路 1 号",
         "decision_maker": {"name": "周补全", "mobile": "13900001111"}},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(customer_no=response.json()["customer_no"])
    assert {"industry", "size", "decision_maker_title"} <= set(customer.missing_fields)
    client.force_login(rep)
    page = client.get(f"/customers/{customer.customer_no}/").content.decode()
    assert f'href="/customers/{customer.customer_no}/edit/?only=missing"' in page
    form = client.get(f"/customers/{customer.customer_no}/edit/?only=missing").content.decode()
    assert 'id="complete-form"' in form
    assert 'name="industry" hx-get' in form or 'id="id_industry"' in form
    assert 'type="hidden" name="name" value="杭州补全测试有限公司"' in form  # kept, not asked
    assert 'id="id_dm_title"' in form and 'value="周补全"' in form
    assert "关键决策人职位" in form or "关键决策人职务" in form  # whose title, without a fieldset
    data = {
        m.group(1): m.group(2)
        for m in re.finditer(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    data.pop("csrfmiddlewaretoken", None)
    data.update(
        {"industry": "制造业", "sub_industry": "制造业 › 机械设备", "size": "medium",
         "dm_name": "周补全", "dm_title": "总经理", "dm_mobile": "13900001111"}
    )  # fmt: skip
    for key in ("source", "first_contact_date", "owner", "status"):
        data.setdefault(key, "")
    response = client.post(f"/customers/{customer.customer_no}/edit/?only=missing", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.industry.name == "制造业" and customer.size == "medium"
    assert (customer.email, customer.address) == ("info@buquan.cn", "西湖区文三路 1 号")
    maker = Contact.objects.get(customer=customer, decision_role="decision_maker")
    assert (maker.name, maker.title, maker.mobile) == ("周补全", "总经理", "+8613900001111")
    assert not {"industry", "size", "decision_maker_title"} & set(customer.missing_fields)


def test_previous_page_returns_exactly_to_the_page_before(client, customer_factory, rep, settings):
    settings.KEHU_PAGE_SIZE = 2
    for i in range(7):
        customer_factory(name=f"翻页{i}")
    client.force_login(rep)

    def link(body: str, name: str) -> str:
        found = re.search(rf'href="([^"]+)" id="{name}"', body)
        assert found, name
        return "/customers/" + found.group(1).replace("&amp;", "&")

    url, pages = "/customers/?status=lead", []
    for _ in range(3):
        body = client.get(url).content.decode()
        pages.append((url, customer_links(client.get(url))))
        if len(pages) < 3:
            url = link(body, "next-page")
    third = client.get(url).content.decode()
    assert 'id="previous-page"' in third
    second_again = link(third, "previous-page")
    assert customer_links(client.get(second_again)) == pages[1][1]
    assert "status=lead" in second_again
    first_again = link(client.get(second_again).content.decode(), "previous-page")
    assert customer_links(client.get(first_again)) == pages[0][1]
    assert 'id="previous-page"' not in client.get(first_again).content.decode()
