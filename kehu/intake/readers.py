"""Read an uploaded file as (header, rows), streaming: CSV in any Chinese encoding, XLSX, vCard.

The encoding of a CSV is detected by charset-normalizer on the first 64 KiB; GBK and GB2312 are
read as GB18030 (their superset). XLSX is read with openpyxl in read-only mode (a merged range's
value filled into each of its cells, merged_cells.py), vCard with vobject
(vcards.py).
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed

from .limits import check_cells, check_row_count, check_workbook, not_readable
from .merged_cells import fill_merged, merged_ranges
from .vcards import vcard_rows

SAMPLE_BYTES = 64 * 1024
FORMATS = ("csv", "xlsx", "vcf")
# What openpyxl raises on a broken workbook (a part missing, bad XML, a bad value).
XLSX_ERRORS = (
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OSError,
    SyntaxError,
    zipfile.BadZipFile,
)
_HEADER_SCAN_ROWS = 10
# Preamble rows (LinkedIn's "Notes:" lines, a title, a grouped header) come before the header;
# the header is the row among the first ones that names the most known columns (_header).


@dataclass
class FileInfo:
    file_format: str
    encoding: str
    headers: list[str]
    header_row: int  # 1-based row number of the header (vCard: a made-up first row)
    sheet: int = 0  # XLSX: the worksheet read (see inspect_file)


def file_format_of(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("vcf", "vcard"):
        return "vcf"
    raise ValidationFailed(
        {
            "file": [
                _("Unsupported file type '.%(suffix)s': use CSV, XLSX or VCF.") % {"suffix": suffix}
            ]
        }
    )


def detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if len(sample) == SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # never cut a character in two
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=["gb18030", "big5", "utf_16", "cp1252"]).best()
    encoding = (best.encoding if best else "gb18030").lower().replace("_", "-")
    if encoding in ("gbk", "gb2312", "hz", "gb18030"):
        return "gb18030"
    if encoding in ("big5", "big5hkscs", "cp950") and _reads_as_gb(sample):
        return "gb18030"
    return encoding


# Simplified Chinese text in GBK is almost all GB2312 characters (both bytes 0xA1 and up). Big5
# text read as GBK is not: about two of five Big5 characters have a second byte below 0xA1,
# which GBK reads as rare characters outside GB2312.
_GB2312_SHARE = 0.9


def _reads_as_gb(sample: bytes) -> bool:
    """Whether bytes charset-normalizer took for Big5 are better read as GB18030: they decode
    as GB18030 and nearly all their Chinese characters are then in GB2312. A short GBK file
    (a few city names among English columns) is too little for charset-normalizer to tell."""
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    common = sum(1 for ch in wide if _in_gb2312(ch))
    return common >= _GB2312_SHARE * len(wide)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_DELIMITERS = (",", "\t", ";", "|")  # comma, Excel's "Unicode text", European Excel, pipes


def _text_cell(cell: str) -> str:
    """A cell some systems export as a formula to keep it text ('="0571-88886666"', so the
    spreadsheet keeps the leading zero) is that text."""
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3:
        return cell[2:-1].replace('""', '"')
    return cell


def _raw_rows(path: Path, file_format: str, encoding: str, sheet: int = 0) -> Iterator[list[str]]:
    """The rows of the file as lists of cells; a row past a limit (limits.check_cells) or a part
    that cannot be read is refused with FileRefused naming the row."""
    number = 0
    for number, row in enumerate(_parsed_rows(path, file_format, encoding, sheet), start=1):
        check_cells(number, row)
        yield row


def _parsed_rows(
    path: Path, file_format: str, encoding: str, sheet: int = 0
) -> Iterator[list[str]]:
    if file_format == "csv":
        yield from _csv_rows(path, encoding)
    elif file_format == "xlsx":
        yield from _xlsx_rows(path, sheet)
    else:
        yield from vcard_rows(path.read_text(encoding=encoding, errors="replace"))


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    from django.conf import settings

    # One character more than a cell may hold: a longer cell is named by check_cells, not cut.
    csv.field_size_limit(settings.KEHU_UPLOAD_MAX_CELL_CHARS + 1)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = max(_DELIMITERS, key=sample.count)  # a tie keeps the comma
        reader = csv.reader(handle, delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field limit" in str(exc):
                    check_cells(reader.line_num, ["x" * (settings.KEHU_UPLOAD_MAX_CELL_CHARS + 1)])
                raise not_readable("csv", f"row {reader.line_num}: {exc}") from exc
            yield [_text_cell(cell) for cell in row]


def _xlsx_rows(path: Path, sheet: int) -> Iterator[list[str]]:
    workbook = _open_workbook(path)
    try:
        worksheets = workbook.worksheets
        worksheet = worksheets[sheet] if sheet < len(worksheets) else worksheets[0]
        try:
            _forget_dimensions(worksheet)
            rows = ([_cell(v) for v in values] for values in worksheet.iter_rows(values_only=True))
            yield from fill_merged(rows, _merged(worksheet))
        except XLSX_ERRORS as exc:
            raise not_readable("xlsx", str(exc)) from exc
    finally:
        workbook.close()


def _forget_dimensions(worksheet: Any) -> None:
    """Read a worksheet to its last cell, whatever its <dimension> says: many exporters (Java
    libraries among them) write ref="A1" for a full sheet, and openpyxl's read-only mode would
    stop there. Rows are then as long as their last cell; read_rows pads them."""
    if hasattr(worksheet, "reset_dimensions"):  # read-only worksheets
        worksheet.reset_dimensions()


def _merged(worksheet: Any) -> list[tuple[int, int, int, int]]:
    """The worksheet's merged ranges (merged_cells.py): their value fills every cell."""
    from django.conf import settings

    return merged_ranges(worksheet, settings.KEHU_UPLOAD_MAX_COLUMNS)


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except XLSX_ERRORS as exc:
        raise not_readable("xlsx", str(exc) or exc.__class__.__name__) from exc


def inspect_file(path: Path, name: str) -> FileInfo:
    """Format, encoding, header row (and for XLSX the worksheet) of a file; the rows are not read.

    A workbook's data need not be on its first sheet (templates often open with 填写说明): the
    sheet whose header row names the most known columns is read, the first one on a tie.
    """
    file_format = file_format_of(name)
    encoding = detect_encoding(path) if file_format in ("csv", "vcf") else ""
    best: tuple[int, int, list[str], int] | None = None
    for sheet, rows in _sheets(path, file_format, encoding):
        headers, header_row = _header(rows)
        if not headers:
            continue
        score = _known_columns(headers)
        if best is None or score > best[0]:
            best = (score, sheet, headers, header_row)
    if best is None:
        raise ValidationFailed({"file": [_("No header row found: is the file empty?")]})
    _score, sheet, headers, header_row = best
    return FileInfo(file_format, encoding, _unique(headers), header_row, sheet)


def _sheets(path: Path, file_format: str, encoding: str) -> Iterator[tuple[int, Iterator]]:
    """(sheet index, its first rows) of each worksheet of a workbook; the one table otherwise."""
    if file_format != "xlsx":
        yield 0, _raw_rows(path, file_format, encoding)
        return
    check_workbook(path)  # before openpyxl reads anything: sizes, rows, columns
    workbook = _open_workbook(path)
    try:
        for index, worksheet in enumerate(workbook.worksheets):
            try:
                _forget_dimensions(worksheet)
                rows = worksheet.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True)
                first = list(fill_merged(([_cell(v) for v in r] for r in rows), _merged(worksheet)))
            except XLSX_ERRORS as exc:
                raise not_readable("xlsx", str(exc)) from exc
            for number, row in enumerate(first, start=1):
                check_cells(number, row)
            yield index, iter(first)
    finally:
        workbook.close()


def _header(rows: Iterator[list[str]]) -> tuple[list[str], int]:
    """The header row among the first few, and its number: the one naming the most known columns
    (a title row, '客户名单 … 导出时间：…', or a grouped row above the header, '基本信息 | 决策人信息',
    names none), the first on a tie; when no row names any, the first with at least two
    non-empty cells."""
    best: tuple[int, list[str], int] | None = None
    for number, row in enumerate(rows, start=1):
        if sum(1 for cell in row if str(cell).strip()) >= 2:
            headers = [str(c).strip() for c in row]
            while headers and not headers[-1]:
                headers.pop()
            score = _known_columns(headers)
            if best is None or score > best[0]:
                best = (score, headers, number)
        if number >= _HEADER_SCAN_ROWS:
            break
    return (best[1], best[2]) if best is not None else ([], 0)


def _known_columns(headers: list[str]) -> int:
    from .validators import PRESETS, mapping_for_headers

    return max(len(mapping_for_headers(headers, preset)) for _source, preset in PRESETS.values())


def _unique(headers: list[str]) -> list[str]:
    """Headers with a repeated one numbered ('电话', '电话 (2)'): each column keeps its cells (a
    row is a dict by header) and a second column of the same name is mapped or reported."""
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(f"{header} ({seen[header]})" if header and seen[header] > 1 else header)
    return out


def read_rows(path: Path, info: FileInfo, *, skip: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {header: cell}) of each data row after the header; blank rows are left out
    but keep their numbers. `skip` data rows (as counted by position) are passed over unparsed."""
    rows = _raw_rows(path, info.file_format, info.encoding, info.sheet)
    number = 0
    for number, _row in enumerate(rows, start=1):
        if number >= info.header_row:
            break
    seen = 0
    headers = info.headers
    width = len(headers)
    for row in rows:
        number += 1
        if not any(str(cell).strip() for cell in row):
            continue
        seen += 1
        if seen <= skip:
            continue
        cells = (list(row) + [""] * width)[:width] if len(row) != width else row
        yield number, dict(zip(headers, cells, strict=True))


def count_rows(path: Path, info: FileInfo, *, on_progress: Any = None) -> int:
    """Data rows of the file (blank ones left out); every row is checked against the limits.
    `on_progress(rows)` is called every 10,000 rows."""
    count = 0
    for _row in _count_iter(path, info):
        count += 1
        if count % 10_000 == 0:
            check_row_count(count)
            if on_progress is not None:
                on_progress(count)
    check_row_count(count)
    return count


def _count_iter(path: Path, info: FileInfo) -> Iterator[None]:
    rows = _raw_rows(path, info.file_format, info.encoding, info.sheet)
    for number, row in enumerate(rows, start=1):
        if number <= info.header_row:
            continue
        if any(str(cell).strip() for cell in row):
            yield None
