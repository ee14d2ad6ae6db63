"""Files and bodies past a limit are refused with a message naming it, never a 500 (issue 14.19)."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from kehu.customers.models import Customer
from kehu.intake.models import ImportRun

from .helpers import HEADERS, csv_text, standard_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KEHU_IMPORT_DIR = tmp_path / "kept"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the CLI speaks zh-hans by default
        yield


def _refused(path: Path) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("import", str(path), stdout=StringIO())
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and run.file_path == ""
    assert Customer.objects.count() == 0
    assert not any(Path(run.original_name).exists() for _ in [0])
    return str(caught.value)


def test_a_csv_cell_past_the_limit_names_row_and_column(tmp_path, settings):
    settings.KEHU_UPLOAD_MAX_CELL_CHARS = 1000
    rows = [standard_row(1), standard_row(2, 客户地址="路" * 1001)]
    message = _refused(write_csv(tmp_path / "long.csv", rows))
    column = HEADERS.index("客户地址") + 1
    assert "Row 3, column " + chr(ord("A") + column - 1) in message
    assert "1,001 characters" in message and "KEHU_UPLOAD_MAX_CELL_CHARS" in message


def test_a_csv_cell_past_pythons_field_limit_is_refused_not_a_500(tmp_path):
    rows = [standard_row(1, 客户地址="路" * 140_000)]  # > 131,072: csv.Error before
    message = _refused(write_csv(tmp_path / "huge.csv", rows))
    assert "Row 2" in message and "32,767" in message


def test_too_many_columns_and_rows(tmp_path, settings):
    settings.KEHU_UPLOAD_MAX_COLUMNS = 20
    wide = tmp_path / "wide.csv"
    wide.write_text(csv_text([standard_row(1)]).replace("\n", "," + ",".join("x" * 5) + "\n", 2))
    message = _refused(wide)
    columns = len(HEADERS) + 5
    assert f"Row 1 has {columns} columns" in message and "KEHU_UPLOAD_MAX_COLUMNS" in message
    ImportRun.objects.all().delete()
    settings.KEHU_UPLOAD_MAX_ROWS = 3
    message = _refused(write_csv(tmp_path / "long.csv", [standard_row(n) for n in range(1, 5)]))
    assert "more than 3 rows" in message and "KEHU_UPLOAD_MAX_ROWS" in message


def test_a_file_past_the_byte_limit_is_refused_before_it_is_kept(tmp_path, settings, client, rep):
    settings.KEHU_UPLOAD_MAX_BYTES = 2000
    client.force_login(rep)
    data = csv_text([standard_row(n) for n in range(1, 20)]).encode()
    upload = io.BytesIO(data)
    upload.name = "big.csv"
    response = client.post("/api/v1/imports", {"file": upload})
    assert response.status_code == 413
    assert "KEHU_UPLOAD_MAX_BYTES" in response.json()["errors"]["file"][0]
    assert ImportRun.objects.count() == 0
    assert not list((tmp_path / "kept").glob("*/*"))
    upload.seek(0)
    page = client.post("/imports/", {"file": upload})
    assert page.status_code == 413 and "KEHU_UPLOAD_MAX_BYTES" in page.content.decode()


def test_a_non_zip_xlsx_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("客户名称,电话\n华东贸易,13900000001\n")
    assert "not a zip archive" in _refused(path)


def _workbook_with_sheet(tmp_path: Path, sheet_xml: bytes, extra: dict[str, bytes] | None = None):
    base = tmp_path / "base.xlsx"
    workbook = Workbook()
    workbook.active.append(["客户名称", "电话"])
    workbook.save(base)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>'
)


def test_a_workbook_row_of_a_million_columns_is_refused_quickly(tmp_path):
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 1_000_000
    row = b'<row r="1"><c t="inlineStr"><is><t>a</t></is></c>' + cells + b"</row>"
    path = _workbook_with_sheet(tmp_path, SHEET % row)
    started = time.monotonic()
    message = _refused(path)
    assert time.monotonic() - started < 10  # was 93 s and 1.2 GB
    assert "Row 1 has" in message and "at most 200" in message and "Column GS" in message


def test_a_shared_strings_bomb_is_refused_before_reading(tmp_path, settings):
    settings.KEHU_UPLOAD_MAX_SHARED_STRINGS_BYTES = 1024 * 1024
    strings = b"<sst>" + b"<si><t>" + b"A" * 3_000_000 + b"</t></si></sst>"
    row = b'<row r="1"><c t="s"><v>0</v></c><c t="s"><v>0</v></c></row>'
    path = _workbook_with_sheet(tmp_path, SHEET % row, {"xl/sharedStrings.xml": strings})
    assert path.stat().st_size < 100_000
    message = _refused(path)
    assert "KEHU_UPLOAD_MAX_SHARED_STRINGS_BYTES" in message and "2.9 MB" in message


def test_a_malformed_vcard_is_refused(tmp_path):
    path = tmp_path / "cards.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:王五\nTEL;TYPE=CELL:13900000001\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:李四\nN:;;;\nBEGIN:VCARD\nEND:VCARD\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E=\n"
    )
    message = _refused(path)
    assert "cannot be read as vCards" in message


def test_a_nul_in_the_file_name_is_dropped(client, rep):
    client.force_login(rep)
    upload = io.BytesIO(csv_text([standard_row(1)]).encode())
    upload.name = "cust\x00omers\u202e.csv"
    response = client.post("/api/v1/imports", {"file": upload})
    assert response.status_code == 202, response.content
    assert response.json()["original_name"] == "customers.csv"


def test_a_year_one_date_fails_its_row_naming_the_column(tmp_path):
    source = write_csv(tmp_path / "dates.csv", [standard_row(1, 首次接触时间="0001-01-01")])
    out = StringIO()
    call_command("import", str(source), stdout=out)
    assert (
        out.getvalue().strip().splitlines()[-1].startswith("created=0 updated=0 skipped=0 failed=1")
    )
    assert Customer.objects.count() == 0


def test_refusals_are_in_chinese(tmp_path, settings):
    settings.KEHU_UPLOAD_MAX_ROWS = 1
    with translation.override("zh-hans"):
        message = _refused(write_csv(tmp_path / "two.csv", [standard_row(1), standard_row(2)]))
    assert "行" in message and "KEHU_UPLOAD_MAX_ROWS" in message


# --- Request bodies (the API's exception handlers)


def test_a_body_over_the_request_limit_is_413(client, rep, settings):
    client.force_login(rep)
    body = json.dumps({"name": "x" * 3_000_000})
    response = client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 413
    assert "KEHU_REQUEST_MAX_BYTES" in response.json()["errors"]["body"][0]


def test_a_malformed_multipart_body_names_the_file_field(client, rep):
    client.force_login(rep)
    response = client.post("/api/v1/imports", b"garbage", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert ImportRun.objects.count() == 0


def test_a_lone_surrogate_is_dropped_or_named(client, rep):
    client.force_login(rep)
    body = '{"name": "\\ud800", "mapping": {"客户名称": "name"}}'
    response = client.post("/api/v1/import-presets", body, content_type="application/json")
    assert response.status_code == 422  # the name is empty once the surrogate is dropped
    assert "name" in response.json()["errors"]


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_a_card_photo_past_the_pixel_limit_is_refused_unread(client, rep):
    client.force_login(rep)
    image = io.BytesIO(_png_header(12_000, 12_000))  # 144 megapixels in a few bytes
    image.name = "card.png"
    response = client.post("/api/v1/capture/card", {"image": image})
    assert response.status_code == 422
    message = response.json()["errors"]["image"][0]
    assert "144.0" in message and "KEHU_CARD_MAX_PIXELS" in message
    image.seek(0)
    page = client.post("/capture/card/", {"image": image})
    assert page.status_code == 422 and "KEHU_CARD_MAX_PIXELS" in page.content.decode()
