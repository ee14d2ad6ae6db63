"""Phones: digit forms, E.164 bases without the extension, and masked partials.

Numbers are parsed and validated by kehu.core.validators (phonenumbers); these functions work on
what it returns ('+8675586001234;ext=8') or on what people type. A masked number exported by
another CRM (138****5678) cannot reach anyone, but its visible digits still tell two records
apart or together: kehu.core.validators.phone_partial keeps them (stored as phone_partial) and
phone_partial_matches tests a full number against them; both are re-exported here.
"""

from __future__ import annotations

import re

from kehu.core.validators import phone_partial as phone_partial
from kehu.core.validators import phone_partial_matches as phone_partial_matches


def phone_base(e164: str) -> str:
    """'+8675586001234;ext=8' -> '+8675586001234'."""
    return (e164 or "").split(";", 1)[0].strip()


def is_mobile(e164: str) -> bool:
    """A mainland mobile: +86 and eleven digits starting with 1."""
    base = phone_base(e164)
    return base.startswith("+86") and len(base) == 14 and base[3] == "1"


# National numbers dialled without a trunk 0: mobiles (1[3-9] and nine digits) and the nationwide
# service numbers (400 / 800 and seven digits).
_NO_TRUNK = re.compile(r"1[3-9]\d{9}|[48]00\d{7}")


def phone_digits(phone: str) -> str:
    """The digits people dial at home: '+8613800138000' -> '13800138000', '+8675512345678' ->
    '075512345678', '+864008008888' -> '4008008888'; extensions dropped; '' when there are no
    digits. Every landline gets its trunk 0 back, whatever the lengths of its area code (2-3
    digits) and number (7-8 digits): 0755 and eight digits is as long as a mobile."""
    number = phone.split(";")[0].split("转")[0].split("ext")[0]
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+86") and digits.startswith("86"):
        digits = digits[2:]
        if digits and not digits.startswith("0") and not _NO_TRUNK.fullmatch(digits):
            digits = "0" + digits  # a landline: +86 10 8888 8888 -> 01088888888
    return digits
