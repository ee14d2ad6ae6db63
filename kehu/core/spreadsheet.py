"""Cells a spreadsheet cannot mistake for formulas (OWASP's CSV-injection advice).

A text cell starting with = + - @, a tab or a carriage return gets a leading apostrophe: the rule
of the customer and report exports (kehu.intake.validators.neutralize_cell,
kehu.reports.exports.neutralise), here in core so that every app that writes a CSV can use it.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """'=1+1' -> "'=1+1"; other values (numbers, None, plain text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
