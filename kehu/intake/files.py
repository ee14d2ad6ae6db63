"""Files people download: the report of an import, its failed rows to fix, the template.

The importer gets back what they uploaded. Anyone else who may see the import (administrators and
data stewards, kehu.intake.selectors) reads it masked as every page masks contact details
(issue 14.17): the cells of phone, e-mail and id columns masked by kind, phone numbers and
e-mail addresses in the other cells and in the messages masked too; administrators see them whole
(kehu.accounts.policy.PII_ROLES).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy

from kehu.accounts.policy import PII_ROLES
from kehu.customers.masking import PII_FIELDS, mask_value
from kehu.customers.text_masking import mask_text

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
FAILED_ROW_HEADER = "原文件行号"  # the row of the uploaded file (as the report numbers it)
# The same columns for people (the page's download): headers and outcomes in their language.
READABLE_HEADERS = [
    gettext_lazy("row"),
    gettext_lazy("outcome"),
    "外部编号",
    gettext_lazy("customer number"),
    gettext_lazy("incomplete"),
    gettext_lazy("errors"),
    gettext_lazy("note"),
    gettext_lazy("warnings"),
]


class Echo:
    """A file-like whose write returns the line: csv.writer into a StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def format_errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{column}: {' '.join(messages)}" for column, messages in errors.items())


def masks_for(viewer: Any, run: ImportRun) -> bool:
    """Whether this viewer reads the import's files and messages masked: everyone but the
    importer and PII_ROLES."""
    if getattr(viewer, "role", None) in PII_ROLES:
        return False
    return not (run.created_by_id and run.created_by_id == getattr(viewer, "pk", None))


def _text(value: str, masked: bool) -> str:
    return mask_text(value) if masked and isinstance(value, str) else value


def report_lines(
    rows: Iterable[ImportRow], *, masked: bool = False, readable: bool = False
) -> Iterator[list[Any]]:
    """One line per input row. `readable`: headers, outcomes and yes in the reader's language
    (the page's download); else the stable codes scripts read (CLI, API)."""
    yield [str(h) for h in READABLE_HEADERS] if readable else REPORT_HEADERS
    outcomes = dict(ImportRow.Outcome.choices)
    for row in rows:
        yield [
            row.row_number,
            str(outcomes.get(row.outcome, row.outcome)) if readable else row.outcome,
            row.external_id,
            row.customer_no,
            (str(gettext_lazy("yes")) if readable else "yes") if row.is_incomplete else "",
            _text(format_errors(row.errors), masked),
            _text(row.note, masked),
            _text(format_errors(row.warnings), masked),
        ]


def failed_lines(
    run: ImportRun, rows: Iterable[ImportRow], *, masked: bool = False
) -> Iterator[list[Any]]:
    """The failed rows as they came, plus what to fix and the row of the file each came from:
    edit and upload the file again (the two added columns are left out as unknown)."""
    headers = [h for h in run.headers if h]
    # header -> the masked field its column was mapped to (decision_maker.mobile -> mobile)
    fields = {h: t.rpartition(".")[2] for h, t in (run.mapping or {}).items() if t}
    fields = {h: f for h, f in fields.items() if f in PII_FIELDS}
    yield [*headers, FAILED_ERRORS_HEADER, FAILED_ROW_HEADER]
    for row in rows:
        cells = [row.raw.get(h, "") for h in headers]
        if masked:
            cells = [
                mask_value(fields[h], str(c)) if h in fields and c else _text(c, True)
                for h, c in zip(headers, cells, strict=True)
            ]
        yield [*cells, _text(format_errors(row.errors), masked), row.row_number]


def preview_for(viewer: Any, run: ImportRun) -> dict[str, Any]:
    """The dry run's counts and problems as this viewer may read them."""
    preview = run.preview or {}
    if not preview or not masks_for(viewer, run):
        return preview
    problems = [
        {
            **problem,
            "errors": {k: [mask_text(m) for m in v] for k, v in problem.get("errors", {}).items()},
            "warnings": {
                k: [mask_text(m) for m in v] for k, v in problem.get("warnings", {}).items()
            },
            "note": mask_text(problem.get("note", "")),
        }
        for problem in preview.get("problems", [])
    ]
    return {**preview, "problems": problems}


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
