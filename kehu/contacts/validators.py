"""Contact field rules: value lists in the words people type, and the contact payload cleaner.

Shared by forms, API schemas, imports and the customer's inline decision maker.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.cleaning import FieldCleaner
from kehu.core.validators import (
    build_aliases,
    format_phone,
    normalize_email,
    parse_choice,
    parse_date,
    parse_phones,
)

from .models import Contact

GENDER_ALIASES = build_aliases(
    Contact.Gender, {"male": ["男", "m", "先生"], "female": ["女", "f", "女士"]}
)
CONTACT_TYPE_ALIASES = build_aliases(
    Contact.ContactType,
    {
        "customer": ["客户"],
        "prospect": ["潜在客户"],
        "partner": ["合作伙伴"],
        "supplier": ["供应商"],
        "after_sales": ["售后服务", "售后"],
    },
)
DECISION_ROLE_ALIASES = build_aliases(
    Contact.DecisionRole,
    {
        "decision_maker": ["决策者", "决策人", "关键决策人"],
        "budget_approver": ["预算审批者", "预算审批人"],
        "technical_evaluator": ["技术选型者", "技术选型人", "technical_selector"],
        "end_user": ["最终用户"],
        "influencer": ["影响者", "影响人"],
    },
)
# Fields through which a contact can be reached (a customer needs one of them, or an address).
REACH_FIELDS = ("mobile", "landline", "email", "wechat")
PHONE_FIELDS = ("mobile", "landline")


def _choice(aliases: dict[str, str]) -> Any:
    return lambda text: parse_choice(text, aliases)


def contact_clean(data: dict[str, Any], *, prefix: str = "", creating: bool) -> dict[str, Any]:
    """Validate a contact payload (any subset of the API fields); raise ValidationFailed."""
    c = FieldCleaner(data, prefix=prefix)
    c.field("name", max_length=100)
    if (creating or "name" in data) and not c.values.get("name"):
        c.values.pop("name", None)
        c.error("name", _("The contact's name is required."))
    c.field("gender", _choice(GENDER_ALIASES))
    c.field("title", max_length=100)
    c.field("department", max_length=100)
    # A number given as "mobile" or "phone" goes where it belongs: mobile or landline. A cell
    # may hold a mobile and a landline ("13912345678/0571-88886666"); a number with no slot
    # left in it is reported, not dropped.
    for key in ("mobile", "phone", "landline"):
        if key in data and c.raw(key):
            try:
                numbers = parse_phones(c.raw(key))
            except Exception as exc:  # ValidationError
                for message in getattr(exc, "messages", [str(exc)]):
                    c.error(key, message)
                continue
            filled: set[str] = set()
            extra = []
            for number, kind in numbers:
                slot = "landline" if key == "landline" or kind == "landline" else "mobile"
                if slot in filled:
                    extra.append(number)
                    continue
                filled.add(slot)
                c.values[slot] = number
            if extra:
                c.error(
                    key,
                    _("One mobile and one landline fit; give %(numbers)s to another contact.")
                    % {"numbers": ", ".join(format_phone(n) for n in extra)},
                )
        elif key in data and key != "phone":
            c.values.setdefault(key, "")
    c.field("email", normalize_email)
    c.field("wechat", max_length=64)
    c.field("qq", max_length=16)
    if c.values.get("qq") and not c.values["qq"].isdigit():
        c.error("qq", _("A QQ number has digits only."))
    c.field("address", max_length=300)
    c.field("contact_type", _choice(CONTACT_TYPE_ALIASES), empty=Contact.ContactType.CUSTOMER)
    c.field("decision_role", _choice(DECISION_ROLE_ALIASES))
    for flag in ("is_primary", "has_left"):
        if flag in data:
            c.values[flag] = data[flag] in (True, "true", "1", 1, "on", "yes", "是")
    c.field("left_on", parse_date, empty=None)
    if c.values.get("left_on") and c.values["left_on"] > timezone.localdate():
        c.error("left_on", _("The day someone left cannot be in the future."))
    c.raise_if_errors()
    return c.values
