"""An analysis as CSV (every table, one after the other) or XLSX (a sheet per table).

An export is audited like the customer export: a change-log entry, a read-log entry, and its
rows counted in the day's volume; past the daily limit (review rule "export_spike") it waits
for the manager, as the customer export does (both through
kehu.customers.pull_volume.export_hold_past_limit), and an approved one may be downloaded once.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.models import ReadEntry
from kehu.audit.services import Volume, audit_record, read_record
from kehu.core.errors import ValidationFailed, one_of
from kehu.customers.pull_volume import export_hold_past_limit, pull_rows
from kehu.review.models import ReviewRule

from ..exports import CSV_TYPE, XLSX_TYPE, neutralise
from .result import Result

FORMATS = ("csv", "xlsx")


def export_rows(result: Result) -> int:
    return sum(len(chart.rows) for chart in result.charts)


def analysis_export_guard(*, actor: User, result: Result, file_format: str) -> None:
    """Raise ChangeHeld when this export would take today's volume past the limit and no
    approved export covers it (the customer export's rule, for an analysis's rows:
    kehu.customers.pull_volume.export_hold_past_limit)."""

    def reason(count: int, today: Volume, _rule: ReviewRule) -> str:
        return _(
            "Export of %(count)s rows of the analysis “%(title)s”; with the %(today)s rows pulled "
            "today that passes the daily limit of %(limit)s"
        ) % {
            "count": f"{count:,}",
            "title": result.title,
            "today": f"{today.rows:,}",
            "limit": f"{today.limit:,}",
        }

    export_hold_past_limit(
        actor=actor,
        count=lambda: export_rows(result),
        reason=reason,
        payload={"format": file_format, "analysis": result.analysis, "filters": result.filters},
    )


def analysis_export(*, actor: User, result: Result, file_format: str) -> HttpResponse:
    """The file of the analysis; audited and counted (after the guard has let it through)."""
    if file_format not in FORMATS:
        raise ValidationFailed({"format": [one_of(FORMATS)]})
    analysis_export_guard(actor=actor, result=result, file_format=file_format)
    count = export_rows(result)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.REPORT_EXPORTED,
            changes={
                "analysis": result.analysis,
                "format": file_format,
                "rows": count,
                "filters": result.filters,
            },
        )
        read_record(
            actor=actor,
            kind=ReadEntry.Kind.EXPORT,
            query=json.dumps(
                {"analysis": result.analysis, "format": file_format, **result.filters},
                ensure_ascii=False,
            ),
            rows=count,
        )
        pull_rows(actor=actor, rows=count, refuse=False)  # the guard has decided already
    period = f"{result.filters.get('from', '')}_{result.filters.get('to', '')}"
    filename = f"kehu-{result.analysis}-{period}"
    if file_format == "xlsx":
        content, content_type = xlsx_bytes(result), XLSX_TYPE
    else:
        content, content_type = csv_bytes(result), CSV_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


def _cell(value: object) -> object:
    return value if isinstance(value, int | float) else neutralise(value)


def _shown(chart: dict[str, Any], cells: list[Any]) -> list[Any]:
    """The table's cells: without the columns only the chart uses (the map's region names)."""
    return [v for i, v in enumerate(cells) if i not in chart["hidden"]]


def csv_bytes(result: Result) -> bytes:
    """Each table under its title, a blank line between; UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, chart in enumerate(result.as_dict()["charts"]):
        if index:
            writer.writerow([])
        writer.writerow([neutralise(chart["title"])])
        writer.writerow(_shown(chart, [neutralise(c) for c in chart["columns"]]))
        for row in chart["rows"]:
            writer.writerow(_shown(chart, [_cell(v) for v in row]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(result: Result) -> bytes:
    """A sheet per table, named after it (31 characters at most, as Excel allows)."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for chart in result.as_dict()["charts"]:
        title = "".join(ch for ch in chart["title"] if ch not in "[]:*?/\\")[:28] or chart["key"]
        while title in used:
            title = title[:26] + f"_{len(used)}"
        used.add(title)
        sheet = workbook.create_sheet(title=title)
        sheet.append(_shown(chart, [neutralise(c) for c in chart["columns"]]))
        for row in chart["rows"]:
            sheet.append(_shown(chart, [_cell(v) for v in row]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
