"""The field standard on the import path (issue 15): an import cannot make a customer 成交客户
without the approval the same change needs on the web (a sales rep's waits for the manager;
managers, administrators and the system are not held, as on the web); the standard's own
words for value lists are read; an abbreviated company name is marked 待补全."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kehu.accounts.models import User
from kehu.customers.models import Customer
from kehu.intake.models import ImportRow
from kehu.review.models import ReviewItem

from .helpers import standard_row, write_csv

pytestmark = pytest.mark.django_db
SUMMARY = "created={} updated={} skipped={} failed={} incomplete={}"
_REACH = {"phone": "0755-86013388"}


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def run_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import", str(path), *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_a_rep_cannot_import_a_won_customer_without_approval(
    tmp_path: Path, rep: User, manager: User, api: Any
) -> None:
    source = write_csv(tmp_path / "won.csv", [standard_row(1, 客户状态="成交客户")])
    assert run_import(source, "--user", rep.username) == SUMMARY.format(0, 0, 1, 0, 0)
    assert not Customer.objects.exists()
    item = ReviewItem.objects.get()
    assert item.status == ReviewItem.Status.PENDING and item.requested_by == rep
    approved = api.login(manager).post(f"/api/v1/review/{item.pk}/approve", {})
    assert approved.status_code == 200, approved.content
    assert Customer.objects.get().status == Customer.Status.WON  # once the manager approves


def test_a_rep_cannot_turn_a_customer_won_by_reimporting_it(tmp_path: Path, rep: User) -> None:
    write_csv(tmp_path / "a.csv", [standard_row(1, 客户状态="意向客户")])
    assert run_import(tmp_path / "a.csv", "--user", rep.username) == SUMMARY.format(1, 0, 0, 0, 0)
    for status in ("成交客户", "已成交", "won"):  # the standard's word and other systems' alike
        write_csv(tmp_path / "b.csv", [standard_row(1, 客户状态=status)])
        run_import(tmp_path / "b.csv", "--user", rep.username, "--on-duplicate", "update")
        assert Customer.objects.get().status == Customer.Status.INTENT
    # The same change, asked for three times, waits once for the manager.
    assert ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).count() == 1


def test_a_held_row_imported_again_waits_once(tmp_path: Path, rep: User, manager: User) -> None:
    source = write_csv(tmp_path / "won.csv", [standard_row(1, 客户状态="成交客户")])
    for _ in range(2):
        assert run_import(source, "--user", rep.username) == SUMMARY.format(0, 0, 1, 0, 0)
    item = ReviewItem.objects.get()
    notes = [row.note for row in ImportRow.objects.order_by("run_id")]
    assert len(notes) == 2 and all(f"#{item.pk}" in note for note in notes)
    # Another change to the same row is another request.
    other = write_csv(
        tmp_path / "other.csv", [standard_row(1, 客户状态="成交客户", 年合作预算="6000000")]
    )
    run_import(other, "--user", rep.username)
    assert ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).count() == 2


def test_a_change_sent_twice_waits_once(api: Any, rep: User, manager: User) -> None:
    created = api.login(rep).post("/api/v1/customers", {"name": "深圳市星辰科技有限公司", **_REACH})
    assert created.status_code == 201, created.content
    number = created.json()["customer_no"]
    change = {"name": "深圳市星辰信息科技有限公司"}  # a key field: a rep's rename waits
    first = api.patch(f"/api/v1/customers/{number}", change)
    second = api.patch(f"/api/v1/customers/{number}", change)
    assert first.status_code == second.status_code == 202, second.content
    assert first.json()["pending_id"] == second.json()["pending_id"]
    assert ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).count() == 1
    third = api.patch(f"/api/v1/customers/{number}", {"name": "深圳市星辰智能科技有限公司"})
    assert third.status_code == 202 and third.json()["pending_id"] != first.json()["pending_id"]
    approved = api.login(manager).post(f"/api/v1/review/{first.json()['pending_id']}/approve", {})
    assert approved.status_code == 200, approved.content
    assert Customer.objects.get(customer_no=number).name == "深圳市星辰信息科技有限公司"


@pytest.mark.parametrize("role", ["manager", "admin_user", None])
def test_those_the_web_does_not_hold_are_not_held_on_import(
    tmp_path: Path, role: str | None, request: Any, rep: User
) -> None:
    args = ["--user", request.getfixturevalue(role).username] if role else []
    source = write_csv(tmp_path / "won.csv", [standard_row(1, 客户状态="成交客户")])
    assert run_import(source, *args) == SUMMARY.format(1, 0, 0, 0, 0)
    assert Customer.objects.get().status == Customer.Status.WON
    assert not ReviewItem.objects.exists()


def test_the_standards_own_words_and_an_abbreviated_name_on_import(
    tmp_path: Path, rep: User
) -> None:
    rows = [
        standard_row(1, 所属行业="零售业", 二级行业="", 客户来源="官网"),
        standard_row(2, 客户名称="腾讯"),
        standard_row(3, 客户名称="深圳市腾讯计算机系统有限公司"),
    ]
    source = write_csv(tmp_path / "words.csv", rows)
    assert run_import(source, "--user", rep.username) == SUMMARY.format(3, 0, 0, 0, 1)
    retail = Customer.objects.get(external_id="EXT00000001")
    assert retail.industry is not None and retail.industry.name == "批发和零售业"
    assert retail.source is not None and retail.source.name == "官网注册"
    short = Customer.objects.get(external_id="EXT00000002")
    assert short.quality == Customer.Quality.INCOMPLETE
    assert short.missing_fields == ["full_name"]
    full = Customer.objects.get(external_id="EXT00000003")
    assert full.quality == Customer.Quality.COMPLETE and full.missing_fields == []
