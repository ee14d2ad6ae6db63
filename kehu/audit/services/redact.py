"""Erasing personal values from the change log without breaking its hash chain (issue 19).

An entry's hash covers its content, and the next entry links to that hash, so an entry cannot be
edited in place without the chain noticing. Erasure (a data-subject request, a retention policy)
still has to take a person's identity out of the before/after values. `audit_redact` does it so:

1. each entry's personal values (the given field names; any other text that contains one of the
   person's identifiers; the target label and the note when they name the person) are replaced by
   the tombstone TOMBSTONE; the entry keeps its own `entry_hash`, so the next entry still links;
2. one new entry "audit.redacted" is appended to the chain, listing for each redacted entry its
   sequence number and the SHA-256 of its redacted content (the commitment), with the hash it had
   before (what an outside copy of the original can be checked against). No personal value goes
   into it.

`chain_verify` accepts an entry whose content no longer matches its own hash only when a later
"audit.redacted" entry (itself in the chain, so neither forged nor edited) commits to exactly
its present content: a redacted entry edited afterwards, or an entry edited and passed off as
redacted, is still reported.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ..models import AuditEntry
from .chain import REDACT_ACTION, audit_record, entry_hash

if TYPE_CHECKING:
    from kehu.accounts.models import User

TOMBSTONE = "[erased]"
_MIN_SECRET = 2  # a one-character identifier would match too much text


def _contains(text: str, secrets: Collection[str]) -> bool:
    folded = text.casefold()
    return any(secret in folded for secret in secrets)


def _scrub(value: Any, secrets: Collection[str]) -> Any:
    """The value with every string that contains an identifier replaced by the tombstone."""
    if isinstance(value, str):
        return TOMBSTONE if value and _contains(value, secrets) else value
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    return value


def _erase(value: Any) -> Any:
    """A personal field's value: gone, whatever it was (empty values stay empty)."""
    if value in (None, "", [], {}):
        return value
    if isinstance(value, list):
        return [_erase(item) for item in value]
    return TOMBSTONE


def redacted_changes(
    changes: Any, *, fields: Collection[str], secrets: Collection[str]
) -> tuple[Any, bool]:
    """(changes without personal values, whether anything changed)."""
    if not isinstance(changes, dict):
        new = _scrub(changes, secrets)
        return new, new != changes
    new_changes: dict[str, Any] = {}
    for key, value in changes.items():
        if key in fields:
            new_changes[key] = _erase(value)
        else:
            new_changes[key] = _scrub(value, secrets)
    return new_changes, new_changes != changes


@transaction.atomic
def audit_redact(
    *,
    actor: User | None,
    entries: Iterable[AuditEntry],
    fields: Collection[str],
    identifiers: Iterable[str],
    targets: Collection[tuple[str, str]] = (),
    note: str = "",
) -> AuditEntry | None:
    """Erase personal values from `entries` and commit to their new content in the chain.

    `fields`: change keys whose values are personal (both before and after go);
    `identifiers`: the person's names, numbers and addresses: any other text containing one goes;
    `targets`: (target_type, target_id) of the erased rows: their target label goes too.
    Returns the "audit.redacted" entry, or None when no entry held anything personal.
    """
    secrets = {s.strip().casefold() for s in identifiers if len(s.strip()) >= _MIN_SECRET}
    committed: dict[str, dict[str, str]] = {}
    ids = [entry.pk for entry in entries]
    for entry in AuditEntry.objects.select_for_update().filter(pk__in=ids).order_by("seq"):
        if entry.action == REDACT_ACTION:
            continue
        original = entry_hash(entry)
        changes, changed = redacted_changes(entry.changes, fields=fields, secrets=secrets)
        label = entry.target_label
        if label and ((entry.target_type, entry.target_id) in targets or _contains(label, secrets)):
            label = TOMBSTONE
        note_text = TOMBSTONE if entry.note and _contains(entry.note, secrets) else entry.note
        if not changed and label == entry.target_label and note_text == entry.note:
            continue
        entry.changes = changes
        entry.target_label = label
        entry.note = note_text
        entry.save(update_fields=["changes", "target_label", "note"])
        committed[str(entry.seq)] = {"hash": entry_hash(entry), "was": original}
    if not committed:
        return None
    return audit_record(
        actor=actor,
        action=REDACT_ACTION,
        changes={"entries": committed},
        note=note,
    )
