"""audit_record(): the one way to write the change log, inside the caller's transaction; the log
is a hash chain (each entry hashes its predecessor) that chain_verify walks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from kehu.core.middleware import current_ip, current_source
from kehu.core.models import Counter
from kehu.core.numbering import next_in_sequence
from kehu.core.versioning import Versioned

from ..actions import AuditAction, audit_action
from ..events import entries_written
from ..models import AuditEntry

if TYPE_CHECKING:
    from kehu.accounts.models import User


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


@transaction.atomic  # callers outside a transaction (login, CLI) still lock the chain row
def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model | None = None,
    customer_id: int | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    source: str | None = None,
) -> AuditEntry:
    """Append one entry. `changes` is {field: [before, after]} (or any JSON for non-field events).
    An action that is not an AuditAction is a ValueError, before anything is written."""
    value = audit_action(action)
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_label = str(target)[:255]
        if customer_id is None:
            customer_id = getattr(target, "customer_id", None)
            if customer_id is None and target._meta.label_lower == "customers.customer":
                customer_id = target.pk
    entry = AuditEntry(
        actor=actor,
        actor_name=(actor.get_username() if actor else "system"),
        action=value,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        customer_id=customer_id,
        changes={k: _json_value(v) for k, v in (changes or {}).items()},
        note=note,
        source=source or current_source(),
        ip=current_ip(),
        created_at=timezone.now(),
        target_version=target.version if isinstance(target, Versioned) else None,
    )
    # Chain: the chain's counter row (kehu.core.numbering, locked: SELECT ... FOR UPDATE; SQLite's
    # IMMEDIATE transactions serialise) gives consecutive numbers; each entry hashes its predecessor.
    entry.seq = next_in_sequence(CHAIN_KEY)
    entry.prev_hash = _hash_of(entry.seq - 1)
    entry.entry_hash = entry_hash(entry)
    entry.save()
    entries_written()
    return entry


@dataclass
class PendingEntry:
    """One entry of a batch for audit_record_many (a bulk service's per-row history)."""

    action: AuditAction
    target: models.Model
    changes: dict[str, Any]
    note: str = ""


@transaction.atomic
def audit_record_many(
    *, actor: User | None, entries: list[PendingEntry], source: str | None = None
) -> int:
    """Append a batch of entries (one per imported customer, say): one chain lock, one insert.

    The chain is the same as audit_record's: consecutive numbers, each hashing its predecessor.
    An action that is not an AuditAction is a ValueError, before anything is written.
    """
    if not entries:
        return 0
    actions = [audit_action(pending.action) for pending in entries]
    actor_name = actor.get_username() if actor else "system"
    now = timezone.now()
    ip = current_ip()
    source = source or current_source()
    first = next_in_sequence(CHAIN_KEY, count=len(entries))
    prev_hash = _hash_of(first - 1)
    rows = []
    seq = first - 1
    for pending, action in zip(entries, actions, strict=True):
        target = pending.target
        customer_id = getattr(target, "customer_id", None)
        if customer_id is None and target._meta.label_lower == "customers.customer":
            customer_id = target.pk
        seq += 1
        entry = AuditEntry(
            actor=actor,
            actor_name=actor_name,
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_label=str(target)[:255],
            customer_id=customer_id,
            changes={k: _json_value(v) for k, v in pending.changes.items()},
            note=pending.note,
            source=source,
            ip=ip,
            created_at=now,
            seq=seq,
            prev_hash=prev_hash,
            target_version=target.version if isinstance(target, Versioned) else None,
        )
        entry.entry_hash = entry_hash(entry)
        prev_hash = entry.entry_hash
        rows.append(entry)
    AuditEntry.objects.bulk_create(rows, batch_size=1000)
    entries_written()
    return len(rows)


CHAIN_KEY = "audit-chain"


def _hash_of(seq: int) -> str:
    """The hash of entry `seq` ('' before the first): what the next entry links to. The caller
    holds the chain's counter row (next_in_sequence locks it), so no entry can slip in between."""
    if seq < 1:
        return ""
    previous = AuditEntry.objects.filter(seq=seq).values_list("entry_hash", flat=True).first()
    return previous or ""


def entry_hash(entry: AuditEntry) -> str:
    payload = json.dumps(entry.content(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


REDACT_ACTION = AuditAction.AUDIT_REDACTED


def redactions() -> dict[int, tuple[int, str]]:
    """{seq of an entry whose personal values were erased (kehu.audit.services.redact): (seq of
    the "audit.redacted" entry, the hash it commits to)}; a later redaction replaces an earlier."""
    found: dict[int, tuple[int, str]] = {}
    rows = AuditEntry.objects.filter(action=REDACT_ACTION).order_by("seq")
    for seq, changes in rows.values_list("seq", "changes"):
        listed = changes.get("entries", {}) if isinstance(changes, dict) else {}
        for redacted_seq, commitment in listed.items():
            if isinstance(commitment, dict) and str(redacted_seq).isdigit():
                found[int(redacted_seq)] = (seq, str(commitment.get("hash", "")))
    return found


def _redacted_intact(entry: AuditEntry, redacted: dict[int, tuple[int, str]]) -> bool:
    """A redacted entry verifies when a later redaction entry commits to its present content."""
    commitment = redacted.get(entry.seq)
    return (
        commitment is not None
        and commitment[0] > entry.seq
        and entry.action != REDACT_ACTION
        and commitment[1] == entry_hash(entry)
    )


@dataclass
class ChainProblem:
    seq: int
    entry_id: int | None
    problem: str


def chain_verify(
    visit: Callable[[AuditEntry], None] | None = None,
) -> Iterator[ChainProblem]:
    """Walk the log in order; yield each place where it was edited, inserted into or cut.
    `visit` sees every entry on the way (the read log's seals are collected so)."""
    expected_seq = 1
    prev_hash = ""
    redacted = redactions()
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if visit is not None:
            visit(entry)
        if entry.seq != expected_seq:
            yield ChainProblem(
                expected_seq,
                entry.pk,
                f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)"
                if entry.seq > expected_seq
                else "sequence number repeats or goes back (inserted)",
            )
        if entry.prev_hash != prev_hash:
            yield ChainProblem(entry.seq, entry.pk, "does not link to the entry before it")
        if entry_hash(entry) != entry.entry_hash and not _redacted_intact(entry, redacted):
            yield ChainProblem(entry.seq, entry.pk, "content does not match its hash (edited)")
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
    last = Counter.objects.filter(key=CHAIN_KEY).values_list("last", flat=True).first() or 0
    if last >= expected_seq:
        yield ChainProblem(
            expected_seq, None, f"entries {expected_seq}..{last} are missing (deleted)"
        )
