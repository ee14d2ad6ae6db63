"""Mapping: presets (built-in and saved) and the mapping of one import."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed

from ..models import ImportRun, MappingPreset
from ..validators import PRESETS, TARGETS, mapping_for_headers, preset_guess, validate_mapping
from .common import ImportStateError


def preset_mapping(name: str) -> tuple[str, dict[str, str]] | None:
    """(external system, mapping) of a built-in or saved preset."""
    if name in PRESETS:
        return PRESETS[name]
    saved = MappingPreset.objects.filter(name=name).first()
    if saved is None:
        return None
    return str(saved.mapping.get("__source__", "")), {
        k: v for k, v in saved.mapping.items() if k != "__source__"
    }


def _apply_preset(run: ImportRun, preset: str) -> None:
    name = preset or preset_guess(run.headers)
    found = preset_mapping(name)
    if found is None:
        raise ValidationFailed({"mapping": [f"No mapping preset named '{name}'."]})
    run.preset = name
    run.external_source, mapping = found
    run.mapping = mapping_for_headers(run.headers, mapping)


def import_set_mapping(
    *,
    actor: Any,
    run: ImportRun,
    mapping: dict[str, str] | None = None,
    preset: str = "",
    on_duplicate: str = "",
    save_as: str = "",
) -> ImportRun:
    """Choose a preset or an explicit mapping; optionally save the mapping as a named preset."""
    if run.status not in (ImportRun.Status.UPLOADED,):
        raise ImportStateError("The mapping can change only before the import is committed.")
    if preset:
        _apply_preset(run, preset)
    if mapping is not None:
        clean = {h: t for h, t in mapping.items() if t}
        errors = validate_mapping(clean, run.headers)
        if errors:
            raise ValidationFailed(errors)
        run.mapping = clean
    if on_duplicate:
        if on_duplicate not in ImportRun.OnDuplicate.values:
            raise ValidationFailed({"on_duplicate": ["Choose update, skip or create."]})
        run.on_duplicate = on_duplicate
    run.preview = {}
    run.save()
    if save_as:
        mapping_preset_save(
            actor=actor, name=save_as, mapping=run.mapping, source=run.external_source
        )
    return run


@transaction.atomic
def mapping_preset_save(
    *, actor: Any, name: str, mapping: dict[str, str], source: str = ""
) -> MappingPreset:
    clean_name = name.strip()[:80]
    if not clean_name or clean_name in PRESETS:
        raise ValidationFailed({"name": ["Give the preset a name that is not a built-in one."]})
    bad = sorted(t for t in mapping.values() if t and t not in TARGETS)
    if bad:
        raise ValidationFailed({"mapping": [f"Unknown target fields: {', '.join(bad)}."]})
    preset, _created = MappingPreset.objects.update_or_create(
        name=clean_name,
        defaults={
            "mapping": {**mapping, "__source__": source},
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_record(actor=actor, action="import.preset_saved", target=preset)
    return preset
