"""customer_clean: a customer payload (any subset of the API fields) to validated values.

The same rules serve forms, the API, imports and the CLI; rules that need the database
(dictionaries, users) are here too, so every edge gets them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.contacts.validators import contact_clean
from kehu.core.cleaning import FieldCleaner
from kehu.core.errors import ValidationFailed
from kehu.core.regions import region_get, region_names, region_resolve, region_split
from kehu.core.validators import (
    format_phone,
    normalize_credit_code,
    normalize_email,
    normalize_phone,
    parse_amount,
    parse_choice,
    parse_date,
)

from ..custom_fields import custom_fields_clean
from ..models import Customer, CustomField
from ..selectors import industry_lookup, source_lookup
from ..validators import (
    BUDGET_BAND_ALIASES,
    KIND_ALIASES,
    OWNERSHIP_ALIASES,
    STATUS_ALIASES,
    budget_band_for,
    parse_size,
)

NOTES_MAX = 10_000


def _choice(aliases: dict[str, str]) -> Any:
    return lambda text: parse_choice(text, aliases)


def _clean_user(cleaner: FieldCleaner, actor: User | None) -> None:
    if not cleaner.has("owner"):
        return
    role = actor.role if actor is not None else None
    raw = cleaner.raw("owner")
    if not raw:
        if role == Role.REP:
            cleaner.error("owner", _("A sales rep cannot leave a customer without an owner."))
            return
        cleaner.values["owner"] = None
        return
    users = User.objects.filter(is_active=True)
    owner = (
        users.filter(pk=int(raw)).first()
        if raw.isdecimal() and raw.isascii() and len(raw) < 19
        else users.filter(Q(username=raw) | Q(display_name=raw)).order_by("id").first()
    )
    if owner is None:
        cleaner.error("owner", _("No active user '%(name)s'.") % {"name": raw})
        return
    if actor is not None and role == Role.REP and owner.pk != actor.pk:
        cleaner.error("owner", _("A sales rep may only own customers themself; ask a manager."))
        return
    if (
        actor is not None
        and role == Role.MANAGER
        and actor.team_id
        and owner.team_id != actor.team_id
    ):
        cleaner.error("owner", _("A manager may assign customers within their own team only."))
        return
    cleaner.values["owner"] = owner


def _clean_phone(cleaner: FieldCleaner) -> None:
    """phone, or mobile (its other name): the customer's one number. Both given: one number
    (as either is written), else the mobile is refused, never dropped: a second number belongs
    to a contact. A blank one beside a number leaves that number."""
    found: dict[str, str] = {}
    for key in ("mobile", "phone"):
        cleaner.field(key, normalize_phone, target="phone")
        if "phone" in cleaner.values:
            found[key] = cleaner.values.pop("phone")
    if not found:
        return
    phone, mobile = found.get("phone", ""), found.get("mobile", "")
    if phone and mobile and phone != mobile:
        cleaner.error(
            "mobile",
            _(
                "A customer has one phone number, and %(phone)s is given as phone: give "
                "%(mobile)s to the decision maker (decision_maker.mobile), or send one of the two."
            )
            % {"phone": format_phone(phone), "mobile": format_phone(mobile)},
        )
        return
    cleaner.values["phone"] = phone or mobile


REGION_KEYS = ("province", "city", "district")


def _clean_region(cleaner: FieldCleaner) -> None:
    """province/city/district (or region: an object, or text such as '广东省 深圳市 南山区') and
    region_code. A code fills the names; names resolve to the code where they name a division
    without doubt, else their text is kept without a code. Only a bad code is an error."""
    if cleaner.has("region_code") and cleaner.raw("region_code"):
        raw = cleaner.raw("region_code")
        region = region_get(raw)
        if region is None:
            cleaner.error(
                "region_code",
                _("'%(value)s' is not an administrative division code (GB/T 2260, e.g. 440305).")
                % {"value": raw},
            )
            return
        cleaner.values.update(region_names(region.code), region_code=region.code)
        return
    region = cleaner.data.get("region")
    parts: dict[str, Any] = {}
    if isinstance(region, dict):
        parts = {k: region.get(k) for k in REGION_KEYS if k in region}
    elif isinstance(region, str) and region.strip():
        parts = dict(zip(REGION_KEYS, region_split(region), strict=False))
    elif "region" in cleaner.data or cleaner.has("region_code"):
        parts = dict.fromkeys(REGION_KEYS, "")
    for key in REGION_KEYS:
        if key in cleaner.data:
            parts[key] = cleaner.data[key]
    if not parts:
        return
    sub = FieldCleaner(parts)
    for key in REGION_KEYS:
        sub.field(key, max_length=50)
    for key, messages in sub.errors.items():
        for message in messages:
            cleaner.error(key, message)
    if sub.errors:
        return
    resolved = region_resolve(*(sub.values.get(key, "") for key in REGION_KEYS))
    if resolved.code:  # the whole region, canonical
        cleaner.values.update(resolved.as_values())
    else:  # text as given, for the levels given; no code
        cleaner.values.update(sub.values, region_code="")


def _clean_custom(
    cleaner: FieldCleaner, *, creating: bool, require: bool, fields: list[CustomField] | None
) -> None:
    """custom_fields: {key: value} checked against the active definitions (custom_fields.py)."""
    if "custom_fields" not in cleaner.data and not (creating and require):
        return
    values, errors = custom_fields_clean(
        CustomField.Entity.CUSTOMER,
        cleaner.data.get("custom_fields"),
        creating=creating,
        require=require,
        fields=fields,
    )
    if "custom_fields" in cleaner.data:
        cleaner.values["custom_fields"] = values
    for key, messages in errors.items():
        for message in messages:
            cleaner.error(key, message)


def customer_clean(
    data: dict[str, Any],
    *,
    actor: User | None,
    creating: bool = False,
    require_custom: bool = True,
    custom_fields: list[CustomField] | None = None,
) -> dict[str, Any]:
    """Validate a customer payload (any subset of the API fields); raise ValidationFailed.

    With `creating`, a missing name is reported together with every other bad field, and so is
    a required custom field left out (unless not `require_custom`: a web-form lead has nothing
    to fill it with). `custom_fields` are the active definitions when the caller has them
    loaded (an import: no query per row).
    """
    c = FieldCleaner(data)
    c.field("kind", _choice(KIND_ALIASES), empty=Customer.Kind.COMPANY)
    c.field("name", max_length=200)
    if (creating or "name" in data) and not c.values.get("name") and "name" not in c.errors:
        c.error("name", _("The customer's name is required."))
    c.field("credit_code", normalize_credit_code)
    c.field("size", parse_size)
    c.field("ownership", _choice(OWNERSHIP_ALIASES))
    c.field("address", max_length=300)
    _clean_phone(c)
    c.field("email", normalize_email)
    c.field("first_contact_date", parse_date, empty=None)
    c.field("status", _choice(STATUS_ALIASES), empty=Customer.Status.LEAD)
    c.field("status_reason", max_length=500)
    c.field("budget_band", _choice(BUDGET_BAND_ALIASES))
    c.field("budget_amount", parse_amount, empty=None)
    c.field("external_source", max_length=50)
    c.field("external_id", max_length=64)
    c.multiline("notes", max_length=NOTES_MAX)
    _clean_region(c)
    _clean_user(c, actor)
    # Dictionaries: industry (two levels) and source.
    if c.has("industry") or c.has("sub_industry"):
        top = sub = None
        if c.raw("industry"):
            top, sub = industry_lookup(c.raw("industry"))
            if top is None:
                c.error(
                    "industry",
                    _("'%(value)s' is not in the industry dictionary.")
                    % {"value": c.raw("industry")},
                )
        if c.raw("sub_industry"):
            sub_top, sub = industry_lookup(c.raw("sub_industry"))
            if sub is None or (top is not None and sub_top != top):
                c.error(
                    "sub_industry",
                    (
                        _("'%(value)s' is not a sub-industry of %(top)s.")
                        % {"value": c.raw("sub_industry"), "top": top.name}
                        if top
                        else _("'%(value)s' is not a sub-industry.")
                        % {"value": c.raw("sub_industry")}
                    ),
                )
            elif top is None and "industry" not in c.errors:
                top = sub_top
        if c.has("industry"):
            c.values["industry"] = top
        if c.has("industry") or c.has("sub_industry"):
            c.values["sub_industry"] = sub
    if c.has("source"):
        if c.raw("source"):
            source = source_lookup(c.raw("source"))
            if source is None or not source.is_active:
                c.error(
                    "source",
                    _("'%(value)s' is not a known customer source.") % {"value": c.raw("source")},
                )
            else:
                c.values["source"] = source
        else:
            c.values["source"] = None
    # A band given with an amount must agree with it; an amount alone implies its band.
    amount = c.values.get("budget_amount")
    if isinstance(amount, Decimal):
        band = budget_band_for(amount)
        if c.values.get("budget_band") and c.values["budget_band"] != band:
            c.error("budget_band", _("The budget band does not match the budget amount."))
        else:
            c.values["budget_band"] = band
    _clean_custom(c, creating=creating, require=require_custom, fields=custom_fields)
    # Inline decision maker.
    dm_errors: dict[str, list[str]] = {}
    if data.get("decision_maker") is not None:
        dm = data["decision_maker"]
        if not isinstance(dm, dict):
            dm_errors["decision_maker"] = [_("Expected an object with name, title, mobile, …")]
        else:
            try:
                c.values["decision_maker"] = contact_clean(
                    {"decision_role": "decision_maker", "is_primary": True, **dm},
                    prefix="decision_maker.",
                    creating=creating,
                )
            except ValidationFailed as exc:
                dm_errors = exc.errors
    c.raise_if_errors(dm_errors)
    return c.values
