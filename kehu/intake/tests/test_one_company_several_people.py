"""A rep's sheet lists one company once per person: the rows after the first name the customer
the first created (its address or phone), and each other person joins it as a contact instead of
being dropped with the duplicate row. The same person again adds nobody; a revert removes the
customer with them; a customer the file did not create gets no contacts from its other rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kehu.customers.models import Contact, Customer
from kehu.intake.models import ImportRun
from kehu.intake.services import import_revert

from .helpers import run_import

pytestmark = pytest.mark.django_db

HEADER = "客户名称,关键决策人姓名,决策人职位,决策人联系方式,客户地址"
COMPANY = "深圳市星辰科技有限公司"
ADDRESS = "广东省深圳市南山区科技园路1号"
ROWS = [
    f"{COMPANY},张三,总经理,13800138001,{ADDRESS}",
    "东莞市恒信五金制品有限公司,刘强,采购经理,13900139000,广东省东莞市长安镇振安路8号",
    f"{COMPANY},李四,采购经理,13800138002,{ADDRESS}",
    f"{COMPANY},张三,总经理,13800138001,{ADDRESS}",  # the same person again
    f"{COMPANY},王五,工程师,13800138003,深圳 南山区 科技园路1號",
]


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def _import(tmp_path: Path, rows: list[str], *args: str) -> tuple[str, str]:
    path = tmp_path / "people.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    summary = run_import(str(path), "--user", "rep", "--report", str(report), *args)[-1]
    return summary, report.read_text(encoding="utf-8-sig")


def _people(name: str = COMPANY) -> dict[str, bool]:
    customer = Customer.objects.get(name=name)
    makers = Contact.DecisionRole.DECISION_MAKER
    return {c.name: c.decision_role == makers for c in Contact.objects.filter(customer=customer)}


@pytest.mark.parametrize("batch", [100, 2])  # one batch; the company's rows in three batches
def test_each_other_person_of_the_company_joins_it_as_a_contact(
    tmp_path: Path, rep: Any, settings: Any, batch: int
) -> None:
    settings.KEHU_IMPORT_BATCH_SIZE = batch
    summary, report = _import(tmp_path, ROWS)
    assert summary.startswith("created=2 updated=0 skipped=3 failed=0 ")
    assert _people() == {"张三": True, "李四": False, "王五": False}
    assert _people("东莞市恒信五金制品有限公司") == {"刘强": True}
    li = Contact.objects.get(name="李四")
    assert li.mobile == "+8613800138002" and li.title == "采购经理"
    lines = report.splitlines()
    number = Customer.objects.get(name=COMPANY).customer_no
    assert "李四" in lines[3] and number in lines[3]  # row 4: added
    assert "李四" not in lines[4] and "张三" not in lines[4]  # row 5: the same person, skipped
    assert "王五" in lines[5]


def test_a_dry_run_says_who_would_be_added_and_writes_nothing(tmp_path: Path, rep: Any) -> None:
    summary, report = _import(tmp_path, ROWS, "--dry-run")
    assert summary.startswith("created=2 updated=0 skipped=3 ")
    assert "李四" in report.splitlines()[3] and "王五" in report.splitlines()[5]
    assert "张三" not in report.splitlines()[4]
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_a_revert_removes_the_customer_with_the_people_it_gained(
    tmp_path: Path, rep: Any, admin_user: Any
) -> None:
    _import(tmp_path, ROWS)
    import_revert(actor=admin_user, run=ImportRun.objects.get())
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_a_customer_the_file_did_not_create_gains_no_contacts_from_its_other_rows(
    tmp_path: Path, rep: Any
) -> None:
    _import(tmp_path, ROWS[:1])
    summary, _report = _import(tmp_path, ROWS)
    assert summary.startswith("created=1 ")
    assert _people() == {"张三": True}


def test_one_person_written_another_way_is_not_added_again(tmp_path: Path, rep: Any) -> None:
    rows = [
        f"{COMPANY},张三,总经理,13800138001,{ADDRESS}",
        f"{COMPANY},张三,总经理,0755-86013388,{ADDRESS}",  # the same name, another number
        f"{COMPANY},张总,,13800138009,{ADDRESS}",  # his surname and a form of address
        f"{COMPANY},采购经理,,13800138008,{ADDRESS}",  # a title names nobody
        f"{COMPANY},Zhang San,,,{ADDRESS}",  # in pinyin
        f"{COMPANY},李四,采购经理,13800138002,{ADDRESS}",
        f"{COMPANY},李四,采购经理,13800138012,{ADDRESS}",  # added once
    ]
    summary, _report = _import(tmp_path, rows)
    assert summary.startswith("created=1 updated=0 skipped=6 ")
    assert _people() == {"张三": True, "李四": False}


def test_a_name_cut_short_or_mistyped_is_the_same_person_two_names_are_two(
    tmp_path: Path, rep: Any
) -> None:
    rows = [
        f"{COMPANY},刘德华,总经理,13800138001,{ADDRESS}",
        f"{COMPANY},刘德,,13800138011,{ADDRESS}",  # cut short
        f"{COMPANY},刘得华,,13800138021,{ADDRESS}",  # one character mistyped
        f"{COMPANY},李四,,13800138002,{ADDRESS}",
        f"{COMPANY},李五,,13800138003,{ADDRESS}",  # another person
    ]
    summary, _report = _import(tmp_path, rows)
    assert summary.startswith("created=1 updated=0 skipped=4 ")
    assert _people() == {"刘德华": True, "李四": False, "李五": False}
