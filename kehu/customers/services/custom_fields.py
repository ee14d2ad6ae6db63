"""Custom field definitions (issue 15): an administrator adds, changes and archives them.

The key and the type are fixed once a field exists (stored values are read by them); the label,
choices, required flag, help text, position and list column may change. Archiving hides the
field everywhere and refuses new values; the values stay on the records (history names them).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, diff_fields
from kehu.core.errors import PermissionDenied, ValidationFailed, one_of
from kehu.core.personal import PersonalClass
from kehu.core.text import clean_text

from ..custom_field_index import custom_field_index_sync
from ..models import CustomField

# No "__": the cf_ filters read the key through Django's JSON key lookups.
KEY_RULE = re.compile(r"^(?!.*__)[a-z][a-z0-9_]{0,49}$")
# Names Django reads as lookups after a JSON field: a key cannot be one of them.
LOOKUP_NAMES = frozenset(
    (
        "contains contained_by has_key has_keys has_any_keys exact iexact in isnull range gt gte "
        "lt lte startswith istartswith endswith iendswith icontains regex iregex"
    ).split()
)
CHOICES_MAX = 200
CHOICE_KINDS = (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE)
AUDITED = (
    "entity", "key", "label", "kind", "choices", "required", "help_text", "position",
    "show_in_list", "is_active", "personal_class",
)  # fmt: skip


def _admin_only(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change custom fields."))


def _snapshot(field: CustomField) -> dict[str, Any]:
    return {name: getattr(field, name) for name in AUDITED}


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True", "on", "yes")


def _choices(raw: Any) -> list[str] | None:
    """A list, or text with one choice per line (the admin page); None when not a list."""
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list | tuple):
        return None
    return list(dict.fromkeys(clean_text(str(c)) for c in raw if clean_text(str(c))))


def _clean(
    data: dict[str, Any], field: CustomField | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The definition's new values and the errors by field name."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    creating = field is None
    if creating:
        entity = clean_text(data.get("entity"))
        if entity not in CustomField.Entity.values:
            errors["entity"] = [_("Choose customer or contact.")]
        values["entity"] = entity
        key = clean_text(data.get("key")).lower()
        if not KEY_RULE.match(key) or key in LOOKUP_NAMES:
            errors["key"] = [
                _("A key has lower-case letters, digits and _, starts with a letter, at most 50.")
            ]
        elif CustomField.objects.filter(entity=entity, key=key).exists():
            errors["key"] = [_("Key '%(key)s' is used already.") % {"key": key}]
        values["key"] = key
        kind = clean_text(data.get("kind")) or CustomField.Kind.TEXT
        if kind not in CustomField.Kind.values:
            errors["kind"] = [
                _("One of %(values)s.") % {"values": ", ".join(CustomField.Kind.values)}
            ]
        values["kind"] = kind
    else:
        assert field is not None
        if "key" in data and clean_text(data.get("key")).lower() != field.key:
            errors["key"] = [_("The key cannot be changed.")]
        if "entity" in data and clean_text(data.get("entity")) != field.entity:
            errors["entity"] = [_("A field cannot move to another record type.")]
        if "kind" in data and clean_text(data.get("kind")) != field.kind:
            errors["kind"] = [_("The type cannot be changed; archive the field and add another.")]
        entity, kind = field.entity, field.kind
    if creating or "label" in data:
        label = clean_text(data.get("label"))
        if not label:
            errors["label"] = [_("Give the field a label.")]
        elif len(label) > 100:
            errors["label"] = [_("At most 100 characters.")]
        else:
            clash = CustomField.objects.filter(entity=entity, label=label, is_active=True)
            if field is not None:
                clash = clash.exclude(pk=field.pk)
            if clash.exists():
                errors["label"] = [_("Another field is labelled '%(label)s'.") % {"label": label}]
        values["label"] = label
    if creating or "choices" in data:
        choices = _choices(data.get("choices") or [])
        if choices is None:
            errors["choices"] = [_("Give the choices as a list.")]
        elif kind in CHOICE_KINDS and not choices:
            errors["choices"] = [_("A choice field needs at least one choice.")]
        elif len(choices or []) > CHOICES_MAX or any(len(c) > 100 for c in choices or []):
            errors["choices"] = [_("At most 200 choices of at most 100 characters each.")]
        values["choices"] = choices if kind in CHOICE_KINDS else []
    if "help_text" in data:
        help_text = clean_text(data.get("help_text"))
        if len(help_text) > 300:
            errors["help_text"] = [_("At most 300 characters.")]
        values["help_text"] = help_text
    if "position" in data and data.get("position") not in (None, ""):
        text = clean_text(str(data.get("position")))
        if not text.isdigit() or int(text) > 1_000_000:
            errors["position"] = [_("A whole number from 0 to 1,000,000.")]
        else:
            values["position"] = int(text)
    if "personal_class" in data and data.get("personal_class") is not None:
        # The page asks for it; an API client that leaves it out gets "ordinary".
        level = clean_text(data.get("personal_class"))
        if level not in PersonalClass.values:
            errors["personal_class"] = [one_of(PersonalClass.values)]
        else:
            values["personal_class"] = level
    for flag in ("required", "show_in_list", "is_active"):
        if flag in data and data.get(flag) is not None:
            values[flag] = _flag(data.get(flag))
    if values.get("show_in_list") and entity == CustomField.Entity.CONTACT:
        values["show_in_list"] = False  # the list shows customers
    return values, errors


@transaction.atomic
def custom_field_create(*, actor: User, data: dict[str, Any]) -> CustomField:
    """Add a field to customers or contacts; audited "custom_field.created"."""
    _admin_only(actor)
    values, errors = _clean(data, None)
    if errors:
        raise ValidationFailed(errors)
    if "position" not in values:
        last = CustomField.objects.filter(entity=values["entity"]).order_by("-position").first()
        values["position"] = (last.position + 1) if last else 1
    field = CustomField.objects.create(**values)
    custom_field_index_sync(field)  # the cf_<key> filter's index (custom_field_index)
    audit_record(
        actor=actor,
        action=AuditAction.CUSTOM_FIELD_CREATED,
        target=field,
        changes=diff_fields({}, _snapshot(field)),
    )
    return field


@transaction.atomic
def custom_field_update(*, actor: User, field: CustomField, data: dict[str, Any]) -> CustomField:
    """Change a field's label, choices, flags, help text or position (not its key or type)."""
    _admin_only(actor)
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    values, errors = _clean(data, field)
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(field)
    for name, value in values.items():
        setattr(field, name, value)
    field.save()
    if field.is_active != before.get("is_active"):  # archived or brought back
        custom_field_index_sync(field)
    changes = diff_fields(before, _snapshot(field))
    if changes:
        action = (
            AuditAction.CUSTOM_FIELD_ARCHIVED
            if changes.get("is_active") == [True, False]
            else AuditAction.CUSTOM_FIELD_UPDATED
        )
        audit_record(actor=actor, action=action, target=field, changes=changes)
    return field


def custom_field_archive(*, actor: User, field: CustomField) -> CustomField:
    """Hide the field and refuse new values; the records keep theirs."""
    return custom_field_update(actor=actor, field=field, data={"is_active": False})
