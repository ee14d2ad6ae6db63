"""Phones: digit forms, E.164 bases without the extension, and masked partials.

Numbers are parsed and validated by kehu.core.validators (phonenumbers); these functions work on
what it returns ('+8675586001234;ext=8') or on what people type. A masked number exported by
another CRM (138****5678) cannot reach anyone, but its visible digits still tell two records
apart or together: phone_mask() keeps them as a pattern that phone_fits_mask() tests.
"""

from __future__ import annotations

import re

_MASK = re.compile(r"^(\+?\d*)[*xX＊•·]{2,}(\d*)$")


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


def phone_mask(raw: str) -> str:
    """'138****5678' -> '138*5678' (the visible digits around the hidden ones); '' if not masked.

    Spaces, hyphens and a +86 prefix are dropped; at least four digits must show.
    """
    text = re.sub(r"[\s\-()]", "", raw or "")
    if text.startswith("+86"):
        text = text[3:]
    match = _MASK.match(text)
    if not match:
        return ""
    head, tail = match.group(1).lstrip("+"), match.group(2)
    if len(head) + len(tail) < 4:
        return ""
    return f"{head}*{tail}"


def phone_fits_mask(mask: str, e164: str) -> bool:
    """Whether a full number could be the masked one: '138*5678' fits '+8613812345678'."""
    if not mask or not e164:
        return False
    head, _star, tail = mask.partition("*")
    digits = phone_digits(e164)
    return (
        len(digits) >= len(head) + len(tail) and digits.startswith(head) and digits.endswith(tail)
    )
