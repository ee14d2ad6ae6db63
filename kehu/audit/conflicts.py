"""What a version conflict shows: the other person's change, read from the change log.

Each entry about a versioned row records the row's version after it (`target_version`), so the
entries newer than the editor's version are exactly what was done since the editor opened the
record: their fields, the latest author and time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kehu.core.errors import VersionConflict

from .models import AuditEntry

# A conflict looks this far back; a form open across more changes than this is rare, and the
# entries older than these are then left out of `changed_fields` (never more than was changed).
WALK_LIMIT = 200


def conflict_explain(
    conflict: VersionConflict,
    *,
    yours: Mapping[str, Any],
    current: Mapping[str, Any],
    fields: Iterable[str] | None = None,
) -> VersionConflict:
    """Fill the conflict's details: your values, the current ones, the fields changed since your
    version (among `fields`, default the keys of `current`), who changed them last and when
    (the reader's local time)."""
    shown = set(fields if fields is not None else current)
    entries = AuditEntry.objects.filter(
        target_type=conflict.model, target_id=str(conflict.pk)
    ).order_by("-id")[:WALK_LIMIT]
    changed: list[str] = []
    latest: AuditEntry | None = None  # the newest entry that changed a shown field
    newest: AuditEntry | None = None
    for entry in entries:
        if entry.target_version is None or entry.target_version <= conflict.expected:
            break
        keys = [str(k) for k in entry.changes] if isinstance(entry.changes, dict) else []
        names = [k for k in keys if k in shown or k.split(".", 1)[0] in shown]
        if names and latest is None:
            latest = entry
        newest = newest or entry
        changed.extend(n for n in names if n not in changed)
    latest = latest or newest
    conflict.yours = dict(yours)
    conflict.current_values = dict(current)
    conflict.changed_fields = changed
    if latest is not None:
        conflict.changed_by = _person(latest)
        conflict.changed_at = timezone.localtime(latest.created_at).isoformat(timespec="seconds")
    return conflict


def _person(entry: AuditEntry) -> str:
    """The author's name (not the username) as people read it."""
    if entry.actor is not None:
        return str(entry.actor)
    user = get_user_model()._default_manager.filter(username=entry.actor_name).first()
    return str(user) if user is not None else entry.actor_name


@contextmanager
def conflict_shown(
    *, yours: Mapping[str, Any], current: Callable[[], Mapping[str, Any]]
) -> Iterator[None]:
    """Around a service call at an edge: a VersionConflict leaves explained, with `yours` (what
    was sent, without its version) and the record as `current()` reads it after the rollback."""
    try:
        yield
    except VersionConflict as conflict:
        data = {k: v for k, v in yours.items() if k != "version"}
        raise conflict_explain(conflict, yours=data, current=current()) from None


def conflict_time(conflict: VersionConflict) -> str:
    """When the other change was saved, as a page shows it ("2026-12-07 10:12", local time)."""
    return conflict.changed_at[:16].replace("T", " ")
