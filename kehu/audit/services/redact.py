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

The read log is erased the same way (`audit_reads_redact`): a redacted read that a seal already
covers is committed to by the new digest of its day, in an "audit.redacted" entry.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import pgettext

from kehu.core.normalize.phone import phone_digits

from ..models import AuditEntry, ReadEntry
from .chain import REDACT_ACTION, audit_record, entry_hash
from .reads import SEAL_ACTION, _purged_up_to, day_digest

if TYPE_CHECKING:
    from kehu.accounts.models import User

TOMBSTONE = "[erased]"


def tombstone_shown(value: Any) -> Any:
    """A stored value as the reader reads it: the erasure marker in their language
    ('[erased] CX2026120001' -> '已抹除 CX2026120001', a history entry's label alike); what
    is stored, and what search matches, stays the marker. Any other value as it is."""
    if isinstance(value, str) and TOMBSTONE in value:
        return value.replace(TOMBSTONE, pgettext("erased record", "(erased)"))
    return value


_MIN_SECRET = 2  # a one-character identifier would match too much text


def _secrets(identifiers: Iterable[str]) -> set[str]:
    """The identifiers as text is searched for them: case-folded, a phone also as people type
    it (+8613912345678 -> 13912345678)."""
    secrets = set()
    for value in identifiers:
        value = value.strip()
        forms = {value, phone_digits(value)} if value.startswith("+") else {value}
        secrets |= {form.casefold() for form in forms if len(form) >= _MIN_SECRET}
    return secrets


def _contains(text: str, secrets: Collection[str]) -> bool:
    folded = text.casefold()
    return any(secret in folded for secret in secrets)


def text_names(text: str, identifiers: Iterable[str]) -> bool:
    """Whether free text (a task's title, a notification) names one of the person's
    identifiers, as the change log is searched for them (case-folded, phones as typed)."""
    return bool(text) and _contains(text, _secrets(identifiers))


def identifier_forms(identifiers: Iterable[str]) -> set[str]:
    """The forms a database look-up searches text for (icontains): each identifier, and a
    phone also as people type it."""
    return _secrets(identifiers)


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
    secrets = _secrets(identifiers)
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


def _read_candidates(
    customer_ids: Collection[int], secrets: Collection[str], *, texts: bool
) -> Any:
    """The reads of these customers (by index), and with `texts` any read whose label or query
    holds a secret (a scan of the read log: fine for one request, not per customer of a batch)."""
    from django.db.models import Q

    query = Q(customer_id__in=list(customer_ids))
    for secret in secrets if texts else ():
        query |= Q(query__icontains=secret) | Q(target_label__icontains=secret)
    return ReadEntry.objects.filter(query).order_by("id")


@transaction.atomic
def audit_reads_redact(
    *,
    actor: User | None,
    customer_ids: Collection[int],
    identifiers: Iterable[str],
    note: str = "",
    texts: bool = True,
) -> AuditEntry | None:
    """Erase a person from the read log: the target label of every read of the erased
    individual customers (`customer_ids`: the label is their name), and any label or query
    holding one of their identifiers, become the tombstone. A day already sealed into the chain
    would no longer match its seal, so one "audit.redacted" entry commits to each such day's new
    digest ({"reads": {seal seq: {digest, count}}}); `kehu audit_verify` checks the day against
    it. `texts=False` looks only at the reads of `customer_ids` (a retention policy erasing
    customer after customer). Returns that entry, or None when no read named the person."""
    secrets = _secrets(identifiers)
    if not customer_ids and not secrets:
        return None
    changed: list[ReadEntry] = []
    for read in _read_candidates(customer_ids, secrets, texts=texts).select_for_update():
        label = read.target_label
        if label and (read.customer_id in customer_ids or _contains(label, secrets)):
            label = TOMBSTONE
        query = TOMBSTONE if read.query and _contains(read.query, secrets) else read.query
        if (label, query) != (read.target_label, read.query):
            read.target_label, read.query = label, query
            changed.append(read)
    if not changed:
        return None
    ReadEntry.objects.bulk_update(changed, ["target_label", "query"], batch_size=1000)
    return _reads_reseal(actor=actor, ids=[read.pk for read in changed], note=note)


def _reads_reseal(*, actor: User | None, ids: list[int], note: str) -> AuditEntry | None:
    """Commit in the chain to the new digest of each sealed, unpurged day holding one of ids."""
    purged = _purged_up_to()
    resealed: dict[str, dict[str, Any]] = {}
    for seal in AuditEntry.objects.filter(action=SEAL_ACTION).order_by("seq"):
        changes = seal.changes if isinstance(seal.changes, dict) else {}
        after, last = int(changes.get("after_id", -1)), int(changes.get("last_id", -1))
        if last <= purged or not any(after < pk <= last for pk in ids):
            continue
        digest, count = day_digest(after, last)
        resealed[str(seal.seq)] = {"digest": digest, "count": count}
    if not resealed:
        return None  # none of them sealed yet: the next seal covers the redacted entries
    return audit_record(
        actor=actor, action=REDACT_ACTION, changes={"entries": {}, "reads": resealed}, note=note
    )
