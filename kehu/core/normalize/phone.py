"""Phones: digit forms, E.164 bases without the extension, and masked partials.

Numbers are parsed and validated by kehu.core.validators (phonenumbers); these functions work on
what it returns ('+8675586001234;ext=8') or on what people type. A masked number exported by
another CRM (138****5678) cannot reach anyone, but its visible digits still tell two records
apart or together: kehu.core.validators.phone_partial keeps them (stored as phone_partial) and
phone_partial_matches tests a full number against them; both are re-exported here.
"""

from __future__ import annotations

from kehu.core.validators import phone_partial as phone_partial
from kehu.core.validators import phone_partial_matches as phone_partial_matches


def phone_base(e164: str) -> str:
    """'+8675586001234;ext=8' -> '+8675586001234'."""
    return (e164 or "").split(";", 1)[0].strip()


def is_mobile(e164: str) -> bool:
    """A mainland mobile: +86 and eleven digits starting with 1."""
    base = phone_base(e164)
    return base.startswith("+86") and len(base) == 14 and base[3] == "1"


def phone_digits(phone: str) -> str:
    """'+8613800138000' -> '13800138000'; extensions dropped; '' when there are no digits."""
    number = phone.split(";")[0].split("转")[0].split("ext")[0]
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+86") and digits.startswith("86"):
        digits = digits[2:]
        if len(digits) < 11 and not digits.startswith("0"):
            digits = "0" + digits  # a landline: +86 10 8888 8888 -> 01088888888
    return digits
