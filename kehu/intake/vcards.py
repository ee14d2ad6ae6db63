"""Read a vCard file (3.0 from iPhones and Outlook, 2.1 from Android phones) as rows of the
standard template's cells, one card a row: readers.py hands the rows on like a CSV's.

vCard 2.1 writes non-ASCII text as quoted-printable in the card's CHARSET and wraps it with soft
line breaks wherever the line grows long, often inside a character's bytes (`=E9=99=` then
`=90...`); vobject reads such a value line by line and fails on the whole file. The lines are
joined and decoded here first (as bytes, then with the CHARSET, utf-8 when none is named).
"""

from __future__ import annotations

import binascii
import codecs
import io
import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.core.validators import parse_phone

from .limits import not_readable

VCARD_HEADERS = [
    "客户名称",
    "关键决策人姓名",
    "决策人职位",
    "决策人联系方式",  # a mobile and a landline ('139.../0571-...'), as the standard allows
    "邮箱",
    "客户地址",
    "城市",
    "省份",
    "客户类型",  # 个人 for a card without a company: the person is the customer
    "备注",  # the card's NOTE, and the numbers and e-mails no other column holds
]

_QP = re.compile(r"(?:^|;)(?:ENCODING=)?QUOTED-PRINTABLE(?:;|$)", re.IGNORECASE)
_CHARSET = re.compile(r"(?:^|;)CHARSET=([^;]*)", re.IGNORECASE)
_ENCODING_PARAMS = re.compile(
    r";(?:ENCODING=)?QUOTED-PRINTABLE(?=;|$)|;CHARSET=[^;]*", re.IGNORECASE
)
_CARD_EDGE = re.compile(r"\s*(?:BEGIN|END)\s*:\s*VCARD\s*$", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The types that say a number is a mobile or a landline (3.0's TYPE=, 2.1's bare words).
_MOBILE_TYPES = {"CELL", "MOBILE", "IPHONE"}


def vcard_rows(text: str) -> Iterator[list[str]]:
    """The header, then one row per card; a card vobject cannot read refuses the file, naming it."""
    import vobject

    yield VCARD_HEADERS
    cards = vobject.readComponents(
        io.StringIO(decode_quoted_printable(text)), ignoreUnreadable=True
    )
    number = 0
    while True:
        number += 1
        try:
            card = next(cards)
            row = _vcard_row(card)
        except StopIteration:
            return
        except Exception as exc:  # vobject raises many kinds on a malformed card
            raise not_readable("vcf", f"card {number}: {exc}") from exc
        yield row


def decode_quoted_printable(text: str) -> str:
    """The text with each quoted-printable property joined across its soft line breaks and
    decoded: the value's bytes read with the property's CHARSET (utf-8 when none is named or
    the name is unknown; a byte that does not fit becomes U+FFFD). A line break inside the
    value is written as vCard's escaped \\n, and ENCODING and CHARSET are dropped."""
    lines = _LINE_BREAK.split(text)
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        head, colon, value = line.partition(":")
        if not colon or not _QP.search(head):
            out.append(line)
            continue
        # A soft line break; a stray one before the card's end does not swallow it.
        while value.endswith("=") and index < len(lines) and not _CARD_EDGE.match(lines[index]):
            value = value[:-1] + lines[index].lstrip(" \t")
            index += 1
        out.append(_ENCODING_PARAMS.sub("", head) + ":" + _qp_text(value, head))
    return "\r\n".join(out) + "\r\n"


def _qp_text(value: str, head: str) -> str:
    try:
        data = binascii.a2b_qp(value.rstrip("=").encode("utf-8"))  # raw text stays itself
    except (binascii.Error, ValueError):
        return value
    found = _CHARSET.search(head)
    charset = (found.group(1).strip().strip('"') if found else "") or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    decoded = data.decode(charset, errors="replace")
    return decoded.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _vcard_row(card: Any) -> list[str]:
    contents = card.contents
    person = _first(card, "fn").strip() or _structured_name(card)
    company = _organisation(card)
    mobile, landline, other_phones = _phones(contents.get("tel", []))
    if mobile and landline and person:
        reach = f"{mobile}/{landline}"  # the decision maker keeps both (the standard's cell)
    else:
        # Without a person the number is the customer's own, and its phone field holds one.
        reach = mobile or landline
        other_phones = ([landline] if mobile and landline else []) + other_phones
    emails = [str(e.value).strip() for e in contents.get("email", []) if str(e.value).strip()]
    address = street = city = region = ""
    if "adr" in contents:
        adr = card.adr.value
        street, city, region = (adr.street or "", adr.city or "", adr.region or "")
        street = ",".join(street) if isinstance(street, list) else street
        address = f"{region}{city}{street}".strip()
    notes = [n for n in (_text(e.value) for e in contents.get("note", [])) if n]
    if other_phones:
        notes.append(_("Other phones: %(numbers)s") % {"numbers": "、".join(other_phones)})
    if len(emails) > 1:
        notes.append(_("Other e-mails: %(emails)s") % {"emails": "、".join(emails[1:])})
    return [
        company or person,
        person,
        _first(card, "title"),
        reach,
        emails[0] if emails else "",
        address,
        city if isinstance(city, str) else "",
        region if isinstance(region, str) else "",
        "企业" if company else "个人",
        "\n".join(notes),
    ]


def _organisation(card: Any) -> str:
    """The company of ORG (company;department): an unescaped comma in the name ('Acme Trading
    Co., Ltd.') makes vobject split it, and it is joined again."""
    if "org" not in card.contents:
        return ""
    org = card.org.value
    name = org[0] if isinstance(org, list) and org else org
    return _text(name, ",")


def _phones(tels: list[Any]) -> tuple[str, str, list[str]]:
    """(mobile, landline, the others) of a card's TEL lines: a number is a mobile or a landline
    by its digits (people file a mobile as WORK), a preferred or CELL-typed one chosen first;
    a number that is neither goes in the mobile's place only when the card has no other (the
    import then reports it), else with the others."""
    numbers: list[tuple[bool, int, str, str]] = []  # (not preferred, position, number, kind)
    for position, tel in enumerate(tels):
        value = _text(tel.value)
        if not value:
            continue
        types = {str(t).upper() for t in [*tel.params.get("TYPE", []), *tel.singletonparams]}
        try:
            kind = parse_phone(value)[1]
        except ValidationError:
            kind = ""
        preferred = "PREF" in types or bool(types & _MOBILE_TYPES)
        numbers.append((not preferred, position, value, kind))
    ranked = sorted(numbers)
    mobile = next((v for _p, _i, v, k in ranked if k == "mobile"), "")
    landline = next((v for _p, _i, v, k in ranked if k == "landline"), "")
    if not mobile and not landline and ranked:
        mobile = ranked[0][2]
    others = [v for _p, _i, v, _k in numbers if v not in (mobile, landline)]
    return mobile, landline, others


def _structured_name(card: Any) -> str:
    """The name from N (family;given;…) when FN is missing, as vCard 2.1 from phones allows:
    Chinese names family name first without a space, others given name first."""
    if "n" not in card.contents:
        return ""
    name = card.n.value
    parts = [_text(p) for p in (getattr(name, "family", ""), getattr(name, "given", ""))]
    family, given = (p.strip() for p in parts)
    if any("\u4e00" <= ch <= "\u9fff" for ch in family + given):
        return f"{family}{given}"
    return f"{given} {family}".strip()


def _first(card: Any, key: str) -> str:
    entries = card.contents.get(key) or []
    return _text(entries[0].value) if entries else ""


def _text(value: Any, joiner: str = " ") -> str:
    """A value as text: vobject gives a list where the card's value had separators."""
    if isinstance(value, list):
        return joiner.join(
            _text(v, joiner) if isinstance(v, list) else str(v or "") for v in value
        ).strip()
    return str(value or "").strip()
