"""The audit app's one write path.

- chain: the change log (audit_record, audit_record_many), a hash chain; audit_verify walks it.
- reads: the read log (read_record: one insert per read), its seals in the chain and its purge.
- volume: rows a user pulled today (the export volume rule's counter, one upsert per request).
- export_reports: an export reported as suspicious (the row and its entry in the chain).
"""

from __future__ import annotations

from .chain import (
    CHAIN_KEY,
    ChainProblem,
    PendingEntry,
    audit_record,
    audit_record_many,
    chain_verify,
    diff_fields,
    entry_hash,
)
from .export_reports import export_report_write
from .reads import ReadsReport, audit_reads_purge, audit_reads_seal, read_record
from .redact import (
    TOMBSTONE,
    audit_reads_redact,
    audit_redact,
    identifier_forms,
    text_names,
    tombstone_shown,
)
from .verify import audit_verify
from .volume import Volume, volume_add, volume_lift, volume_set_limit

__all__ = [
    "CHAIN_KEY",
    "ChainProblem",
    "PendingEntry",
    "ReadsReport",
    "Volume",
    "TOMBSTONE",
    "audit_reads_purge",
    "tombstone_shown",
    "audit_reads_redact",
    "audit_redact",
    "audit_reads_seal",
    "audit_record",
    "audit_record_many",
    "audit_verify",
    "identifier_forms",
    "text_names",
    "chain_verify",
    "diff_fields",
    "entry_hash",
    "export_report_write",
    "read_record",
    "volume_add",
    "volume_lift",
    "volume_set_limit",
]
