"""Schema errors (pydantic, through django-ninja) in the request's language.

Pydantic explains in English ("Field required", "Input should be a valid integer"); the API
answers with these messages instead, chosen by the error's `type` and filled from its `ctx`.
A type not listed here says "Invalid value." (translated), never pydantic's English.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import quoted

MESSAGES: dict[str, Promise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("Unknown field."),
    "string_type": _("Give a text."),
    "string_too_short": _("At least %(min_length)s characters."),
    "string_too_long": _("At most %(max_length)s characters."),
    "string_pattern_mismatch": _("The text does not have the expected form."),
    "int_type": _("Give a whole number."),
    "int_parsing": _("Give a whole number."),
    "int_from_float": _("Give a whole number."),
    "float_type": _("Give a number."),
    "float_parsing": _("Give a number."),
    "decimal_type": _("Give a number."),
    "decimal_parsing": _("Give a number."),
    "decimal_max_digits": _("At most %(max_digits)s digits."),
    "decimal_max_places": _("At most %(decimal_places)s decimal places."),
    "bool_type": _("Give true or false."),
    "bool_parsing": _("Give true or false."),
    "greater_than": _("Give a number greater than %(gt)s."),
    "greater_than_equal": _("Give a number of at least %(ge)s."),
    "less_than": _("Give a number less than %(lt)s."),
    "less_than_equal": _("Give a number of at most %(le)s."),
    "enum": _("Give one of: %(expected)s."),
    "literal_error": _("Give one of: %(expected)s."),
    "date_type": _("Give a date such as 2026-03-05."),
    "date_parsing": _("Give a date such as 2026-03-05."),
    "date_from_datetime_parsing": _("Give a date such as 2026-03-05."),
    "date_from_datetime_inexact": _("Give a date such as 2026-03-05."),
    "datetime_type": _("Give a time such as 2026-03-05T14:30:00+08:00."),
    "datetime_parsing": _("Give a time such as 2026-03-05T14:30:00+08:00."),
    "datetime_from_date_parsing": _("Give a time such as 2026-03-05T14:30:00+08:00."),
    "list_type": _("Give a list."),
    "dict_type": _("Give an object."),
    "model_type": _("Give an object."),
    "model_attributes_type": _("Give an object."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "json_invalid": _("Send the body as JSON."),
    "json_type": _("Send the body as JSON."),
    "uuid_parsing": _("Give a UUID."),
    "url_parsing": _("Give a web address."),
    "union_tag_invalid": _("Invalid value."),
}


def schema_error_message(error: dict[str, Any]) -> str:
    """One pydantic error as the message people read."""
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and context.get("error"):
        return str(context["error"])  # our own validator's message, already translated
    message = MESSAGES.get(kind)
    if message is None:
        return str(_("Invalid value."))
    try:
        return str(message) % {key: _plain(value) for key, value in context.items()}
    except (KeyError, TypeError, ValueError):
        return str(_("Invalid value."))


def _plain(value: Any) -> str:
    """A context value as shown; pydantic's list of choices ("'a', 'b' or 'c'") as codes."""
    choices = re.findall(r"'([^']*)'", str(value))
    return quoted(choices) if choices else str(value)
