"""Dates and times as people type them (2026-03-05, 2026年3月5日, 20260305, a spreadsheet's
serial day number, 2026-03-05 14:30): part of kehu.core.validators' field rules, which
re-export them."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .text import clean_text

_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_SEP_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# A spreadsheet's serial day number (days since 1899-12-30), as a date column comes out of an
# export that lost its formatting: 45000 = 2023-03-15. Five digits only: 1927-05-18 to 2173.
_SERIAL_DATE = re.compile(r"^(\d{5})(?:\.0+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_TIME_PART = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
# Dates a CRM may hold: a year-1 timestamp overflowed the time zone conversion (500), and a typo
# such as 20226-03-05 or 1026 is a mistake, not history.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def plausible_date(value: date) -> date:
    """value, or a ValidationError when its year is before 1900 or after 2100 (also datetimes)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            code="date_out_of_range",
        )
    return value


def plausible_datetime(value: datetime) -> datetime:
    """A datetime whose date is plausible (see plausible_date)."""
    plausible_date(value)
    return value


def parse_date(raw: str) -> date:
    """ISO (2026-03-05), 2026/3/5, 2026.3.5, 20260305 and 2026年3月5日; a time part is ignored.
    A spreadsheet's serial day number (45000) is read as the date it stands for. Years before
    1900 or after 2100 are refused (plausible_date)."""
    text = clean_text(raw)
    serial = _SERIAL_DATE.match(text)
    if serial:
        return plausible_date(_EXCEL_EPOCH + timedelta(days=int(serial.group(1))))
    if "T" in text:
        text = text.split("T", 1)[0]
    elif " " in text and not _CN_DATE.match(text):
        text = text.split(" ", 1)[0]
    for pattern in (_SEP_DATE, _CN_DATE, _COMPACT_DATE):
        match = pattern.match(text)
        if match:
            try:
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                break
            return plausible_date(day)
    raise ValidationError(
        _("Enter a valid date, such as 2026-03-05 or 2026年3月5日."), code="invalid_date"
    )


def parse_datetime(raw: str) -> datetime:
    """A date with an optional time (2026-03-05 14:30, 2026年3月5日 14:30, ISO 8601 with zone),
    between 1900 and 2100."""
    text = clean_text(raw)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None:
        date_part, _sep, time_part = text.partition(" ")
        if "日" in date_part and not time_part:
            date_part, _sep, time_part = text.partition("日")
            date_part += "日"
        day = parse_date(date_part)
        hour = minute = second = 0
        time_part = time_part.strip()
        if time_part:
            match = _TIME_PART.match(time_part)
            if not match:
                raise ValidationError(
                    _("Enter a valid date and time, such as 2026-03-05 14:30."),
                    code="invalid_datetime",
                )
            hour, minute = int(match.group(1)), int(match.group(2))
            second = int(match.group(3) or 0)
            if hour > 23 or minute > 59 or second > 59:
                raise ValidationError(
                    _("Enter a valid date and time, such as 2026-03-05 14:30."),
                    code="invalid_datetime",
                )
        value = datetime.combine(day, time(hour, minute, second))
    plausible_date(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
