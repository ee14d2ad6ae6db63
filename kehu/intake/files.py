"""Files people download: the report of an import, its failed rows to fix, the template."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from .models import ImportRow, ImportRun
from .validators import STANDARD_HEADERS, neutralize_cell

REPORT_HEADERS = [
    "row",
    "outcome",
    "外部编号",
    "customer_no",
    "incomplete",
    "errors",
    "note",
    "warnings",
]
FAILED_ERRORS_HEADER = "错误说明"


class Echo:
    """A file-like whose write returns the line: csv.writer into a StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def format_errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{column}: {' '.join(messages)}" for column, messages in errors.items())


def report_lines(rows: Iterable[ImportRow]) -> Iterator[list[Any]]:
    yield REPORT_HEADERS
    for row in rows:
        yield [
            row.row_number,
            row.outcome,
            row.external_id,
            row.customer_no,
            "yes" if row.is_incomplete else "",
            format_errors(row.errors),
            row.note,
            format_errors(row.warnings),
        ]


def failed_lines(run: ImportRun, rows: Iterable[ImportRow]) -> Iterator[list[Any]]:
    """The failed rows as they came, plus what to fix: edit and upload the file again."""
    headers = [h for h in run.headers if h]
    yield [*headers, FAILED_ERRORS_HEADER]
    for row in rows:
        yield [row.raw.get(h, "") for h in headers] + [format_errors(row.errors)]


def template_lines() -> Iterator[list[str]]:
    yield list(STANDARD_HEADERS)


def csv_stream(lines: Iterable[list[Any]], *, bom: bool = True) -> Iterator[str]:
    """CSV text, line by line; a BOM first so spreadsheet programs read it as UTF-8."""
    writer = csv.writer(Echo())
    if bom:
        yield "\ufeff"
    for line in lines:
        yield writer.writerow([_storable(neutralize_cell(v)) for v in line])


def _storable(value: Any) -> Any:
    """A lone surrogate (no UTF-8 for it) would break the download half-way: U+FFFD instead."""
    if isinstance(value, str) and not value.isprintable():
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value)
    return value
