"""The customers' dictionaries that an administrator extends: sources (industries are data)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text

from ..models import Source


@transaction.atomic
def source_create(*, actor: User, name: str, code: str) -> Source:
    clean_name, clean_code = clean_text(name), slugify(clean_text(code))
    errors: dict[str, list[str]] = {}
    if not clean_name:
        errors["name"] = [_("Give the source a name.")]
    elif Source.objects.filter(name=clean_name).exists():
        errors["name"] = [_("Source '%(name)s' exists already.") % {"name": clean_name}]
    if not clean_code:
        errors["code"] = [_("Give the source a code (letters, digits, -).")]
    elif Source.objects.filter(code=clean_code).exists():
        errors["code"] = [_("Code '%(code)s' is used already.") % {"code": clean_code}]
    if errors:
        raise ValidationFailed(errors)
    source = Source.objects.create(
        name=clean_name, code=clean_code, sort=Source.objects.count() + 1
    )
    audit_record(actor=actor, action=AuditAction.SOURCE_CREATED, target=source)
    return source
