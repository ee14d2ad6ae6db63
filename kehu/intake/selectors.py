"""Scoped reads of imports and the rows of their reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.policy import steward_unit_id
from kehu.customers.services import PermissionDenied

from .models import ImportRow, ImportRun, MappingPreset

SEE_ALL = (Role.ADMIN, Role.STEWARD)


def import_runs_for(user: Any) -> QuerySet[ImportRun]:
    """Imports a user may see: their own; administrators and data stewards see every import (a
    unit's steward: those of the unit's members)."""
    runs = ImportRun.objects.select_related("created_by", "job")
    unit = steward_unit_id(user)
    if unit is not None:
        return runs.filter(Q(created_by=user) | Q(created_by__team_id=unit))
    if getattr(user, "role", None) in SEE_ALL:
        return runs
    return runs.filter(created_by=user)


def import_get_for(user: Any, run_id: int) -> ImportRun:
    run = import_runs_for(user).filter(pk=run_id).first()
    if run is None:
        raise Http404("No such import.")
    return run


def import_rows(run: ImportRun, *, outcome: str = "") -> Iterator[ImportRow]:
    rows = ImportRow.objects.filter(run=run).order_by("row_number")
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows.iterator(chunk_size=2000)


def mapping_presets_for(actor: User | None) -> QuerySet[MappingPreset]:
    """Saved presets a user may use: their own, those shared in their team and the system's;
    an administrator (and the system itself) sees every one."""
    presets = MappingPreset.objects.select_related("owner")
    if actor is None or actor.role == Role.ADMIN:
        return presets
    visible = Q(owner=actor) | Q(owner=None)
    if actor.team_id:
        visible |= Q(is_shared=True, owner__team_id=actor.team_id)
    return presets.filter(visible)


def mapping_preset_get_for(
    actor: User | None, preset_id: int, *, for_change: bool = False
) -> MappingPreset:
    """A saved preset the user may use (404 otherwise); with for_change, one they may also
    change: their own, or any for an administrator (403 for a visible one of someone else's)."""
    preset = mapping_presets_for(actor).filter(pk=preset_id).first()
    if preset is None:
        raise Http404("No such preset.")
    if (
        for_change
        and actor is not None
        and actor.role != Role.ADMIN
        and preset.owner_id != actor.pk
    ):
        raise PermissionDenied(
            _("Only whoever saved this preset, or an administrator, may change it.")
        )
    return preset
