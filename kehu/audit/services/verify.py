"""audit_verify: the change log's hash chain, then the read log's seals (kehu audit_verify)."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import AuditEntry
from .chain import REDACT_ACTION, ChainProblem, chain_verify
from .reads import PURGE_ACTION, SEAL_ACTION, ReadsReport, reads_verify


def audit_verify(report: ReadsReport | None = None) -> Iterator[ChainProblem]:
    """Yield every place where the change log was edited, inserted into or cut, then every day of
    the read log that no longer matches its seal. `report` receives the read log's figures."""
    seals: list[AuditEntry] = []
    purges: list[AuditEntry] = []
    resealed: dict[int, dict[str, object]] = {}

    def visit(entry: AuditEntry) -> None:
        if entry.action == SEAL_ACTION:
            seals.append(entry)
        elif entry.action == PURGE_ACTION:
            purges.append(entry)
        elif entry.action == REDACT_ACTION and isinstance(entry.changes, dict):
            # An erasure's new digests of sealed days (kehu.audit.services.redact): only a
            # commitment later in the chain than the seal counts.
            for seal_seq, commitment in (entry.changes.get("reads") or {}).items():
                if str(seal_seq).isdigit() and int(seal_seq) < entry.seq:
                    resealed[int(seal_seq)] = dict(commitment)

    yield from chain_verify(visit)
    yield from reads_verify(
        seals, purges, report if report is not None else ReadsReport(), resealed
    )
