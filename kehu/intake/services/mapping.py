"""Mapping: presets (built-in and saved) and the mapping of one import.

A saved preset belongs to whoever saved it (kehu/intake/models.py MappingPreset): personal, or
shared with the owner's team. A name is looked up among the built-in presets, then the user's
own, then those shared in their team (the oldest first), then the system's.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.core.text import clean_text

from ..models import ImportRun, MappingPreset
from ..selectors import mapping_preset_get_for, mapping_presets_for
from ..validators import (
    PRESETS,
    custom_header_targets,
    import_targets,
    mapping_for_headers,
    preset_guess,
    validate_mapping,
)
from .common import ImportStateError, import_check_read, import_consent_apply

SOURCE_KEY = "__source__"


def mapping_preset_find(name: str, actor: User | None) -> MappingPreset | None:
    """The saved preset called `name` for this user: their own, else the oldest shared in their
    team, else the system's (see the module's docstring)."""
    user = actor
    found = [p for p in mapping_presets_for(actor).filter(name=name).order_by("id")]
    if user is not None:
        own = [p for p in found if p.owner_id == user.pk]
        if own:
            return own[0]
    teams = [p for p in found if p.owner_id is not None and p.is_shared]
    system = [p for p in found if p.owner_id is None]
    if user is None:  # the system: its own first, then anyone's
        return next(iter(system or found), None)
    return next(iter(teams or system), None)


def preset_mapping(name: str, actor: User | None = None) -> tuple[str, dict[str, str]] | None:
    """(external system, mapping) of a built-in or saved preset."""
    if name in PRESETS:
        return PRESETS[name]
    saved = mapping_preset_find(name, actor)
    if saved is None:
        return None
    return str(saved.mapping.get(SOURCE_KEY, "")), {
        k: v for k, v in saved.mapping.items() if k != SOURCE_KEY
    }


def preset_check(name: str, actor: User | None) -> None:
    """Refuse a preset name the user has no preset of (before the file is read)."""
    if name and preset_mapping(name, actor) is None:
        raise ValidationFailed(
            {"preset": [_("No mapping preset named '%(name)s'.") % {"name": name}]}
        )


def _apply_preset(run: ImportRun, preset: str, actor: User | None = None) -> None:
    name = preset or preset_guess(run.headers)
    found = preset_mapping(name, actor if actor is not None else run.created_by)
    if found is None:
        raise ValidationFailed(
            {"mapping": [_("No mapping preset named '%(name)s'.") % {"name": name}]}
        )
    run.preset = name
    run.external_source, mapping = found
    if run.kind == ImportRun.Kind.INTERACTIONS:
        targets = import_targets(run.kind)
        run.external_source = ""
        run.mapping = {
            h: t for h, t in mapping_for_headers(run.headers, mapping).items() if t in targets
        }
        return
    # Columns named like a custom field (label or key) fill it, unless the preset knows them.
    run.mapping = mapping_for_headers(run.headers, {**custom_header_targets(), **mapping})


def import_set_mapping(
    *,
    actor: User,
    run: ImportRun,
    mapping: dict[str, str] | None = None,
    preset: str = "",
    on_duplicate: str = "",
    save_as: str = "",
    share: bool = False,
    consent_lawful_basis: str = "",
    consent_purposes: Sequence[str] = (),
    consent_basis: str = "",
    consent_wording_version: str = "",
) -> ImportRun:
    """Choose a preset or an explicit mapping; optionally save the mapping as a named preset
    of the actor's (shared with their team with `share`). With `consent_lawful_basis`, the
    basis recorded for the people the file brings in changes too (import_consent_apply)."""
    import_check_read(run)
    if run.status not in (ImportRun.Status.UPLOADED,):
        raise ImportStateError(_("The mapping can change only before the import is committed."))
    if preset:
        _apply_preset(run, preset, actor)
    if mapping is not None:
        clean = {h: t for h, t in mapping.items() if t}
        errors = validate_mapping(clean, run.headers, run.kind)
        if errors:
            raise ValidationFailed(errors)
        run.mapping = clean
    if on_duplicate:
        if on_duplicate not in ImportRun.OnDuplicate.values:
            raise ValidationFailed({"on_duplicate": [_("Choose update, skip or create.")]})
        run.on_duplicate = on_duplicate
    if consent_lawful_basis:
        import_consent_apply(
            run,
            lawful_basis=consent_lawful_basis,
            purposes=consent_purposes,
            basis=consent_basis,
            wording_version=consent_wording_version,
        )
    run.preview = {}
    run.save()
    if save_as:
        mapping_preset_save(
            actor=actor,
            name=save_as,
            mapping=run.mapping,
            source=run.external_source,
            is_shared=share,
        )
    return run


def _clean_preset(name: str, mapping: dict[str, str]) -> tuple[str, dict[str, str]]:
    clean_name = clean_text(name)
    if not clean_name or clean_name in PRESETS:
        raise ValidationFailed({"name": [_("Give the preset a name that is not a built-in one.")]})
    if len(clean_name) > 80:
        raise ValidationFailed(
            {
                "name": [
                    _("At most %(limit)s characters (this has %(length)s).")
                    % {"limit": 80, "length": len(clean_name)}
                ]
            }
        )
    clean = {clean_text(h): t for h, t in mapping.items() if h != SOURCE_KEY}
    targets = {**import_targets(), **import_targets(ImportRun.Kind.INTERACTIONS)}  # any kind
    bad = sorted(t for t in clean.values() if t and t not in targets)
    if bad:
        raise ValidationFailed(
            {"mapping": [_("Unknown target fields: %(fields)s.") % {"fields": ", ".join(bad)}]}
        )
    return clean_name, clean


@transaction.atomic
def mapping_preset_save(
    *,
    actor: User | None,
    name: str,
    mapping: dict[str, str],
    source: str = "",
    is_shared: bool = False,
) -> MappingPreset:
    """Save the actor's own preset `name` (created, or replaced if they have one of that name);
    nobody else's preset is touched."""
    clean_name, clean = _clean_preset(name, mapping)
    user = actor
    preset = MappingPreset.objects.select_for_update().filter(owner=user, name=clean_name).first()
    created = preset is None
    if preset is None:
        preset = MappingPreset(owner=user, name=clean_name, created_by=user)
    before = {"mapping": preset.mapping, "is_shared": preset.is_shared}
    preset.mapping = {**clean, SOURCE_KEY: source}
    preset.is_shared = bool(is_shared) and user is not None
    preset.save()
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT_PRESET_SAVED if created else AuditAction.IMPORT_PRESET_CHANGED,
        target=preset,
        changes=None
        if created
        else {k: [v, getattr(preset, k)] for k, v in before.items() if v != getattr(preset, k)},
    )
    return preset


@transaction.atomic
def mapping_preset_update(
    *,
    actor: User,
    preset: MappingPreset,
    name: str | None = None,
    mapping: dict[str, str] | None = None,
    is_shared: bool | None = None,
) -> MappingPreset:
    """Rename, remap or (un)share a preset; only its owner or an administrator (see
    mapping_preset_get_for)."""
    preset = mapping_preset_get_for(actor, preset.pk, for_change=True)
    clean_name, clean = _clean_preset(
        preset.name if name is None else name,
        mapping if mapping is not None else preset.mapping,
    )
    clash = MappingPreset.objects.filter(owner_id=preset.owner_id, name=clean_name).exclude(
        pk=preset.pk
    )
    if clash.exists():
        raise ValidationFailed({"name": [_("You have a preset of that name already.")]})
    before = {"name": preset.name, "mapping": preset.mapping, "is_shared": preset.is_shared}
    preset.name = clean_name
    if mapping is not None:
        preset.mapping = {**clean, SOURCE_KEY: preset.mapping.get(SOURCE_KEY, "")}
    if is_shared is not None:
        preset.is_shared = bool(is_shared) and preset.owner_id is not None
    preset.save()
    changes = {k: [v, getattr(preset, k)] for k, v in before.items() if v != getattr(preset, k)}
    audit_record(
        actor=actor, action=AuditAction.IMPORT_PRESET_CHANGED, target=preset, changes=changes
    )
    return preset


@transaction.atomic
def mapping_preset_delete(*, actor: User, preset: MappingPreset) -> None:
    """Delete a preset; only its owner or an administrator."""
    preset = mapping_preset_get_for(actor, preset.pk, for_change=True)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT_PRESET_DELETED,
        target=preset,
        changes={"name": [preset.name, None], "mapping": [preset.mapping, None]},
    )
    preset.delete()
