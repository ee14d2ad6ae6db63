"""Files as phones and other systems write them, read through the import command: Android's
vCard 2.1, workbooks with a wrong <dimension>, a title or grouped row above the header, merged
cells, and a short GBK CSV."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kehu.customers.models import Customer
from kehu.intake.models import ImportRun

from .helpers import run_import

pytestmark = pytest.mark.django_db

SUMMARY = "created={} updated={} skipped={} failed={} incomplete={}"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


def android_qp(text: str, charset: str = "utf-8", per_line: int = 22) -> bytes:
    """Quoted-printable as Android writes it: every byte encoded, a soft line break after every
    `per_line` bytes wherever it falls (inside a character's bytes too)."""
    tokens = [f"={byte:02X}" for byte in text.encode(charset)]
    lines = ["".join(tokens[i : i + per_line]) for i in range(0, len(tokens), per_line)]
    return "=\r\n".join(lines).encode("ascii")


def test_android_quoted_printable_wrapped_inside_a_character(tmp_path, rep):
    """A soft line break between the bytes of one character (=E9=99=<break>=90) and a card in
        GBK: each value is joined, then decoded with its card's CHARSET; no card fails the file, nor
    a soft break right before END:VCARD."""
    first = android_qp("广州南方电器有限公司", per_line=23)
    assert b"=99=\r\n=90" in first  # the break falls inside 限 (E9 99 90)
    path = tmp_path / "android.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E9=92=9F;=E5=8D=97=E5=B1=B1;;;\r\n"
        b"TEL;CELL:13800137300\r\n"
        b"ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + first + b"\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Li Wei\r\nTEL;CELL:13800137301\r\n"
        b"ORG;CHARSET=GBK;QUOTED-PRINTABLE:"
        + android_qp("上海浦江机械有限公司", "gbk", per_line=5)
        + b"\r\nNOTE;ENCODING=QUOTED-PRINTABLE:=E8=80=81=\r\nEND:VCARD\r\n"  # a stray soft break
    )
    lines = run_import(str(path))
    assert lines[-1] == SUMMARY.format(2, 0, 0, 0, 2)
    south = Customer.objects.get(name="广州南方电器有限公司")
    assert (south.contacts.get().name, south.contacts.get().mobile) == ("钟南山", "+8613800137300")
    assert Customer.objects.get(name="上海浦江机械有限公司").contacts.get().name == "Li Wei"


def test_android_card_numbers_e_mails_and_note_are_all_kept(tmp_path, rep):
    """An unescaped comma in ORG is part of the name; 2.1's bare TEL types (TEL;WORK before
    TEL;CELL): the mobile and the landline both reach the decision maker, and what no column
    holds (a third number, a second e-mail, the NOTE) is kept in the customer's notes."""
    path = tmp_path / "android.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Wang;Lei;;;\r\nFN:Lei Wang\r\n"
        b"ORG:Acme Trading Co., Ltd.\r\n"
        b"TEL;WORK:020-12345678\r\nTEL;CELL:+86 139-0013-8404\r\nTEL;HOME:13800138403\r\n"
        b"EMAIL;INTERNET:LEI.WANG@ACME.COM\r\nEMAIL;HOME:lei@example.com\r\n"
        b"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"
        + android_qp("老客户介绍，重要")
        + b"\r\nEND:VCARD\r\n"
    )
    lines = run_import(str(path))
    assert lines[-1] == SUMMARY.format(1, 0, 0, 0, 1)
    customer = Customer.objects.get()
    assert customer.name == "Acme Trading Co., Ltd."
    maker = customer.contacts.get()
    assert (maker.name, maker.mobile, maker.landline) == (
        "Lei Wang",
        "+8613900138404",
        "+862012345678",
    )
    assert "老客户介绍" in customer.notes and "重要" in customer.notes
    assert "13800138403" in customer.notes and "lei@example.com" in customer.notes


def _without_dimension(path: Path) -> None:
    """Rewrite the workbook's sheet as some Java exporters write it: <dimension ref="A1"/>."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


def test_xlsx_whose_dimension_says_a1(tmp_path, rep):
    book = Workbook()
    sheet = book.active
    sheet.append(["客户名称", "关键决策人姓名", "决策人联系方式", "客户地址"])
    for n in range(3):
        sheet.append(
            [f"易表导出{n}号贸易有限公司", f"王{n}", f"1380013950{n}", "上海市南京东路1号"]
        )
    path = tmp_path / "java.xlsx"
    book.save(path)
    _without_dimension(path)
    lines = run_import(str(path))
    assert lines[-1] == SUMMARY.format(3, 0, 0, 0, 3)
    assert Customer.objects.get(name="易表导出2号贸易有限公司").contacts.get().name == "王2"


HEADER = ["客户名称", "关键决策人姓名", "决策人联系方式", "客户地址"]
ROWS = [
    ["广州标题甲科技有限公司", "张三", "13800138200", "广东省广州市天河区1号"],
    ["广州标题乙科技有限公司", "李四", "13800138201", "广东省广州市天河区2号"],
]


@pytest.mark.parametrize(
    "above",
    [
        ["客户名单", "", "", "导出时间：2024-01-05"],  # a title row
        ["基本信息", "", "决策人信息", "其他"],  # a grouped header
    ],
)
def test_the_header_below_a_title_or_a_grouped_row(tmp_path, rep, above):
    book = Workbook()
    sheet = book.active
    for row in (above, HEADER, *ROWS):
        sheet.append(row)
    path = tmp_path / "titled.xlsx"
    book.save(path)
    lines = run_import(str(path))
    assert lines[-1] == SUMMARY.format(2, 0, 0, 0, 2)
    assert ImportRun.objects.get().header_row == 2
    assert Customer.objects.get(name="广州标题乙科技有限公司").contacts.get().name == "李四"


def test_a_csv_with_a_title_row(tmp_path, rep):
    path = tmp_path / "titled.csv"
    rows = [["客户名单", "导出时间：2024-01-05"], HEADER, *ROWS]
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    assert run_import(str(path))[-1] == SUMMARY.format(2, 0, 0, 0, 2)


def test_a_short_gbk_csv_is_not_read_as_big5(tmp_path, rep):
    """English columns and a few Chinese cells: charset-normalizer says Big5 (上海 would read
    奻漆); the bytes read as GB18030 with every character in GB2312, and GB18030 is used."""
    text = (
        "Account Name,First Name,Last Name,Mobile,Billing City\r\n"
        "Acme Trading Co.,Wei,Li,13800137100,上海\r\n"
        "Beta Tech Co.,Tom,Wang,13800137101,Shanghai\r\n"
        "Gamma Ltd,Ann,Zhao,13800137102,Beijing\r\n"
    )
    path = tmp_path / "salesforce.csv"
    path.write_bytes(text.encode("gbk"))
    lines = run_import(str(path))
    assert lines[-1].startswith(SUMMARY.format(3, 0, 0, 0, 3)[:20])
    assert ImportRun.objects.get().encoding == "gb18030"
    assert Customer.objects.get(name="Acme Trading Co.").city.startswith("上海")


def test_a_big5_csv_stays_big5(tmp_path, rep):
    text = "客戶名稱,聯絡人,手機\n臺北市信義區國際貿易股份有限公司,陳先生,13800137103\n"
    path = tmp_path / "big5.csv"
    path.write_bytes(text.encode("big5"))
    run_import(str(path))
    assert ImportRun.objects.get().encoding == "big5"


def test_merged_cells_fill_every_row_of_their_range(tmp_path, rep):
    """A cell merged down several rows (one address for three branches) reaches each row, read
    in openpyxl's read-only mode too; a group merged across the row above the header is no
    header."""
    book = Workbook()
    sheet = book.active
    sheet.append(["基本信息", "", "决策人信息", ""])
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:D1")
    sheet.append(["客户名称", "客户地址", "关键决策人姓名", "决策人联系方式"])
    for n in range(3):
        sheet.append([f"广州合并{n}号科技有限公司", "广东省广州市天河区1号" if n == 0 else None,
                      f"张{n}", f"1380013820{n}"])  # fmt: skip
    sheet.merge_cells("B3:B5")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    lines = run_import(str(path))
    assert lines[-1] == SUMMARY.format(3, 0, 0, 0, 3)
    assert ImportRun.objects.get().header_row == 2
    addresses = set(Customer.objects.values_list("address", flat=True))
    assert addresses == {"广东省广州市天河区1号"}
