"""What an uploaded file may hold: bytes, rows, columns, characters in a cell, and for a workbook
its expanded size, checked before the parser that would run out of memory on it.

Every limit is a setting read from the environment (kehu/settings.py, KEHU_UPLOAD_*). A file
past one is refused with FileRefused, a ValidationFailed on the field "file" whose message names
the limit and, where there is one, the row and the column.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kehu.core.errors import ValidationFailed

SCAN_CHUNK = 1024 * 1024
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_ROW_START = re.compile(rb"<(?:\w+:)?row[\s/>]")


class FileRefused(ValidationFailed):
    """The file is past a limit or cannot be read: errors on "file"."""

    def __init__(self, message: str, *, status_code: int = 422) -> None:
        super().__init__({"file": [message]}, message)
        self.status_code = status_code


class FileTooLarge(FileRefused):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=413)


def _size(value: int) -> str:
    if value >= 1024 * 1024:
        return f"{value / (1024 * 1024):,.1f} MB"
    return f"{value / 1024:,.0f} KB"


def check_bytes(size: int) -> None:
    """Refuse a file larger than KEHU_UPLOAD_MAX_BYTES."""
    limit = settings.KEHU_UPLOAD_MAX_BYTES
    if size > limit:
        raise FileTooLarge(
            _("The file is larger than %(limit)s (KEHU_UPLOAD_MAX_BYTES); split it.")
            % {"limit": _size(limit)}
        )


def column_name(index: int) -> str:
    """1 -> 'A', 28 -> 'AB' (as a spreadsheet names the column)."""
    return get_column_letter(index) if 1 <= index <= 18278 else str(index)


def check_cells(number: int, row: list[str]) -> None:
    """Refuse a row of more than KEHU_UPLOAD_MAX_COLUMNS cells or with a cell longer than
    KEHU_UPLOAD_MAX_CELL_CHARS characters; `number` is the row's number in the file."""
    width = len(row)
    if width > settings.KEHU_UPLOAD_MAX_COLUMNS:
        while width and not row[width - 1]:
            width -= 1  # empty cells past the end are no columns
        if width > settings.KEHU_UPLOAD_MAX_COLUMNS:
            raise too_many_columns(number, width)
    limit = settings.KEHU_UPLOAD_MAX_CELL_CHARS
    if row and max(map(len, row)) > limit:
        column = next(i for i, cell in enumerate(row, start=1) if len(cell) > limit)
        raise FileRefused(
            _(
                "Row %(row)s, column %(column)s: a cell has %(length)s characters; at most "
                "%(limit)s (KEHU_UPLOAD_MAX_CELL_CHARS)."
            )
            % {
                "row": number,
                "column": column_name(column),
                "length": f"{len(row[column - 1]):,}",
                "limit": f"{limit:,}",
            }
        )


def too_many_columns(number: int, width: int) -> FileRefused:
    return FileRefused(
        _(
            "Row %(row)s has %(width)s columns; at most %(limit)s (KEHU_UPLOAD_MAX_COLUMNS). "
            "Column %(column)s is past the limit."
        )
        % {
            "row": number,
            "width": f"{width:,}",
            "limit": f"{settings.KEHU_UPLOAD_MAX_COLUMNS:,}",
            "column": column_name(settings.KEHU_UPLOAD_MAX_COLUMNS + 1),
        }
    )


def too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(limit)s rows (KEHU_UPLOAD_MAX_ROWS); split it.")
        % {"limit": f"{settings.KEHU_UPLOAD_MAX_ROWS:,}"}
    )


def check_row_count(count: int) -> None:
    if count > settings.KEHU_UPLOAD_MAX_ROWS:
        raise too_many_rows()


def not_readable(kind: str, reason: str = "") -> FileRefused:
    message = {
        "xlsx": _("This file cannot be read as an XLSX workbook; save it again as .xlsx or CSV."),
        "csv": _("This file cannot be read as CSV."),
        "vcf": _("This file cannot be read as vCards."),
    }[kind]
    return FileRefused(f"{message} ({reason})" if reason else message)


def check_workbook(path: Path) -> None:
    """Before openpyxl opens a workbook: it is a zip archive; its parts expand to at most
    KEHU_UPLOAD_MAX_EXPANDED_BYTES and its shared strings (which openpyxl holds in memory) to
    KEHU_UPLOAD_MAX_SHARED_STRINGS_BYTES; no worksheet row has more than KEHU_UPLOAD_MAX_COLUMNS
    cells and no worksheet more than KEHU_UPLOAD_MAX_ROWS rows. The worksheets are scanned as
    bytes, a chunk at a time: a row of a million cells costs no memory here."""
    if not zipfile.is_zipfile(path):
        raise not_readable("xlsx", _("not a zip archive"))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            expanded = sum(member.file_size for member in members)
            if expanded > settings.KEHU_UPLOAD_MAX_EXPANDED_BYTES:
                raise FileTooLarge(
                    _(
                        "The workbook expands to %(size)s; at most %(limit)s "
                        "(KEHU_UPLOAD_MAX_EXPANDED_BYTES). Save it as CSV or split it."
                    )
                    % {
                        "size": _size(expanded),
                        "limit": _size(settings.KEHU_UPLOAD_MAX_EXPANDED_BYTES),
                    }
                )
            for member in members:
                name = member.filename.lower()
                if name.endswith("sharedstrings.xml"):
                    limit = settings.KEHU_UPLOAD_MAX_SHARED_STRINGS_BYTES
                    if member.file_size > limit:
                        raise FileTooLarge(
                            _(
                                "The workbook's text table expands to %(size)s; at most "
                                "%(limit)s (KEHU_UPLOAD_MAX_SHARED_STRINGS_BYTES). Save it as "
                                "CSV or split it."
                            )
                            % {"size": _size(member.file_size), "limit": _size(limit)}
                        )
                elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(member) as handle:
                        _scan_sheet(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise not_readable("xlsx", str(exc)) from exc


def _scan_sheet(handle: object) -> None:
    """Count the rows of a worksheet's XML and the cells of each row, without parsing it."""
    rows = cells = row_number = 0
    tail = b""
    for chunk in _chunks(handle):
        data = tail + chunk
        if chunk:
            cut = data.rfind(b"<")  # a tag is never cut in two: the last one waits
            if cut <= 0:
                tail = data
                continue
            body, tail = data[:cut], data[cut:]
        else:
            body, tail = data, b""
        position = 0
        for match in _ROW_START.finditer(body):
            cells += _cells(body, position, match.start())
            _check_width(row_number, cells)
            rows += 1
            if rows > settings.KEHU_UPLOAD_MAX_ROWS + 1:  # and its header
                raise too_many_rows()
            found = _ROW_NUMBER.match(body, match.start())
            row_number = int(found.group(1)) if found else row_number + 1
            cells, position = 0, match.start()
        cells += _cells(body, position, len(body))
        _check_width(row_number, cells)


def _cells(data: bytes, start: int, end: int) -> int:
    return sum(data.count(tag, start, end) for tag in (b"<c ", b"<c>", b"<c/"))


def _check_width(row_number: int, cells: int) -> None:
    if cells > settings.KEHU_UPLOAD_MAX_COLUMNS:
        raise too_many_columns(max(row_number, 1), cells)


def _chunks(handle: object) -> Iterator[bytes]:
    """The handle's bytes a chunk at a time, then one empty chunk (the end)."""
    while chunk := handle.read(SCAN_CHUNK):  # type: ignore[attr-defined]
        yield chunk
    yield b""
