"""The administrator's freshness settings: cadence days by grade, behaviour triggers (audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed
from kehu.interactions.models import BehaviourEvent

from ..freshness.cadence import cadences
from ..models import BehaviourTrigger, Lifecycle, VerificationCadence

MAX_DAYS = 3660


def can_manage(user: Any) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def assert_can_manage(user: Any) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("Only an administrator may change the value settings."))


def _days(raw: Any, field: str, *, least: int = 0) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed({field: [_("Enter a whole number of days.")]}) from None
    if not least <= value <= MAX_DAYS:
        raise ValidationFailed(
            {field: [_("Between %(low)s and %(high)s.") % {"low": least, "high": MAX_DAYS}]}
        )
    return value


@transaction.atomic
def cadence_update(*, actor: User, days: dict[str, Any]) -> dict[str, int]:
    """Set the cadence (days; 0: never) of the keys given."""
    assert_can_manage(actor)
    before = cadences()
    unknown = set(days) - set(VerificationCadence.Key.values)
    if unknown:
        raise ValidationFailed(
            {"cadences": [_("Unknown grade: %(keys)s") % {"keys": ", ".join(sorted(unknown))}]}
        )
    cleaned = {key: _days(value, f"cadences.{key}") for key, value in days.items()}
    for key, value in cleaned.items():
        VerificationCadence.objects.update_or_create(key=key, defaults={"days": value})
    changes = {k: [before[k], v] for k, v in cleaned.items() if before[k] != v}
    if changes:
        audit_record(actor=actor, action=AuditAction.CADENCE_CHANGED, changes=changes)
    return cadences()


FIELDS = ("name", "event_kind", "min_count", "window_days", "lifecycle", "task_title", "is_enabled")


@transaction.atomic
def trigger_save(
    *, actor: User, data: dict[str, Any], trigger: BehaviourTrigger | None = None
) -> BehaviourTrigger:
    """Create (trigger None) or change a behaviour trigger."""
    assert_can_manage(actor)
    row = trigger or BehaviourTrigger()
    errors: dict[str, list[str]] = {}
    for field in FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field in ("name", "task_title"):
            value = str(value or "").strip()
            if not value:
                errors[field] = [_("This field is required.")]
        elif field == "event_kind" and value not in BehaviourEvent.Kind.values:
            errors[field] = [_("Unknown event kind.")]
        elif field == "lifecycle" and (value or "") not in ["", *Lifecycle.values]:
            errors[field] = [_("Unknown lifecycle stage.")]
        elif field in ("min_count", "window_days"):
            try:
                value = _days(value, field, least=1)
            except ValidationFailed as exc:
                errors.update(exc.errors)
        elif field == "is_enabled":
            value = bool(value)
        setattr(row, field, value or "" if field == "lifecycle" else value)
    if trigger is None:
        for field in ("name", "event_kind", "task_title"):
            if not getattr(row, field) and field not in errors:
                errors[field] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(errors)
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.BEHAVIOUR_TRIGGER_SAVED,
        target=row,
        changes={f: getattr(row, f) for f in FIELDS},
    )
    return row
