"""The governed library: who may maintain it, looking a tag up, creating, changing and retiring
tags and types. Every write is atomic and audited.

Administrators and data stewards maintain tags; only administrators add or change types; the
standard's five (is_builtin) types can never be deleted. Everyone else applies tags from the
library and requests new ones (kehu.tags.requests)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kehu.core.text import clean_text

from ..models import Tag, TagType

LIBRARY_ROLES = frozenset({Role.ADMIN, Role.STEWARD})
TYPE_ROLES = frozenset({Role.ADMIN})


def can_maintain_library(user: User | Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in LIBRARY_ROLES)


def can_manage_types(user: User | Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in TYPE_ROLES)


def not_in_library(name: str) -> str:
    return _("“%(name)s” is not in the tag library; you can request a new tag.") % {"name": name}


def tag_name_clean(raw: Any, field: str = "tag") -> str:
    name = clean_text(raw)
    if not name:
        raise ValidationFailed({field: [_("Name the tag.")]})
    if len(name) > 50:
        raise ValidationFailed({field: [_("A tag has at most 50 characters.")]})
    return name


def tag_from_library(raw: Any, *, field: str = "tag") -> Tag:
    """The active library tag of this name, else a ValidationFailed naming `field`."""
    name = tag_name_clean(raw, field)
    tag = Tag.objects.filter(name=name).select_related("type").first()
    if tag is None or not tag.is_active:
        raise ValidationFailed({field: [not_in_library(name)]})
    return tag


def tag_library_check(names: list[str], *, field: str = "tag") -> None:
    """Raise one ValidationFailed naming every name not in the library (bulk edit, rules)."""
    clean = [tag_name_clean(n, field) for n in names]
    known = set(Tag.objects.filter(name__in=clean, is_active=True).values_list("name", flat=True))
    missing = [n for n in clean if n not in known]
    if missing:
        raise ValidationFailed({field: [not_in_library(n) for n in missing]})


def tags_with_usage(
    *, type_code: str = "", q: str = "", include_retired: bool = False
) -> QuerySet[Tag]:
    rows = Tag.objects.select_related("type").annotate(usage=Count("customer_tags"))
    if not include_retired:
        rows = rows.filter(is_active=True)
    if type_code == "none":
        rows = rows.filter(type__isnull=True)
    elif type_code:
        rows = rows.filter(type__code=type_code)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return rows.order_by("type__position", "type_id", "name")


def _require(user: User, allowed: frozenset[str], message: str) -> None:
    if user.role not in allowed:
        raise PermissionDenied(message)


def tag_type_find(raw: Any) -> TagType | None:
    if raw in (None, ""):
        return None
    value = str(raw).strip()
    query = Q(code=value) | Q(name=value)
    if value.isdecimal():
        query |= Q(pk=int(value))
    found = TagType.objects.filter(query).first()
    if found is None:
        raise ValidationFailed({"type": [_("Choose one of the listed values.")]})
    return found


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = clean_text(data.get(key) or "")
    if len(value) > limit:
        raise ValidationFailed({key: [_("At most %(n)s characters.") % {"n": limit}]})
    return value


@transaction.atomic
def tag_create(*, actor: User, data: dict[str, Any]) -> Tag:
    _require(actor, LIBRARY_ROLES, _("Only administrators and data stewards maintain the tags."))
    name = tag_name_clean(data.get("name"), "name")
    if Tag.objects.filter(name=name).exists():
        raise ValidationFailed({"name": [_("The library has this tag already.")]})
    tag = Tag.objects.create(
        name=name,
        type=tag_type_find(data.get("type")),
        description=_text(data, "description", 2000),
        exclusive_group=_text(data, "exclusive_group", 30),
        created_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.TAG_CREATED, target=tag, changes={"name": name})
    return tag


@transaction.atomic
def tag_update(*, actor: User, tag: Tag, data: dict[str, Any]) -> Tag:
    """Change the given fields (name, type, description, exclusive_group, is_active)."""
    _require(actor, LIBRARY_ROLES, _("Only administrators and data stewards maintain the tags."))
    changes: dict[str, list[Any]] = {}
    if "name" in data:
        name = tag_name_clean(data["name"], "name")
        if name != tag.name and Tag.objects.filter(name=name).exists():
            raise ValidationFailed({"name": [_("The library has this tag already.")]})
        changes["name"] = [tag.name, name]
        tag.name = name
    if "type" in data:
        new_type = tag_type_find(data["type"])
        changes["type"] = [str(tag.type or ""), str(new_type or "")]
        tag.type = new_type
    for key, limit in (("description", 2000), ("exclusive_group", 30)):
        if key in data:
            value = _text(data, key, limit)
            changes[key] = [getattr(tag, key), value]
            setattr(tag, key, value)
    if "is_active" in data and data["is_active"] is not None:
        changes["is_active"] = [tag.is_active, bool(data["is_active"])]
        tag.is_active = bool(data["is_active"])
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    if changes:
        tag.save()
        retired = changes.get("is_active") == [True, False]
        audit_record(
            actor=actor,
            action=AuditAction.TAG_RETIRED if retired else AuditAction.TAG_UPDATED,
            target=tag,
            changes=changes,
        )
    return tag


def tag_retire(*, actor: User, tag: Tag) -> Tag:
    """Take the tag out of the library: no one applies it any more; customers keep it."""
    return tag_update(actor=actor, tag=tag, data={"is_active": False})


@transaction.atomic
def tag_type_save(*, actor: User, data: dict[str, Any], tag_type: TagType | None = None) -> TagType:
    _require(actor, TYPE_ROLES, _("Only administrators add or change tag types."))
    row = tag_type or TagType()
    if tag_type is None or "name" in data:
        name = _text(data, "name", 30)
        if not name:
            raise ValidationFailed({"name": [_("This field is required.")]})
        if TagType.objects.filter(name=name).exclude(pk=row.pk).exists():
            raise ValidationFailed({"name": [_("A tag type of this name exists already.")]})
        row.name = name
    if "description" in data:
        row.description = _text(data, "description", 2000)
    if data.get("position") not in (None, ""):
        position = str(data["position"]).strip()
        if not position.isdecimal() or int(position) > 10000:
            raise ValidationFailed({"position": [_("Enter a whole number from 0 to 10000.")]})
        row.position = int(position)
    if not row.code:
        base = slugify(data.get("code") or "")[:24] or "type"
        code, n = base, 1
        while TagType.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        row.code = code
        if data.get("position") in (None, ""):
            row.position = TagType.objects.count()
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.TAG_TYPE_SAVED,
        target=row,
        changes={"name": [None, row.name]},
    )
    return row


@transaction.atomic
def tag_type_delete(*, actor: User, tag_type: TagType) -> None:
    _require(actor, TYPE_ROLES, _("Only administrators add or change tag types."))
    if tag_type.is_builtin:
        raise Conflict(_("The standard's tag types cannot be deleted."))
    if tag_type.tags.exists():
        raise Conflict(_("Move or retire this type's tags first."))
    audit_record(
        actor=actor,
        action=AuditAction.TAG_TYPE_DELETED,
        target=None,
        changes={"name": [tag_type.name, None]},
    )
    tag_type.delete()
