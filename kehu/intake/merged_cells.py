"""Merged cells of a worksheet read in openpyxl's read-only mode, which gives a merged range's
value to its top-left cell only: a 负责人 merged down three rows would leave two of them without
an owner. The ranges are listed after the cells in the sheet's XML (<mergeCells>), which
read-only mode does not parse: the part is scanned for them as bytes, a chunk at a time (no
parse, flat memory), and the rows are then filled as they stream past."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl.utils.cell import range_boundaries

_CHUNK = 1 << 20
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")
_TAIL = 256  # bytes kept between chunks: a <mergeCell ref="…"/> is shorter
# More ranges than this are not filled (a sheet merged cell by cell is formatting, not data);
# the cells are read as read-only mode gives them.
MAX_RANGES = 10_000

Range = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based)


def merged_ranges(worksheet: Any, max_columns: int) -> list[Range]:
    """The merged ranges of a read-only worksheet spanning more than one cell and ending within
    `max_columns` (a whole row merged, A1:XFD1, is left as it is read); [] when there are none,
    too many, or the part cannot be found."""
    path = getattr(worksheet, "_worksheet_path", None)
    archive = getattr(getattr(worksheet, "parent", None), "_archive", None)
    if path is None or archive is None:
        return []
    refs: list[bytes] = []
    with archive.open(path) as handle:
        tail = b""
        while chunk := handle.read(_CHUNK):
            data = tail + chunk
            end = 0
            for match in _MERGE.finditer(data):
                refs.append(match.group(1))
                end = match.end()
            if len(refs) > MAX_RANGES:
                return []
            tail = data[max(end, len(data) - _TAIL) :]
    ranges: list[Range] = []
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
        if (min_col, min_row) != (max_col, max_row) and max_col <= max_columns:
            ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def fill_merged(rows: Iterable[list[str]], ranges: list[Range]) -> Iterator[list[str]]:
    """The rows (1-based, as the sheet numbers them) with each merged range's top-left value in
    every cell of the range."""
    if not ranges:
        yield from rows
        return
    by_start: dict[int, list[Range]] = {}
    for merged in ranges:
        by_start.setdefault(merged[1], []).append(merged)
    open_ranges: list[tuple[Range, str]] = []  # ranges under way, with their value
    for number, row in enumerate(rows, start=1):
        open_ranges = [(r, v) for r, v in open_ranges if r[3] >= number]
        for merged in by_start.pop(number, ()):
            min_col = merged[0]
            value = row[min_col - 1] if min_col <= len(row) else ""
            if value:
                open_ranges.append((merged, value))
        if open_ranges:
            row = list(row)
            for (min_col, _min_row, max_col, _max_row), value in open_ranges:
                if len(row) < max_col:
                    row.extend([""] * (max_col - len(row)))
                for col in range(min_col, max_col + 1):
                    row[col - 1] = value
        yield row
