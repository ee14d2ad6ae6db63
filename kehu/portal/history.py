"""Audit entries as people read them: what happened (the AuditAction's label), and each field's
before and after."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kehu.audit.actions import action_label
from kehu.audit.display import Change, display_value, names_for, note_label, readable_changes
from kehu.audit.models import AuditEntry
from kehu.interactions.models import Interaction
from kehu.opportunities.models import Opportunity

from .labels import feedback_label, stage_label


@dataclass
class HistoryRow:
    entry: AuditEntry
    action: Any
    changes: list[Change] = field(default_factory=list)
    actor: str = ""
    note: str = ""


def _display(model_field: Any, value: Any) -> Any:
    """The audit app's display values, with the 360 page's own stage and feedback words."""
    if value not in (None, "") and getattr(model_field, "model", None) is Interaction:
        if getattr(model_field, "name", "") == "feedback":
            return feedback_label(value)
    if value not in (None, "") and getattr(model_field, "model", None) is Opportunity:
        if getattr(model_field, "name", "") == "stage":
            return stage_label(value)
    return display_value(model_field, value)


def history_rows(entries: Iterable[AuditEntry]) -> list[HistoryRow]:
    """Each entry with its action's label, its actor's name, its changes and note as read."""
    entries = list(entries)
    names = names_for(entries)
    return [
        HistoryRow(
            entry=entry,
            action=action_label(entry.action),
            changes=readable_changes(
                entry.target_type, entry.changes, display=_display, pairs_only=True, names=names
            ),
            actor=names.actor(entry.actor_name),
            note=note_label(entry.note),
        )
        for entry in entries
    ]
