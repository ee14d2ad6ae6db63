"""Phone numbers and e-mail addresses inside free text, masked as the pages mask them.

For text that is not a field of a customer but may carry one's contact details: a query typed
into a search or an export filter (the audit page's read log), the messages and notes of an
import's report, the cells of its failed rows (kehu.intake.files).
"""

from __future__ import annotations

import re

from kehu.core.validators import mask_email

# 7+ digits, spaces and dashes allowed, not part of a customer number or a credit code (which
# run into letters); an e-mail address.
_PHONE = re.compile(r"(?<![A-Za-z0-9])\+?\d[\d \-]{5,}\d(?![A-Za-z0-9])")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _phone(match: re.Match[str]) -> str:
    """138 1234 5678 -> 138 **** 5678: the first 3 and the last 4 digits shown."""
    text = match.group()
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) < 7:
        return text
    hide = set(digits[3:-4])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def mask_text(text: str) -> str:
    """The text with every phone number and e-mail address in it masked."""
    if not text:
        return text
    return _PHONE.sub(_phone, _EMAIL.sub(lambda m: mask_email(m.group()), text))
