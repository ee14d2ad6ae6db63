"""Log lines for production: one JSON object per line with the request id, and no personal
values (phone numbers, e-mail addresses, ID numbers are masked before a line is written).

settings.LOGGING uses these when KEHU_LOG_FORMAT=json (the default under `kehu serve`); the
plain format gets the request id too."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from .middleware import current_request_id
from .personal import scrub_named

# Runs of 7+ digits not glued to letters (phones, ID and bank numbers; an ID may end in X), a
# mobile written 138 1234 5678 / 138-1234-5678, and e-mail addresses. Record numbers
# (CX2026120001) and dates (2026-12-06) stay readable.
_DIGITS = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?[0-9]{6,}[0-9Xx]|1[3-9][0-9][ -][0-9]{4}[ -][0-9]{4})(?![0-9A-Za-z])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub(text: str) -> str:
    """The text with personal values masked: 13812345678 -> 138****5678, a@b.cn -> ***@b.cn,
    and the value of any field the registry encrypts when named (wechat=zhang_san -> wechat=***;
    kehu.core.personal)."""

    def digits(match: re.Match[str]) -> str:
        raw = match.group(0)
        plain = re.sub(r"[ -]", "", raw)
        if len(plain) < 7:
            return raw
        return plain[:3] + "*" * (len(plain) - 7) + plain[-4:]

    text = scrub_named(text)
    text = _EMAIL.sub(lambda m: "***@" + m.group(0).split("@", 1)[1], text)
    return _DIGITS.sub(digits, text)


class RequestIdFilter(logging.Filter):
    """Adds record.request_id and masks personal values in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the record as it is
            return True
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", ""),
            "message": record.getMessage(),
        }
        if record.exc_text or record.exc_info:
            line["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(line, ensure_ascii=False)
