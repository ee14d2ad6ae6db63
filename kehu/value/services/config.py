"""The value settings in effect, as plain values (one read of the settings row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..octants import DEFAULT_ACTIONS, DEFAULT_GRADES, OCTANTS
from ..settings_model import ValueSettings

COUNTED_STATUSES = ("signed", "in_progress", "completed")  # an Order's status; not cancelled


def settings_row() -> ValueSettings:
    row, _created = ValueSettings.objects.get_or_create(pk=1)
    return row


@dataclass
class Config:
    frequency: float | None  # thresholds in effect (None: no customer with orders yet)
    aov: float | None
    tenure_days: float | None
    new_days: int = 90
    active_days: int = 90
    dormant_days: int = 365
    interaction_days: int = 90
    interaction_high: int = 6
    interaction_medium: int = 2
    repurchase_high: int = 3
    repurchase_medium: int = 2
    actions: dict[str, str] = field(default_factory=dict)
    grades: dict[str, str] = field(default_factory=dict)


def octant_actions(row: ValueSettings) -> dict[str, str]:
    stored = row.octant_actions or {}
    return {code: str(stored.get(code) or DEFAULT_ACTIONS[code]) for code in OCTANTS}


def grade_rules(row: ValueSettings) -> dict[str, str]:
    stored = row.grade_rules or {}
    return {code: str(stored.get(code) or DEFAULT_GRADES[code]) for code in DEFAULT_GRADES}


def config_load(row: ValueSettings | None = None, medians: dict[str, Any] | None = None) -> Config:
    """The settings in effect; a threshold left empty is the median (given, or the last one
    measured)."""
    row = row or settings_row()
    medians = medians or {
        "frequency": row.median_frequency,
        "aov": row.median_aov,
        "tenure_days": row.median_tenure_days,
    }

    def pick(value: Any, median: Any) -> float | None:
        return (
            float(value) if value is not None else (float(median) if median is not None else None)
        )

    return Config(
        frequency=pick(row.frequency_threshold, medians.get("frequency")),
        aov=pick(row.aov_threshold, medians.get("aov")),
        tenure_days=pick(row.tenure_threshold_days, medians.get("tenure_days")),
        new_days=row.new_days,
        active_days=row.active_days,
        dormant_days=row.dormant_days,
        interaction_days=row.interaction_days,
        interaction_high=row.interaction_high,
        interaction_medium=row.interaction_medium,
        repurchase_high=row.repurchase_high,
        repurchase_medium=row.repurchase_medium,
        actions=octant_actions(row),
        grades=grade_rules(row),
    )
