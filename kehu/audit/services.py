"""audit_record(): the one way to write the audit log, inside the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from kehu.core.middleware import current_ip, current_source

from .models import AuditEntry


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value changed."""
    changes: dict[str, list[Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = [_json_value(old), _json_value(new)]
    return changes


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    customer_id: int | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    source: str | None = None,
) -> AuditEntry:
    """Append one entry. `changes` is {field: [before, after]} (or any JSON for non-field events)."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_label = str(target)[:255]
        if customer_id is None:
            customer_id = getattr(target, "customer_id", None)
            if customer_id is None and target._meta.label_lower == "customers.customer":
                customer_id = target.pk
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_name=(actor_obj.get_username() if actor_obj else "system"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        customer_id=customer_id,
        changes={k: _json_value(v) for k, v in (changes or {}).items()},
        note=note,
        source=source or current_source(),
        ip=current_ip(),
    )
