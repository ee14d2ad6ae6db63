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
from kehu.review.models import ReviewItem

from .helpers import standard_row, write_csv

pytestmark = pytest.mark.django_db
SUMMARY = "created={} updated={} skipped={} failed={} incomplete={}"


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
    assert ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).count() == 3


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
