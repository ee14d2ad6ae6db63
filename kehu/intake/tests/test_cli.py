from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from kehu.core.models import SearchDocument
from kehu.customers.models import Contact, Customer
from kehu.intake.models import ImportRun

from .helpers import HEADERS, csv_text, standard_row, write_csv

pytestmark = pytest.mark.django_db

SUMMARY = "created={} updated={} skipped={} failed={} incomplete={}"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def run_import(*args: str) -> list[str]:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_summary_line_report_and_quality_marks(tmp_path, rep):
    rows = [
        standard_row(1),
        standard_row(2, 所属行业="", 二级行业="", 客户规模=""),  # only non-hard fields missing
        standard_row(3, 决策人联系方式="12345", 客户名称=""),  # hard rules broken
        standard_row(4, 负责人="无此人"),
    ]
    source = write_csv(tmp_path / "customers.csv", rows)
    report = tmp_path / "report.csv"
    lines = run_import(str(source), "--report", str(report))
    assert lines[-1] == SUMMARY.format(2, 0, 0, 2, 1)
    assert Customer.objects.count() == 2
    complete = Customer.objects.get(external_id="EXT00000001")
    incomplete = Customer.objects.get(external_id="EXT00000002")
    assert complete.quality == Customer.Quality.COMPLETE
    assert complete.owner == rep and complete.team == rep.team
    assert complete.contacts.get().mobile == "+8613900000001"
    assert incomplete.quality == Customer.Quality.INCOMPLETE
    assert set(incomplete.missing_fields) == {"industry", "size"}
    assert SearchDocument.objects.filter(kind="customer", object_id=complete.pk).exists()
    lines = read_report(report)
    assert [r["row"] for r in lines] == ["2", "3", "4", "5"]
    assert [r["outcome"] for r in lines] == ["created", "created", "failed", "failed"]
    assert lines[0]["customer_no"] == complete.customer_no
    assert lines[1]["incomplete"] == "yes"
    assert "客户名称:" in lines[2]["errors"] and "决策人联系方式:" in lines[2]["errors"]
    assert "负责人: 没有名为“无此人”的有效用户" in lines[3]["errors"]  # No active user


def test_dry_run_names_row_and_column_and_writes_nothing(tmp_path, rep):
    rows = [standard_row(1), standard_row(2, 邮箱="not-an-email", 首次接触时间="2025-13-45")]
    source = write_csv(tmp_path / "c.csv", rows)
    report = tmp_path / "dry.csv"
    lines = run_import(str(source), "--dry-run", "--report", str(report))
    assert lines[-1] == SUMMARY.format(1, 0, 0, 1, 0)
    assert "dry run: nothing was written" in lines
    assert Customer.objects.count() == 0
    failed = read_report(report)[1]
    assert failed["row"] == "3"
    assert "邮箱:" in failed["errors"] and "首次接触时间:" in failed["errors"]


def test_reimport_changes_nothing(tmp_path, rep):
    source = write_csv(tmp_path / "c.csv", [standard_row(n) for n in range(1, 6)])
    assert run_import(str(source))[-1] == SUMMARY.format(5, 0, 0, 0, 0)
    before = list(Customer.objects.order_by("pk").values())
    contacts = Contact.objects.count()
    assert run_import(str(source))[-1] == SUMMARY.format(0, 0, 5, 0, 0)
    assert list(Customer.objects.order_by("pk").values()) == before
    assert Contact.objects.count() == contacts


def test_reimport_changes_nothing_when_a_row_matches_two_customers(tmp_path, rep, settings):
    """Row 2 is the same company as row 1 by name and phone and as row 3 by credit code. The
    first import keeps row 2 out (a duplicate of row 1) and creates row 3's customer; on the
    second, row 2 matches both customers: it is skipped with both named, not written into
    either (which would change the customers on every re-import), also across batches."""
    code = "91330100MA2B3C4D5N"
    first = standard_row(1)
    rows = [
        first,
        standard_row(2, 客户名称=first["客户名称"], 决策人联系方式=first["决策人联系方式"],
                     统一社会信用代码=code),
        standard_row(3, 统一社会信用代码=code),
    ]  # fmt: skip
    source = write_csv(tmp_path / "c.csv", rows)
    report = tmp_path / "r.csv"
    for batch_size in (1000, 1):
        settings.KEHU_IMPORT_BATCH_SIZE = batch_size
        Customer.objects.all().delete()
        assert run_import(str(source))[-1] == SUMMARY.format(2, 0, 1, 0, 0)
        before = list(Customer.objects.order_by("pk").values())
        assert run_import(str(source), "--report", str(report))[-1] == SUMMARY.format(0, 0, 3, 0, 0)
        assert list(Customer.objects.order_by("pk").values()) == before
        note = read_report(report)[1]["errors"] + read_report(report)[1].get("note", "")
        assert "统一社会信用代码相同" in note and "名称和电话相同" in note  # same code, name+phone


def test_changed_row_updates_by_external_id(tmp_path, rep):
    write_csv(tmp_path / "a.csv", [standard_row(1)])
    run_import(str(tmp_path / "a.csv"))
    write_csv(tmp_path / "b.csv", [standard_row(1, 年合作预算="600000", 决策人职位="董事长")])
    assert run_import(str(tmp_path / "b.csv"))[-1] == SUMMARY.format(0, 1, 0, 0, 0)
    customer = Customer.objects.get()
    assert str(customer.budget_amount) == "600000.00"
    assert customer.budget_band == Customer.BudgetBand.OVER_500K
    assert customer.contacts.get().title == "董事长"


@pytest.mark.parametrize(
    ("mode", "expected", "customers"),
    [("update", (0, 1, 0), 1), ("skip", (0, 0, 1), 1), ("create", (1, 0, 0), 2)],
)
def test_on_duplicate_modes_for_a_certain_duplicate(tmp_path, rep, mode, expected, customers):
    code = "91350100M000100Y43"
    write_csv(tmp_path / "a.csv", [standard_row(1, 统一社会信用代码=code)])
    run_import(str(tmp_path / "a.csv"))
    # Another system's record of the same company: new external id, same credit code.
    again = standard_row(
        2, 统一社会信用代码=code, 客户名称="另一个名字有限公司", 年合作预算="90000"
    )
    write_csv(tmp_path / "b.csv", [again])
    lines = run_import(str(tmp_path / "b.csv"), "--on-duplicate", mode)
    assert lines[-1] == SUMMARY.format(*expected, 0, 0)
    assert Customer.objects.count() == customers


def test_same_name_and_phone_is_a_certain_duplicate(tmp_path, rep):
    write_csv(tmp_path / "a.csv", [standard_row(1)])
    run_import(str(tmp_path / "a.csv"))
    twin = standard_row(9, 客户名称="杭州测试1号贸易有限公司", 决策人联系方式="139 0000 0001")
    write_csv(tmp_path / "b.csv", [twin])
    assert run_import(str(tmp_path / "b.csv"), "--on-duplicate", "skip")[-1] == SUMMARY.format(
        0, 0, 1, 0, 0
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, rep, encoding):
    rows = [standard_row(n, 客户名称=f"广州珠江{n}号电子设备有限公司") for n in range(1, 30)]
    source = write_csv(tmp_path / f"{encoding}.csv", rows, encoding=encoding)
    assert run_import(str(source))[-1] == SUMMARY.format(29, 0, 0, 0, 0)
    assert Customer.objects.filter(name="广州珠江7号电子设备有限公司").exists()
    run = ImportRun.objects.get()
    assert run.encoding in {"utf-8": ("utf-8",), "utf-8-sig": ("utf-8-sig",)}.get(
        encoding, ("gb18030",)
    )


def test_excel_unicode_text_and_semicolon_files(tmp_path, rep):
    """Excel's "Unicode text" (UTF-16 with tabs), and a semicolon file whose numbers were
    exported as ="…" to keep them text."""
    rows = [standard_row(n) for n in (1, 2)]
    unicode_text = tmp_path / "unicode.txt"
    unicode_text.write_bytes(
        csv_text(rows).replace(",", "\t").replace("\n", "\r\n").encode("utf-16")
    )
    assert run_import(str(unicode_text))[-1] == SUMMARY.format(2, 0, 0, 0, 0)
    assert ImportRun.objects.get().encoding.startswith("utf-16")
    semicolons = tmp_path / "semicolons.csv"
    header = ";".join(HEADERS)
    row = standard_row(3, 决策人联系方式='="0571-88886666"', 外部编号='="000123"')
    semicolons.write_text(f"{header}\n" + ";".join(row[h] for h in HEADERS) + "\n")
    assert run_import(str(semicolons))[-1] == SUMMARY.format(1, 0, 0, 0, 0)
    customer = Customer.objects.get(external_id="000123")
    assert customer.contacts.get().landline == "+8657188886666"


def test_xlsx_with_columns_in_another_order_and_an_unknown_column(tmp_path, rep):
    book = Workbook()
    sheet = book.active
    headers = list(reversed(HEADERS)) + ["备注X"]
    sheet.append(headers)
    for n in (1, 2):
        row = standard_row(n)
        sheet.append([row.get(h, "随便") for h in headers])
    path = tmp_path / "c.xlsx"
    book.save(path)
    lines = run_import(str(path))
    assert "unknown columns (not imported): 备注X" in lines
    assert lines[-1] == SUMMARY.format(2, 0, 0, 0, 0)


def test_xlsx_data_on_the_second_sheet(tmp_path, rep, admin_user, client):
    """A workbook that opens with its instructions: the sheet with the known headers is read."""
    book = Workbook()
    notes = book.active
    notes.title = "填写说明"
    notes.append(["说明", "客户名称为必填项，其余按模板填写"])
    notes.append(["示例", "杭州示例有限公司"])
    data = book.create_sheet("客户")
    data.append(["客户名称", "联系人", "手机号"])
    data.append(["宁波海信模具有限公司", "周建华", 13900000031])
    path = tmp_path / "book.xlsx"
    book.save(path)
    lines = run_import(str(path))
    assert lines[0].startswith("import #") and "(xlsx, sheet 2)" in lines[0]
    assert lines[-1] == SUMMARY.format(1, 0, 0, 0, 1)
    assert Customer.objects.get().contacts.get().mobile == "+8613900000031"
    client.force_login(admin_user)
    run = ImportRun.objects.get()
    assert client.get(f"/api/v1/imports/{run.pk}").json()["sheet"] == 1
    assert "第 2 个工作表" in client.get(f"/imports/{run.pk}/").content.decode()


def test_vcard_from_a_phone_address_book(tmp_path, rep):
    path = tmp_path / "contacts.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:李明\nN:李;明;;;\nORG:深圳华信软件有限公司;销售部\n"
        "TITLE:采购经理\nTEL;TYPE=CELL:138 0013 8000\nEMAIL:liming@huaxin.cn\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:赵六\nTEL;TYPE=CELL:12\nEND:VCARD\n",
        encoding="utf-8",
    )
    report = tmp_path / "r.csv"
    lines = run_import(str(path), "--report", str(report))
    assert lines[-1] == SUMMARY.format(1, 0, 0, 1, 1)
    customer = Customer.objects.get()
    assert customer.name == "深圳华信软件有限公司"
    maker = customer.contacts.get()
    assert (maker.name, maker.title, maker.mobile) == ("李明", "采购经理", "+8613800138000")
    assert read_report(report)[1]["row"] == "3"


def test_a_salesperson_spreadsheet_in_its_own_words(tmp_path, rep):
    """What reps' own sheets carry: head counts, other systems' status words, a date as a
    spreadsheet serial number, a mobile and a landline in one cell; two mobiles in one cell are
    reported, not half-stored."""
    rows = [
        standard_row(1, 客户规模="100-499人", 客户状态="已成交", 首次接触时间="45000",
                     决策人联系方式="13900000001/0571-88886666"),
        standard_row(2, 客户规模="500人以上", 客户状态="跟进中",
                     决策人联系方式="手机：13900000002；座机：0571-88886667"),
        standard_row(3, 决策人联系方式="13900000003/13900000004"),
    ]  # fmt: skip
    source = write_csv(tmp_path / "rep.csv", rows)
    report = tmp_path / "report.csv"
    lines = run_import(str(source), "--report", str(report))
    assert lines[-1] == SUMMARY.format(2, 0, 0, 1, 0)
    first = Customer.objects.get(external_id="EXT00000001")
    assert (first.size, first.status) == ("medium", "won")
    assert str(first.first_contact_date) == "2023-03-15"
    maker = first.contacts.get()
    assert (maker.mobile, maker.landline) == ("+8613900000001", "+8657188886666")
    second = Customer.objects.get(external_id="EXT00000002")
    assert (second.size, second.status) == ("large", "intent")
    assert second.contacts.get().landline == "+8657188886667"
    failed = read_report(report)[2]
    assert failed["outcome"] == "failed"
    assert "决策人联系方式" in failed["errors"] and "13900000004" in failed["errors"]
    assert not Customer.objects.filter(external_id="EXT00000003").exists()


def test_headers_of_a_reps_own_sheet_are_recognised(tmp_path, rep):
    """Other words for the standard's columns, with a template's required marks; a budget in
    万元 is read as 万元, and a unit the field does not know (美元) is reported, not read as
    yuan."""
    headers = ["*公司名称", "联系人", "手机号", "职务", "行业", "人员规模", "跟进状态",
               "地址（选填）", "年合作预算（万元）", "预算(美元)"]  # fmt: skip
    values = ["宁波海信模具有限公司", "周建华", "13900000011", "厂长", "制造业", "200人",
              "意向客户", "浙江省宁波市北仑区长江路8号", "50", "7000"]  # fmt: skip
    path = tmp_path / "mine.csv"
    path.write_text(",".join(headers) + "\n" + ",".join(values) + "\n", encoding="utf-8")
    lines = run_import(str(path))
    assert "unknown columns (not imported): 预算(美元)" in lines
    assert lines[-1] == SUMMARY.format(1, 0, 0, 0, 1)  # 待补全: no source, no first contact
    customer = Customer.objects.get()
    assert (customer.name, customer.size, customer.status) == (
        "宁波海信模具有限公司",
        "medium",
        "intent",
    )
    assert customer.industry.name == "制造业" and customer.budget_amount == 500_000
    maker = customer.contacts.get()
    assert (maker.name, maker.title, maker.mobile) == ("周建华", "厂长", "+8613900000011")


def test_a_repeated_header_keeps_both_columns(tmp_path, rep):
    """Two columns called 电话: the first is the decision maker's phone, the second is reported
    as an unknown column (and kept in the report's cells), not silently merged into the first."""
    path = tmp_path / "twice.csv"
    path.write_text(
        "客户名称,联系人,电话,电话\n宁波海信模具有限公司,周建华,13900000021,0574-86001234\n",
        encoding="utf-8",
    )
    lines = run_import(str(path))
    assert "unknown columns (not imported): 电话 (2)" in lines
    assert lines[-1] == SUMMARY.format(1, 0, 0, 0, 1)
    assert Customer.objects.get().contacts.get().mobile == "+8613900000021"
    assert ImportRun.objects.get().headers == ["客户名称", "联系人", "电话", "电话 (2)"]


def test_a_list_of_people_without_a_company_column(tmp_path, rep):
    """Names and phones only (a phone's contacts saved as CSV): individual customers. A company
    column left empty in a row is still an error."""
    people = tmp_path / "people.csv"
    people.write_text("姓名,手机号\n周建华,13900000041\n", encoding="utf-8")
    assert run_import(str(people))[-1] == SUMMARY.format(1, 0, 0, 0, 1)
    person = Customer.objects.get()
    assert (person.name, person.kind) == ("周建华", Customer.Kind.INDIVIDUAL)
    assert person.contacts.get().mobile == "+8613900000041"
    companies = tmp_path / "companies.csv"
    companies.write_text("客户名称,联系人,手机号\n,李娜,13900000042\n", encoding="utf-8")
    assert run_import(str(companies))[-1] == SUMMARY.format(0, 0, 0, 1, 0)
    company = Customer.objects.create(
        customer_no="CX-E9", name="宁波海信模具有限公司", external_id="E-9"
    )
    update = tmp_path / "update.csv"  # a partial update keyed by external id: no renaming
    update.write_text("客户编号,联系人,手机号\nE-9,王强,13900000043\n", encoding="utf-8")
    run_import(str(update))
    company.refresh_from_db()
    assert (company.name, company.kind) == ("宁波海信模具有限公司", Customer.Kind.COMPANY)


def test_vcard_21_from_an_android_phone(tmp_path, rep):
    """vCard 2.1 as Chinese Android phones export it: quoted-printable UTF-8, and a card with
    only N (no FN), whose name is built family name first."""
    path = tmp_path / "phone.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B;=E8=8A=B3;;;\r\n"
        b"ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=AD=E5=B7=9E=E6=98=8E=E8=BE=BE"
        b"=E7=A7=91=E6=8A=80=E6=9C=89=E9=99=90=E5=85=AC=E5=8F=B8\r\n"
        b"TEL;CELL:139-1234-5678\r\nTEL;WORK:0571-88886666\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Anna;;;\r\n"
        b"item1.TEL;type=CELL:+86 138 0013 8001\r\nEND:VCARD\r\n"
    )
    lines = run_import(str(path))
    assert lines[-1] == SUMMARY.format(2, 0, 0, 0, 2)
    company = Customer.objects.get(name="杭州明达科技有限公司")
    assert (company.contacts.get().name, company.contacts.get().mobile) == (
        "王芳",
        "+8613912345678",
    )
    person = Customer.objects.get(name="Anna Smith")  # no company: the person is the customer
    assert person.kind == Customer.Kind.INDIVIDUAL and company.kind == Customer.Kind.COMPANY
    assert person.contacts.get().mobile == "+8613800138001"


PEER_FILES = {
    "salesforce": (
        ["Account ID", "Account Name", "First Name", "Last Name", "Title", "Mobile", "Email"],
        ["001A", "上海浦江机械有限公司", "Jianguo", "Wang", "CEO", "13800138000", "w@pj.cn"],
        "Jianguo Wang",
        "CEO",
    ),
    "hubspot": (
        ["Record ID", "Company name", "First Name", "Last Name", "Job Title", "Phone Number"],
        ["9001", "上海浦江机械有限公司", "建国", "王", "总经理", "021-64001234"],
        "王建国",
        "总经理",
    ),
    "zoho": (
        ["Record Id", "Account Name", "First Name", "Last Name", "Title", "Mobile", "Lead Source"],
        ["zcrm_1", "上海浦江机械有限公司", "Li", "Chen", "CTO", "13800138001", "转介绍"],
        "Li Chen",
        "CTO",
    ),
    "linkedin": (
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Headline", "Connected On"],
        [
            "Mei",
            "Lin",
            "https://www.linkedin.com/in/meilin",
            "mei@pj.cn",
            "上海浦江机械有限公司",
            "Head of Procurement",
            "15 Mar 2024",
        ],  # fmt: skip
        "Mei Lin",
        "Head of Procurement",
    ),
}


@pytest.mark.parametrize("preset", sorted(PEER_FILES))
def test_peer_export_presets(tmp_path, rep, preset):
    headers, values, maker_name, title = PEER_FILES[preset]
    text = csv_text([dict(zip(headers, values, strict=True))], headers)
    if preset == "linkedin":  # LinkedIn's export starts with notes before the header
        text = 'Notes:\n"When exporting your connection data, you may notice..."\n\n' + text
    path = tmp_path / f"{preset}.csv"
    path.write_text(text, encoding="utf-8")
    guessed = run_import(str(path), "--dry-run")
    assert f"preset {preset}" in guessed[0]
    lines = run_import(str(path), "--mapping", preset)
    assert lines[-1].startswith("created=1 "), lines
    customer = Customer.objects.get()
    assert customer.name == "上海浦江机械有限公司"
    assert customer.external_source == preset
    maker = customer.contacts.get()
    assert (maker.name, maker.title) == (maker_name, title)
    if preset == "linkedin":
        assert customer.first_contact_date.isoformat() == "2024-03-15"


def test_unknown_preset_is_refused(tmp_path):
    source = write_csv(tmp_path / "c.csv", [standard_row(1)])
    with pytest.raises(Exception, match="没有名为“nope”的映射预设"):
        run_import(str(source), "--mapping", "nope")
    assert not ImportRun.objects.exists()  # refused before the file is kept


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_batches_do_not_wait_for_the_disk(tmp_path, rep, settings):
    """Each batch commits with synchronous_commit off, for that transaction only."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    settings.KEHU_IMPORT_BATCH_SIZE = 2
    source = write_csv(tmp_path / "c.csv", [standard_row(n) for n in range(1, 6)])
    with CaptureQueriesContext(connection) as queries:
        lines = run_import(str(source))
    assert lines[-1] == SUMMARY.format(5, 0, 0, 0, 0)
    sets = [q["sql"] for q in queries if "synchronous_commit" in q["sql"]]
    assert sets == ["SET LOCAL synchronous_commit = off"] * 3
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the session's own setting is untouched


def test_every_imported_customer_shows_its_history_on_the_360_page(tmp_path, rep, client):
    """Issue 13: a customer created by `kehu import` has its history entry like any other
    (source import), shown on its 360 page and in the history API."""
    source = write_csv(tmp_path / "customers.csv", [standard_row(n) for n in (1, 2, 3)])
    assert run_import(str(source))[-1] == SUMMARY.format(3, 0, 0, 0, 0)
    client.force_login(rep)
    for customer in Customer.objects.all():
        page = client.get(f"/customers/{customer.customer_no}/").content.decode()
        history = page.split('id="history"', 1)[1].split("</section>", 1)[0]
        assert "创建客户" in history, customer.customer_no
        items = client.get(f"/api/v1/customers/{customer.customer_no}/history").json()["items"]
        created = [i for i in items if i["action"] == "customer.created"]
        assert len(created) == 1 and created[0]["source"] == "import", items
