"""Every path meets the guards: pages, API, bulk change, contacts, imports (issue 13 items 1-2,
issue 14 items 4, 10 and 15). Each case checks what is refused or held *and* that nothing of
it was saved."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kehu.conftest import make_user
from kehu.customers.models import Customer, DuplicateAction
from kehu.intake.tests.helpers import standard_row, write_csv
from kehu.review.models import ReviewItem
from kehu.tags.services import tag_apply

pytestmark = pytest.mark.django_db


def _state(customer: Customer) -> dict[str, Any]:
    return Customer.objects.filter(pk=customer.pk).values().get()


@pytest.fixture
def steward(team_east: Any) -> Any:
    return make_user("steward", "steward", None, display_name="数据专员")


# --- The edit page never answers 500 (issue 13, "Done when")


def test_renaming_into_a_probable_duplicate_shows_the_warning_then_saves_when_confirmed(
    client: Any, manager: Any, customer_factory: Any
) -> None:
    customer_factory(name="深圳市华信软件有限公司")
    other = customer_factory(name="广州市远景物流有限公司")
    before = _state(other)
    client.force_login(manager)
    url = f"/customers/{other.customer_no}/edit/"
    form = {"kind": "company", "name": "深圳市华信软件有限公司", "status": "lead", "owner": ""}
    form["owner"] = str(other.owner_id)
    response = client.post(url, form)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="duplicate-warning"' in page and "深圳市华信软件有限公司" in page
    assert _state(other) == before
    response = client.post(url, {**form, "allow_duplicate": "on"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "深圳市华信软件有限公司"


def test_a_steward_changing_a_budget_on_the_edit_page_is_told_why(
    client: Any, steward: Any, customer_factory: Any
) -> None:
    customer = customer_factory(budget_amount="80000")
    before = _state(customer)
    client.force_login(steward)
    url = f"/customers/{customer.customer_no}/edit/"
    form = {
        "kind": "company",
        "name": customer.name,
        "status": "lead",
        "owner": str(customer.owner_id),
        "budget_amount": "900000",
    }
    response = client.post(url, form)
    assert response.status_code == 422
    assert "budget_amount" in response.content.decode()  # the message names the field
    assert _state(customer) == before


# --- Finance fields: one list, every path (issue 14 item 10)


@pytest.mark.parametrize(
    "data", [{"budget_amount": "900000"}, {"budget_band": "over_500k"}, {"budget_band": ""}]
)
def test_a_steward_may_change_neither_the_budget_nor_its_band(
    api: Any, steward: Any, customer_factory: Any, data: dict[str, str]
) -> None:
    customer = customer_factory(budget_amount="80000")
    before = _state(customer)
    response = api.login(steward).patch(f"/api/v1/customers/{customer.customer_no}", data)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    assert _state(customer) == before


def test_an_import_by_a_steward_refuses_rows_with_a_budget(
    tmp_path: Path, steward: Any, rep: Any
) -> None:
    path = write_csv(tmp_path / "a.csv", [standard_row(1), standard_row(2, 年合作预算="")])
    report = tmp_path / "report.csv"
    lines = _import(path, "--user", "steward", "--report", str(report))
    assert lines[-1].startswith("created=1 updated=0 skipped=0 failed=1")
    failed = [r for r in _read(report) if r["outcome"] == "failed"]
    assert "budget_amount" in failed[0]["errors"]
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["EXT00000002"]


# --- Review can no longer be skipped (issue 14 item 15)


def test_a_bulk_change_of_one_customer_meets_the_approval_rule(
    api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    before = _state(customer)
    response = api.login(rep).post(
        "/api/v1/review/bulk-update",
        {
            "customer_nos": [customer.customer_no],
            "changes": {"status": "won", "status_reason": "签约"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["updated"] == 0 and [h["customer_no"] for h in body["held"]] == [
        customer.customer_no
    ]
    assert _state(customer) == before
    item = ReviewItem.objects.get(customer=customer)
    assert item.rule == "approval" and item.status == "pending"
    api.login(manager).post(f"/api/v1/review/{item.pk}/approve", {})
    customer.refresh_from_db()
    assert customer.status == "won"


def test_a_vip_contacts_phone_changed_through_the_contacts_api_waits(
    api: Any, rep: Any, manager: Any, customer_factory: Any
) -> None:
    customer = customer_factory()
    tag_apply(actor=manager, customer=customer, name="VIP")
    contact = customer.contacts.get()
    old_mobile = contact.mobile
    response = api.login(rep).patch(f"/api/v1/contacts/{contact.pk}", {"mobile": "13912345678"})
    assert response.status_code == 202, response.content
    contact.refresh_from_db()
    assert contact.mobile == old_mobile
    item = ReviewItem.objects.get()
    assert (item.action, item.rule) == ("contact_update", "vip_phone")
    assert [row["field"] for row in item.diff] == ["mobile"]
    api.login(manager).post(f"/api/v1/review/{item.pk}/approve", {})
    contact.refresh_from_db()
    assert contact.mobile == "+8613912345678"


def test_creating_a_won_customer_with_a_huge_budget_waits_and_approval_creates_it(
    api: Any, rep: Any, manager: Any
) -> None:
    payload = {
        "name": "突然成交有限公司",
        "status": "won",
        "status_reason": "签约",
        "budget_amount": "900000000",
        "decision_maker": {"name": "钱多多", "title": "总经理", "mobile": "13700000001"},
    }
    response = api.login(rep).post("/api/v1/customers", payload)
    assert response.status_code == 202, response.content
    assert not Customer.objects.filter(name="突然成交有限公司").exists()
    item = ReviewItem.objects.get()
    assert item.action == "customer_create" and item.rule == "large_budget"
    assert api.login(manager).post(f"/api/v1/review/{item.pk}/approve", {}).status_code == 200
    customer = Customer.objects.get(name="突然成交有限公司")
    assert customer.status == "won" and customer.owner == rep
    assert str(customer.budget_amount) == "900000000.00"


def test_an_import_update_by_a_rep_waits_for_the_manager(
    tmp_path: Path, rep: Any, manager: Any
) -> None:
    _import(write_csv(tmp_path / "a.csv", [standard_row(1)]), "--user", "rep")
    customer = Customer.objects.get()
    before = _state(customer)
    changed = standard_row(
        1, 客户名称="改了名的有限公司", 客户状态="成交客户", 年合作预算="8000000"
    )
    report = tmp_path / "report.csv"
    lines = _import(
        write_csv(tmp_path / "b.csv", [changed]),
        "--user",
        "rep",
        "--on-duplicate",
        "update",
        "--report",
        str(report),
    )
    assert lines[-1].startswith("created=0 updated=0 skipped=1 failed=0")
    assert _state(customer) == before
    item = ReviewItem.objects.get()
    assert item.action == "customer_update" and item.customer == customer
    assert f"#{item.pk}" in _read(report)[0]["note"]


def test_an_imported_won_customer_of_a_rep_waits_as_a_new_customer(
    tmp_path: Path, rep: Any
) -> None:
    rows = [standard_row(1, 客户状态="成交客户"), standard_row(2)]
    lines = _import(write_csv(tmp_path / "a.csv", rows), "--user", "rep")
    assert lines[-1].startswith("created=1 updated=0 skipped=1")
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["EXT00000002"]
    item = ReviewItem.objects.get()
    assert item.action == "customer_create" and item.payload["name"] == "杭州测试1号贸易有限公司"


# --- The import warns about the common duplicates (issue 14 item 4; the "import" policy)


@pytest.mark.parametrize(
    ("policy", "summary", "created", "queued"),
    [
        (None, "created=1 updated=0 skipped=0 failed=0", True, False),  # alert, the default
        ("block", "created=0 updated=0 skipped=0 failed=1", False, False),
        ("queue", "created=1 updated=0 skipped=0 failed=0", True, True),
        ("allow", "created=1 updated=0 skipped=0 failed=0", True, False),
    ],
)
def test_an_imported_row_sharing_a_mobile_follows_the_import_policy(
    tmp_path: Path,
    rep: Any,
    customer_factory: Any,
    policy: str | None,
    summary: str,
    created: bool,
    queued: bool,
) -> None:
    existing = customer_factory(
        name="宁波老客户有限公司",
        decision_maker={"name": "李四", "title": "采购", "mobile": "13955556666"},
    )
    if policy:
        DuplicateAction.objects.create(context="import", action=policy)
    row = standard_row(9, 客户名称="宁波新名字有限公司", 决策人联系方式="139 5555 6666")
    report = tmp_path / "report.csv"
    lines = _import(write_csv(tmp_path / "a.csv", [row]), "--user", "rep", "--report", str(report))
    assert lines[-1].startswith(summary)
    assert Customer.objects.filter(name="宁波新名字有限公司").exists() == created
    line = _read(report)[0]
    said = line.get("warnings", "") + line.get("errors", "")
    if policy == "allow":
        assert existing.customer_no not in said
    else:
        assert existing.customer_no in said and "手机号相同" in said  # same mobile
    assert ReviewItem.objects.filter(action="duplicate").exists() == queued


def _import(path: Path, *args: str) -> list[str]:
    out = StringIO()
    call_command("import", str(path), *args, stdout=out)
    return out.getvalue().strip().splitlines()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))
