"""Changing the company's settings (kehu.core.company keeps and caches them): administrators
only, every given field checked at once, audited as "company_settings.updated" with the fields
that changed. One path for the page (/settings/company/), the API (/api/v1/settings/company) and
`kehu company_settings set`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.company import (
    ALL_ROLES,
    CompanyValues,
    company_settings,
    company_settings_clean,
    company_settings_write,
)
from kehu.core.errors import PermissionDenied, ValidationFailed, one_of
from kehu.core.models import CompanySettings

from .models import Role, User
from .policy import can_change_company_settings


def parse_two_factor_roles(raw: Any) -> list[str]:
    """Role codes (a list, or one comma-separated text), or "all" for every role; [] for none
    (users an administrator asked it of still use a second factor)."""
    items = raw if isinstance(raw, list | tuple) else str(raw or "").split(",")
    codes = [str(item).strip() for item in items if str(item).strip()]
    if ALL_ROLES in codes:
        return [ALL_ROLES]
    known = [str(value) for value in Role.values]
    bad = [code for code in codes if code not in known]
    if bad:
        unknown = _("Unknown role %(values)s.") % {"values": "、".join(f"'{c}'" for c in bad)}
        raise ValidationError(f"{unknown} {one_of([ALL_ROLES, *known])}", code="invalid_choice")
    return [code for code in known if code in codes]


@transaction.atomic
def company_settings_update(*, actor: User | None, data: dict[str, Any]) -> CompanyValues:
    """Change the given fields (actor None: the system, e.g. the CLI). Bad values raise
    ValidationFailed naming each field, and nothing is written."""
    if actor is not None and not can_change_company_settings(actor):
        raise PermissionDenied(_("Only an administrator may change the company settings."))
    try:
        values = company_settings_clean(data, parsers={"two_factor_roles": parse_two_factor_roles})
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    changes = company_settings_write(values=values, user_id=actor.pk if actor else None)
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.COMPANY_SETTINGS_UPDATED,
            target=CompanySettings.objects.get(pk=CompanySettings.SINGLETON_ID),
            changes=changes,
        )
    return company_settings()
