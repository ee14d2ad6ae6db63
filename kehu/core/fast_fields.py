"""Short cuts for the commonest shapes of a phone number and an e-mail address, giving exactly
what the libraries give (kehu.core.validators calls them first and falls back to the library for
anything else). A large import spends most of its cleaning time in phonenumbers.parse and
email_validator.validate_email; most of its cells are an 11-digit mainland mobile or a plain ASCII
address. kehu/core/tests/test_fast_fields.py runs both paths over thousands of generated and odd
values and asserts the same results.

- An 11-digit number starting 13-19 (but 179, a carrier prefix phonenumbers may strip) in the
  region CN: phonenumbers.parse would give country code 86 and the digits as the national number,
  so the PhoneNumber is built directly and only its type is asked of the library (a type other
  than UNKNOWN is what is_valid_number checks for a number of a one-region country code).
- An address whose part before the @ is ASCII letters, digits and _ + - in dot-separated runs
  (a dot-atom email-validator accepts as it is), short enough for every length rule, and a
  domain of plain ASCII labels: the library's verdict then depends on the last label only,
  which is asked of the library once and remembered.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE,)
_UNKNOWN = phonenumbers.PhoneNumberType.UNKNOWN


def cn_mobile_fast(text: str, region: str) -> tuple[str, str] | None:
    """parse_phone's result for a plain 11-digit mainland number ('+8613800138000', 'mobile'),
    or None when the value has another shape or is not a valid number (the library decides)."""
    if region != "CN" or not _CN_MOBILE.fullmatch(text) or text.startswith("179"):
        return None
    kind = phonenumbers.number_type(
        phonenumbers.PhoneNumber(country_code=86, national_number=int(text))
    )
    if kind == _UNKNOWN:
        return None
    return f"+86{text}", ("mobile" if kind in _MOBILE_TYPES else "landline")


_LOCAL = re.compile(r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*")
# Labels of letters and digits with single hyphens inside (no "--": Punycode and the "ab--"
# rule stay with the library), at least two of them.
_LABEL = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_TLDS: dict[str, bool] = {}  # the last label -> whether the library accepts a domain in it


def _tld_accepted(tld: str) -> bool:
    """Whether email-validator accepts a well-formed domain ending in this label: for such a
    domain only the last label matters (it must end with a letter and not be a special-use
    name such as "local" or "test"; the rest are checks on characters and lengths)."""
    found = _TLDS.get(tld)
    if found is None:
        try:
            found = validate_email(f"a@x.{tld}", check_deliverability=False).domain == f"x.{tld}"
        except EmailNotValidError:
            found = False
        if len(_TLDS) < 10_000:
            _TLDS[tld] = found
    return found


def email_fast(text: str) -> str | None:
    """normalize_email's result for a plain ASCII address, or None (the library decides)."""
    local, at, written = text.partition("@")
    if not at or len(local) > 64 or len(text) > 200 or not _LOCAL.fullmatch(local):
        return None
    domain = written.lower()
    if not _DOMAIN.fullmatch(domain) or "--" in domain:
        return None
    labels = domain.split(".")
    if any(len(label) > 63 for label in labels) or not _tld_accepted(labels[-1]):
        return None
    return f"{local}@{domain}".lower()
