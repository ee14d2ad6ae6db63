"""The read log: one insert per read; sealed into the change chain; purged past its retention.

Reads (a 360 page opened, a search, an export, a revealed value) are many, and the pages that
write them are latency-sensitive, so a read is one INSERT into audit_readentry and nothing else:
no chain lock, no hash. Tamper evidence comes afterwards, from seals:

- `audit_reads_seal` (run by `kehu audit_purge_reads`, nightly) takes the read entries after the
  last sealed one that are older than SEAL_DELAY, splits them by local day, and writes one entry
  per day into the change log's hash chain: action "audit.reads_sealed" with the id range
  (after_id, last_id], the count and a SHA-256 digest over every column of every entry in it.
  Ranges follow each other without gaps, so a deleted entry changes a count.
- `audit_reads_purge` deletes whole sealed days whose newest entry is older than
  KEHU_AUDIT_READ_RETENTION_DAYS, after writing "audit.reads_purged" (up_to_id) into the chain.
  Nothing of the chain itself is ever deleted, so the chain still verifies after a purge.
- `reads_verify` (part of `kehu audit_verify`) recomputes each seal above the highest purge
  marker: an edited, deleted or inserted read entry breaks its day's digest or count. Entries not
  sealed yet (the last SEAL_DELAY, or since the last nightly run) cannot be checked yet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from kehu.core.middleware import current_ip, current_source

from ..actions import AuditAction
from ..models import AuditEntry, ReadEntry
from .chain import ChainProblem, audit_record

if TYPE_CHECKING:
    from kehu.accounts.models import User

SEAL_ACTION = AuditAction.AUDIT_READS_SEALED
PURGE_ACTION = AuditAction.AUDIT_READS_PURGED
_KINDS = frozenset(ReadEntry.Kind.values)
# Entries younger than this are left for the next seal: a request may still be writing its entry
# (ids are taken at insert, so an entry committed late could land inside a sealed range).
SEAL_DELAY = timedelta(minutes=10)
PURGE_BATCH = 5000
_QUERY_MAX = 1000
_LOCK_ID = 0x6B656875  # pg_advisory_xact_lock: one sealer or purger at a time ("kehu")
# Every column of a read entry, in the order a seal's digest reads them.
_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_name",
    "kind",
    "customer_id",
    "target_label",
    "query",
    "row_count",
    "source",
    "ip",
)


def read_record(
    *,
    actor: User | None,
    kind: ReadEntry.Kind,
    target: models.Model | None = None,
    customer_id: int | None = None,
    query: str = "",
    rows: int = 0,
    source: str | None = None,
) -> ReadEntry:
    """Append one read entry: a single INSERT (in the caller's transaction if there is one).
    A kind that is not a ReadEntry.Kind is a ValueError (a programming error), as for actions."""
    if kind not in _KINDS:
        raise ValueError(f"{kind!r} is not a kind of read; add it to ReadEntry.Kind")
    label = ""
    if target is not None:
        label = str(target)[:255]
        if customer_id is None:
            customer_id = getattr(target, "customer_id", None)
            if customer_id is None and target._meta.label_lower == "customers.customer":
                customer_id = target.pk
    return ReadEntry.objects.create(
        created_at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        kind=str(kind),
        customer_id=customer_id,
        target_label=label,
        query=query[:_QUERY_MAX],
        row_count=max(0, int(rows)),
        source=source or current_source(),
        ip=current_ip(),
    )


# --- Seals ---------------------------------------------------------------------------------------


def _line(values: tuple[Any, ...]) -> bytes:
    row = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


@dataclass
class _Day:
    after_id: int
    day: str
    last_id: int = 0
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    digest: Any = field(default_factory=hashlib.sha256)

    def add(self, values: tuple[Any, ...]) -> None:
        self.last_id = values[0]
        self.count += 1
        at = values[1]
        self.first_at = at if self.first_at is None else min(self.first_at, at)
        self.last_at = at if self.last_at is None else max(self.last_at, at)
        self.digest.update(_line(values))

    def changes(self) -> dict[str, Any]:
        assert self.first_at is not None and self.last_at is not None
        return {
            "after_id": self.after_id,
            "last_id": self.last_id,
            "count": self.count,
            "digest": self.digest.hexdigest(),
            "day": self.day,
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
        }


def _entries(after_id: int, last_id: int) -> Iterator[tuple[Any, ...]]:
    """The read entries of the id range (after_id, last_id], in id order, as plain tuples."""
    return (
        ReadEntry.objects.filter(id__gt=after_id, id__lte=last_id)
        .order_by("id")
        .values_list(*_FIELDS)
        .iterator(chunk_size=5000)
    )


def _lock() -> None:
    """One sealer or purger at a time (SQLite's IMMEDIATE transaction holds the write lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _markers(action: AuditAction) -> list[dict[str, Any]]:
    rows = (
        AuditEntry.objects.filter(action=action).order_by("seq").values_list("changes", flat=True)
    )
    return [c for c in rows if isinstance(c, dict)]


def _sealed_up_to() -> int:
    last = (
        AuditEntry.objects.filter(action=SEAL_ACTION)
        .order_by("-seq")
        .values_list("changes", flat=True)
        .first()
    )
    return int(last["last_id"]) if isinstance(last, dict) else 0


def _purged_up_to() -> int:
    return max((int(c.get("up_to_id") or 0) for c in _markers(PURGE_ACTION)), default=0)


@transaction.atomic
def audit_reads_seal(*, now: datetime | None = None) -> int:
    """Seal the read entries older than SEAL_DELAY that no seal covers yet, one chain entry per
    local day; returns how many entries were sealed."""
    _lock()
    now = now or timezone.now()
    after = _sealed_up_to()
    last_id = (
        ReadEntry.objects.filter(id__gt=after, created_at__lt=now - SEAL_DELAY)
        .order_by()
        .aggregate(last=models.Max("id"))["last"]
    )
    if last_id is None:
        return 0
    sealed = 0
    current: _Day | None = None
    for values in _entries(after, last_id):
        day = timezone.localtime(values[1]).date().isoformat()
        if current is None or day > current.day:
            if current is not None:
                sealed += _seal(current)
                after = current.last_id
            current = _Day(after_id=after, day=day)
        current.add(values)
    if current is not None:
        sealed += _seal(current)
    return sealed


def _seal(day: _Day) -> int:
    audit_record(actor=None, action=SEAL_ACTION, changes=day.changes(), source="system")
    return day.count


def audit_reads_purge(
    *, now: datetime | None = None, retention_days: int | None = None
) -> dict[str, int]:
    """Seal what is unsealed, then delete whole sealed days past the retention
    (KEHU_AUDIT_READ_RETENTION_DAYS): the purge is recorded in the chain first ("audit.reads_purged",
    up to which id), then the entries go in small batches, so the read log's writers are never
    blocked for long. Re-running finishes a purge that was cut short. `retention_days` overrides
    the setting (a retention policy's own days, kehu.privacy)."""
    now = now or timezone.now()
    days = settings.KEHU_AUDIT_READ_RETENTION_DAYS if retention_days is None else retention_days
    with transaction.atomic():
        sealed = audit_reads_seal(now=now)
        _lock()
        cutoff = now - timedelta(days=days)
        purged = _purged_up_to()
        up_to = purged
        for seal in _markers(SEAL_ACTION):
            if int(seal["last_id"]) <= purged:
                continue
            if datetime.fromisoformat(seal["last_at"]) >= cutoff:
                break  # days are sealed in order: the later ones are younger still
            up_to = int(seal["last_id"])
        if up_to > purged:
            audit_record(
                actor=None,
                action=PURGE_ACTION,
                changes={
                    "after_id": purged,
                    "up_to_id": up_to,
                    "before": cutoff.isoformat(),
                    "retention_days": days,
                },
                source="system",
            )
    deleted = 0
    while True:  # every id at or below the highest marker (also what an interrupted run left)
        with transaction.atomic():
            ids = list(
                ReadEntry.objects.filter(id__lte=up_to)
                .order_by("id")
                .values_list("id", flat=True)[:PURGE_BATCH]
            )
            if not ids:
                break
            deleted += ReadEntry.objects.filter(id__in=ids).delete()[0]
    return {"sealed": sealed, "purged": deleted}


# --- Verification ----------------------------------------------------------------------------


@dataclass
class ReadsReport:
    """What reads_verify checked: entries under intact seals, and entries not sealed yet."""

    verified: int = 0
    unsealed: int = 0
    purged_up_to: int = 0


def day_digest(after_id: int, last_id: int) -> tuple[str, int]:
    """(SHA-256 over the read entries of (after_id, last_id], their count): what a seal holds."""
    digest, count = hashlib.sha256(), 0
    for values in _entries(after_id, last_id):
        digest.update(_line(values))
        count += 1
    return digest.hexdigest(), count


def reads_verify(
    seals: Iterable[AuditEntry],
    purges: Iterable[AuditEntry],
    report: ReadsReport,
    resealed: dict[int, dict[str, Any]] | None = None,
) -> Iterator[ChainProblem]:
    """Recompute every seal above the highest purge marker; yield each day whose entries were
    changed, deleted or inserted, and each purge that cut a sealed day in two. `resealed`:
    {seal seq: {digest, count}} a later erasure committed to (kehu.audit.services.redact)."""
    purged = max((int((p.changes or {}).get("up_to_id") or 0) for p in purges), default=0)
    report.purged_up_to = purged
    last_sealed = 0
    for seal in seals:
        changes = seal.changes or {}
        after, last = int(changes.get("after_id", -1)), int(changes.get("last_id", -1))
        last_sealed = max(last_sealed, last)
        if last <= purged:
            continue
        if after < purged:
            yield ChainProblem(
                seal.seq, seal.pk, f"read entries {after + 1}..{last} were purged in part"
            )
            continue
        expected = {**changes, **(resealed or {}).get(seal.seq, {})}
        digest, count = day_digest(after, last)
        if count != expected.get("count") or digest != expected.get("digest"):
            yield ChainProblem(
                seal.seq,
                seal.pk,
                f"read entries {after + 1}..{last} do not match their seal "
                f"(sealed {changes.get('count')}, found {count}: changed, deleted or inserted)",
            )
        else:
            report.verified += count
    report.unsealed = ReadEntry.objects.filter(id__gt=max(last_sealed, purged)).count()
