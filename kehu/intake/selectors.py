"""Scoped reads of imports and the rows of their reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kehu.accounts.models import Role

from .models import ImportRow, ImportRun, MappingPreset

SEE_ALL = (Role.ADMIN, Role.STEWARD)


def import_runs_for(user: Any) -> QuerySet[ImportRun]:
    """Imports a user may see: their own; administrators and data stewards see every import."""
    runs = ImportRun.objects.select_related("created_by", "job")
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


def mapping_presets() -> QuerySet[MappingPreset]:
    return MappingPreset.objects.all()
