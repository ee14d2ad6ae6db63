"""Changing the value settings (administrators): thresholds, windows, levels, octant actions and
grade rules; audited, and the nightly recomputation picks them up (or `kehu value_recompute`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record, diff_fields
from kehu.core.errors import PermissionDenied, ValidationFailed

from ..octants import DEFAULT_GRADES, OCTANTS
from ..settings_model import ValueSettings
from .config import grade_rules, octant_actions, settings_row

THRESHOLDS = ("frequency_threshold", "aov_threshold", "tenure_threshold_days")
DAYS = ("new_days", "active_days", "dormant_days", "interaction_days")
COUNTS = ("interaction_high", "interaction_medium", "repurchase_high", "repurchase_medium")
FIELDS = (*THRESHOLDS, *DAYS, *COUNTS, "octant_actions", "grade_rules")


def can_manage_value(user: Any) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def settings_out(row: ValueSettings | None = None) -> dict[str, Any]:
    row = row or settings_row()
    out: dict[str, Any] = {name: getattr(row, name) for name in (*THRESHOLDS, *DAYS, *COUNTS)}
    out["octant_actions"] = octant_actions(row)
    out["grade_rules"] = grade_rules(row)
    out["medians"] = {
        "frequency": row.median_frequency,
        "aov": row.median_aov,
        "tenure_days": row.median_tenure_days,
    }
    return out


def _number(errors: dict[str, list[str]], name: str, value: Any, *, nullable: bool) -> Any:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10**12:
        errors[name] = [_("A number from 0 upwards.")]
        return None
    return value


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name in THRESHOLDS:
            values[name] = _number(errors, name, value, nullable=True)
            if name == "tenure_threshold_days" and values[name] is not None:
                values[name] = int(values[name])
        elif name in DAYS or name in COUNTS:
            number = _number(errors, name, value, nullable=False)
            if number is not None and (int(number) != number or number > 36500):
                errors[name] = [_("A whole number from 0 to 36500.")]
            values[name] = int(number or 0)
        elif name == "octant_actions":
            if not isinstance(value, dict) or set(value) - set(OCTANTS):
                errors[name] = [_("An object of octant: action (%(codes)s).") % {
                    "codes": ", ".join(OCTANTS)}]  # fmt: skip
            else:
                values[name] = {k: str(v or "").strip()[:200] for k, v in value.items()}
        elif name == "grade_rules":
            if (
                not isinstance(value, dict)
                or set(value) - set(DEFAULT_GRADES)
                or any(v not in ("A", "B", "C") for v in value.values())
            ):
                errors[name] = [_("An object of octant: A, B or C.")]
            else:
                values[name] = dict(value)
    if not errors and values.get("new_days", 0) > 36500:
        errors["new_days"] = [_("A whole number from 0 to 36500.")]
    if errors:
        raise ValidationFailed(errors)
    return values


@transaction.atomic
def value_settings_update(*, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Change the given settings (administrators); one audit entry when something changed."""
    if not can_manage_value(actor):
        raise PermissionDenied(_("Only an administrator may change the value settings."))
    values = _clean({k: v for k, v in data.items() if k in FIELDS})
    row = settings_row()
    row = ValueSettings.objects.select_for_update().get(pk=row.pk)
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        if name in ("octant_actions", "grade_rules"):
            value = {**(getattr(row, name) or {}), **value}
        setattr(row, name, value)
    changes = diff_fields(before, {name: getattr(row, name) for name in values})
    if changes:
        row.save()
        audit_record(
            actor=actor, action=AuditAction.VALUE_SETTINGS_CHANGED, target=row, changes=changes
        )
    return settings_out(row)
