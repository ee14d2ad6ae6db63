"""Field rules shared by forms, API schemas, imports and the CLI.

Each function takes a raw value (already through clean_text), returns the stored form, and raises
django.core.exceptions.ValidationError with a message a person can act on.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from .dates import EARLIEST_YEAR as EARLIEST_YEAR
from .dates import LATEST_YEAR as LATEST_YEAR
from .dates import parse_date as parse_date
from .dates import parse_datetime as parse_datetime
from .dates import plausible_date as plausible_date
from .dates import plausible_datetime as plausible_datetime
from .fast_fields import cn_mobile_fast, email_fast
from .text import clean_text

# An extension after the number: 转 8, 分机 8, 分机号:8, ext. 8, x8, #8 (a comma or dash may come
# before the word).
_EXTENSION = re.compile(
    r"\s*[-,，;；]?\s*(?:转\s*分机号?|分机号?|转|ext(?:ension|n)?\.?|x|#)\s*[:：.]?\s*(\d{1,6})\s*$",
    re.IGNORECASE,
)
# A landline written number-dash-extension: 010-88888888-123, (029)74103153-4104, 02974103153-4104.
_DASH_EXTENSION = re.compile(r"^(.*\d{7,8})\s*-\s*(\d{1,6})$")
# A masked number as other CRMs export it: 138****5678, 138xxxx5678, 0571-****6666.
_MASKED = re.compile(r"^\+?[\d\s()\-]*(?:[*＊xX×•●]\s*){2,}[\d\s()\-]*$")
# Digits alone, 7 or 8 of them, not starting with 0 or 1: a local landline without its area code.
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
# Characters of a phone number as written, for telling a number from a note.
_PHONE_CHARS = re.compile(r"[\d\s()+\-]+")


def phone_partial(raw: str) -> str:
    """A masked number's visible digits, one '*' for each hidden one ('138****5678'); '' when the
    value is not a masked number. Matches a full number with phone_partial_matches()."""
    text = clean_text(raw)
    if not _MASKED.match(text):
        return ""
    compact = re.sub(r"[\s()\-+]", "", text)
    compact = re.sub(r"[*＊xX×•●]", "*", compact)
    if compact.startswith("86") and len(compact) == 13:
        compact = compact[2:]
    if sum(ch.isdigit() for ch in compact) < 3 or len(compact) > 16:
        return ""
    return compact


def phone_partial_matches(partial: str, e164: str) -> bool:
    """Whether a stored number (E.164) could be the masked one: the same length nationally, and
    the same digit wherever the partial shows one."""
    if not partial or not e164:
        return False
    digits = e164.partition(";ext=")[0]
    try:
        national = str(phonenumbers.parse(digits).national_number)
    except phonenumbers.NumberParseException:
        return False
    candidates = [national, f"0{national}"]
    return any(
        len(c) == len(partial) and all(p in ("*", d) for p, d in zip(partial, c, strict=True))
        for c in candidates
    )


def phone_problem(raw: str) -> ValidationError:
    """Why a value is not a usable phone number, as the error parse_phone raises: a masked number
    (code masked_phone), a local number without its area code (local_phone), or anything else."""
    text = clean_text(raw)
    partial = phone_partial(text)
    if partial:
        return ValidationError(
            _("%(value)s is masked; only the full number can be used.") % {"value": partial},
            code="masked_phone",
            params={"partial": partial},
        )
    if _LOCAL.match(re.sub(r"[\s\-]", "", text)):
        return ValidationError(
            _("%(value)s has no area code; write it as 029-74103153.") % {"value": text},
            code="local_phone",
        )
    return ValidationError(_("Enter a valid phone number."), code="invalid_phone")


def parse_phone(raw: str) -> tuple[str, str]:
    """'138 0013 8000' -> ('+8613800138000', 'mobile'); '0755-86001234转8' -> ('+8675586001234;ext=8', 'landline').

    Extensions: 转, 分机, ext, x, # or a dash after a landline ((029)74103153-4104). The library
    knows the numbering plans; the default region is KEHU_DEFAULT_REGION (CN). A value that is not
    a number raises phone_problem()'s error (masked, without area code, or not a number).
    """
    text = clean_text(raw)
    region = settings.KEHU_DEFAULT_REGION
    found = _PARSED.get((text, region))
    if found is None:
        found = cn_mobile_fast(text, region) or parse_phone_library(text, region)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[(text, region)] = found
    return found


# parse_phone's answers (valid numbers only: an error's message is translated when raised), by
# cleaned value: an import parses each phone cell twice (set aside, then cleaned).
_PARSED: dict[tuple[str, str], tuple[str, str]] = {}
_PARSED_LIMIT = 4096


def parse_phone_library(text: str, region: str) -> tuple[str, str]:
    """parse_phone of a cleaned value by phonenumbers alone (no short cut)."""
    raw = text
    extension = ""
    match = _EXTENSION.search(text)
    if match and match.start() > 0:
        extension, text = match.group(1), text[: match.start()]
    elif (dashed := _DASH_EXTENSION.match(text)) and _PHONE_CHARS.fullmatch(text):
        extension, text = dashed.group(2), dashed.group(1)
    text = text.replace("(", " ").replace(")", " ")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise phone_problem(raw)
    kind = phonenumbers.number_type(number)
    if _cut_short(number, kind):
        raise ValidationError(
            _("%(value)s is too short: a landline has 7 or 8 digits after its area code.")
            % {"value": raw},
            code="invalid_phone",
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    is_mobile = kind in (phonenumbers.PhoneNumberType.MOBILE,)
    if extension:
        e164 = f"{e164};ext={extension}"
    return e164, ("mobile" if is_mobile else "landline")


def _cut_short(number: phonenumbers.PhoneNumber, kind: int) -> bool:
    """A mainland landline with fewer than 7 digits after its area code that is no service
    number (12345, 95588, 96xxx, 100xx behind an area code): 0755-1234 is one the library
    accepts, but no customer's line is that short; it was cut."""
    national = str(number.national_number)
    if number.country_code != 86 or kind != phonenumbers.PhoneNumberType.FIXED_LINE:
        return False
    if len(national) >= 9:
        return False
    return not any(
        len(national) - area in (5, 6) and national[area:].startswith(_SERVICE_PREFIXES)
        for area in (2, 3)
    )


_SERVICE_PREFIXES = ("95", "96", "12", "10")


_PHONE_LABEL = re.compile(
    r"(?:手机号?|电话|座机|固话|办公电话|mobile|cell|tel|phone)\s*[:：]?\s*", re.IGNORECASE
)
_PHONE_SEPARATORS = re.compile(r"\s*[/／,，;；、|]\s*|\s{2,}")
# Words written beside a number: a note in brackets, or Chinese words (but 转/分机, extensions).
_PHONE_NOTE = re.compile(r"[(（][^)）]*[\u4e00-\u9fff][^)）]*[)）]|(?!转|分机)[\u4e00-\u9fff]+")


# A cell that may hold several numbers although it parses as one: phonenumbers reads the
# first of '13800137410;13800137411' (';' starts a parameter to it), and a space may part two.
_MAY_HOLD_SEVERAL = re.compile(r"[;\s]")
_SPACED_WORDS_MAX = 12  # words of a part tried as numbers written with spaces


def parse_phones(raw: str) -> list[tuple[str, str]]:
    """The numbers of a cell holding one or several ('13912345678/0571-88886666',
    '手机：13912345678；座机：0571-88886666', '13800137410 13800137411', one a line), each as
    parse_phone returns it; the whole cell is refused, with parse_phone's message, when any part
    is not a number. A cell that is one number as written ('138 0013 8000') is that number."""
    text = clean_text(raw)
    try:
        whole: tuple[str, str] | None = parse_phone(raw)
    except ValidationError as exc:
        whole, problem = None, exc
    if whole is not None and not _MAY_HOLD_SEVERAL.search(text):
        return [whole]
    bare = _PHONE_LABEL.sub(" ", text)
    bare = _PHONE_NOTE.sub(" ", bare).strip()  # "(微信同号)", "王总": notes, not numbers
    parts = [
        number
        for part in _PHONE_SEPARATORS.split(bare)
        if part.strip()
        for number in _spaced_numbers(part.strip())
    ]
    if whole is not None:  # several only when every part is a number ('0755-86001234;转8' is one)
        try:
            numbers = [parse_phone(part) for part in parts]
        except ValidationError:
            return [whole]
        return numbers if len(numbers) > 1 else [whole]
    if not parts or (len(parts) == 1 and parts[0] == text):
        raise problem
    return [parse_phone(part) for part in parts]


def _spaced_numbers(part: str) -> list[str]:
    """A part's numbers where spaces (or line breaks) part them: from the left, the most words
    that make one valid number ('138 0013 8000' is one; '13800137410 13800137411' two); the part
    as it is when a word belongs to no number."""
    words = part.split()
    if len(words) < 2 or len(words) > _SPACED_WORDS_MAX:
        return [part]
    numbers: list[str] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            candidate = " ".join(words[start:end])
            try:
                parse_phone(candidate)
            except ValidationError:
                continue
            numbers.append(candidate)
            start = end
            break
        else:
            return [part]
    return numbers


def normalize_mobile(raw: str) -> str:
    """A mobile number in E.164; a landline is refused."""
    e164, kind = parse_phone(raw)
    if kind != "mobile":
        raise ValidationError(_("Enter a mobile phone number."), code="not_mobile")
    return e164


def normalize_phone(raw: str) -> str:
    """Any valid phone number (mobile or landline) in E.164; a note beside it is dropped, and a
    cell with several numbers is refused naming the ones that do not fit (one phone field)."""
    numbers = parse_phones(raw)
    if len(numbers) > 1:
        raise ValidationError(
            _("One phone number fits here; give %(numbers)s to a contact.")
            % {"numbers": ", ".join(format_phone(n) for n, _kind in numbers[1:])},
            code="several_phones",
        )
    return numbers[0][0]


@functools.lru_cache(maxsize=65_536)
def format_phone(e164: str) -> str:
    """How people read a stored number: 13800138000, 0755-86001234, +1 650-253-0000.
    Cached: phonenumbers takes 20-45 µs a number, and a list page masks every row's."""
    if not e164:
        return ""
    number_part, _sep, extension = e164.partition(";ext=")
    try:
        number = phonenumbers.parse(number_part)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 86:
        national = str(number.national_number)
        if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE:
            text = national
        else:
            area = phonenumbers.length_of_geographical_area_code(number)
            text = f"0{national[:area]}-{national[area:]}" if area else f"0{national}"
    else:
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"{text} 转 {extension}" if extension else text


def mask_phone(e164: str) -> str:
    """138****5678: for lists and roles that may not see the whole number."""
    shown = format_phone(e164)
    digits = [i for i, ch in enumerate(shown) if ch.isdigit()]
    if len(digits) < 7:
        return shown
    hide = set(digits[3:-4])
    return "".join("*" if i in hide else ch for i, ch in enumerate(shown))


def mask_email(email: str) -> str:
    """wang.jianguo@example.com -> w***@example.com."""
    if not email or "@" not in email:
        return email
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_identifier(value: str) -> str:
    """An ID number or account id: the first 3 and last 4 characters kept."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def amount_band(amount: Any) -> str:
    """An amount as a band for roles that may not see it exactly: '10-50万'."""
    if amount is None:
        return ""
    yuan = float(amount)
    for upper, label in AMOUNT_BANDS:
        if yuan < upper:
            return label
    return AMOUNT_BANDS_TOP


AMOUNT_BANDS = [
    (10_000, "<1万"),
    (100_000, "1-10万"),
    (500_000, "10-50万"),
    (1_000_000, "50-100万"),
    (5_000_000, "100-500万"),
]
AMOUNT_BANDS_TOP = ">500万"


def normalize_email(raw: str) -> str:
    """Syntax-checked (no DNS) and lower-cased: addresses are compared case-insensitively."""
    text = clean_text(raw)
    return email_fast(text) or normalize_email_library(text)


def normalize_email_library(text: str) -> str:
    """normalize_email of a cleaned value by email-validator alone (no short cut)."""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        reason = email_problem(str(exc))
        raise ValidationError(
            _("Enter a valid e-mail address (%(reason)s).") % {"reason": reason}
            if reason
            else _("Enter a valid e-mail address."),
            code="invalid_email",
        ) from exc
    return result.normalized.lower()


# email-validator explains in English; its explanations, by what they say, as ours.
EMAIL_PROBLEMS = (
    ("must have an @-sign", gettext_lazy("it has no @")),
    ("something before the @-sign", gettext_lazy("nothing before the @")),
    ("at-sign", gettext_lazy("use the half-width @")),
    ("too long", gettext_lazy("it is too long")),
    ("after the @-sign is not valid", gettext_lazy("the domain after the @ is not valid")),
    ("reserved name", gettext_lazy("the domain after the @ is not valid")),
    ("period", gettext_lazy("a dot is misplaced")),
    ("after the @-sign", gettext_lazy("the domain after the @ is not valid")),
    ("Internationalized characters", gettext_lazy("characters before the @ must be Latin")),
    ("character", gettext_lazy("it contains characters an address cannot have")),
    ("anything after the email address", gettext_lazy("something follows the address")),
)


def email_problem(explanation: str) -> str:
    """email-validator's explanation as one of our messages ("" when none fits)."""
    for words, message in EMAIL_PROBLEMS:
        if words in explanation:
            return str(message)
    return ""


def normalize_credit_code(raw: str) -> str:
    """Unified social credit code (统一社会信用代码): 18 characters with a valid check character."""
    text = clean_text(raw).upper().replace(" ", "").replace("-", "")
    try:
        return str(uscc.validate(text))
    except StdnumError as exc:
        raise ValidationError(
            _(
                "Enter a valid unified social credit code (18 characters, check character must match)."
            ),
            code="invalid_credit_code",
        ) from exc


_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(万|千|亿|w|k)?\s*(元|rmb|cny)?$", re.IGNORECASE)
_UNITS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000}


def parse_amount(raw: str | int | float | Decimal) -> Decimal:
    """Yuan as Decimal: 80000, '80,000.00', '¥8万', '8万元', '1.2亿', '50k'."""
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    else:
        text = clean_text(raw).replace(",", "").replace("，", "").replace(" ", "")
        text = text.lstrip("¥￥").removeprefix("RMB").removeprefix("CNY")
        match = _AMOUNT.match(text)
        if not match:
            raise ValidationError(
                _("Enter an amount in yuan, such as 80000 or 8万."), code="invalid_amount"
            )
        try:
            value = Decimal(match.group(1))
        except InvalidOperation as exc:
            raise ValidationError(_("Enter an amount in yuan."), code="invalid_amount") from exc
        unit = (match.group(2) or "").lower()
        if unit:
            value *= _UNITS[unit]
    if value < 0:
        raise ValidationError(_("The amount cannot be negative."), code="negative_amount")
    if value >= Decimal("1e12"):
        raise ValidationError(_("The amount is too large."), code="amount_too_large")
    return value.quantize(Decimal("0.01"))


class ChoiceAliases(dict[str, str]):
    """An alias table (build_aliases) that keeps its choices' labels, to name them in errors."""

    labels: dict[str, Any]


def parse_choice(raw: str, aliases: dict[str, str], *, field_label: str = "") -> str:
    """One value of a value list, given as its code or any of its labels (Chinese or English).
    The error lists the labels in the request's language (each is accepted as given)."""
    text = clean_text(raw)
    key = _choice_key(text)
    if key in aliases:
        return aliases[key]
    labels = getattr(aliases, "labels", None)
    allowed = [str(label) for label in labels.values()] if labels else sorted(set(aliases.values()))
    raise ValidationError(
        _("'%(value)s' is not one of the allowed values: %(allowed)s.")
        # Translators: between the items of a list of values (Chinese: 、).
        % {"value": text, "allowed": str(_(", ")).join(allowed)},
        code="invalid_choice",
    )


def _choice_key(text: str) -> str:
    return re.sub(r"[\s()（）_\-]", "", text).lower()


def build_aliases(choices: type, extra: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Alias table for a TextChoices class: code, English label, plus extra labels per code."""
    from django.utils.translation import override

    aliases = ChoiceAliases()
    aliases.labels = dict(choices.choices)  # type: ignore[attr-defined]
    for value, label in choices.choices:  # type: ignore[attr-defined]
        aliases[_choice_key(value)] = value
        with override("en"):
            aliases[_choice_key(str(label))] = value
        with override("zh-hans"):
            aliases[_choice_key(str(label))] = value
    for value, labels in (extra or {}).items():
        for label in labels:
            aliases[_choice_key(label)] = value
    return aliases
