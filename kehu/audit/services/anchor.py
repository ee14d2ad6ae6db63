"""Audit anchoring: a signed checkpoint of the change log's hash chain, kept outside the database.

The hash chain (chain.py) shows an entry edited in place; it cannot show a rewrite by someone who
can write the database and recomputes every hash after the entry they changed. A checkpoint can:
it holds the last entry's number and hash (and the hash of every KEHU_AUDIT_CHECKPOINT_STRIDE-th
entry since the previous checkpoint), signed with an Ed25519 key that is not in the database
(anchor_keys), written to KEHU_AUDIT_CHECKPOINT_DIR and/or POSTed to
KEHU_AUDIT_CHECKPOINT_WEBHOOK. `kehu audit_verify --checkpoint FILE` checks the signature against
the trusted key, then that every entry the checkpoint names still has the hash it signed: a
rewrite is named between the last entry that still matches and the first that does not.

The worker writes one a day (tasks.audit_checkpoint_schedule); `kehu audit_checkpoint` writes one
now. Before signing, the entries since the previous checkpoint are verified, so a checkpoint
never blesses a chain that is already broken.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..actions import AuditAction
from ..models import AuditCheckpoint, AuditEntry
from .anchor_keys import fingerprint, public_text, signing_key
from .chain import ChainProblem, audit_record, entry_hash

KIND = "kehu-audit-checkpoint"
VERSION = 1
WEBHOOK_TIMEOUT_SECONDS = 10


class CheckpointRefused(Exception):
    """No checkpoint was signed: the chain is empty or already broken (the message says where)."""


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes the signature covers: every field but the signature, in one fixed form."""
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _segment(after_seq: int, after_hash: str, up_to: int) -> tuple[dict[str, str], str]:
    """Walk entries after_seq+1..up_to: every link and hash must hold (else CheckpointRefused
    naming the entry). Returns the milestones (every STRIDE-th entry's hash) and the last hash."""
    stride = max(1, settings.KEHU_AUDIT_CHECKPOINT_STRIDE)
    milestones: dict[str, str] = {}
    expected, previous = after_seq + 1, after_hash
    entries = AuditEntry.objects.filter(seq__gt=after_seq, seq__lte=up_to).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        if entry.seq != expected:
            raise CheckpointRefused(f"entry #{expected} is missing (deleted)")
        if entry.prev_hash != previous or entry_hash(entry) != entry.entry_hash:
            raise CheckpointRefused(f"entry #{entry.seq} does not match its hash (edited)")
        if entry.seq % stride == 0:
            milestones[str(entry.seq)] = entry.entry_hash
        previous, expected = entry.entry_hash, entry.seq + 1
    if expected != up_to + 1:
        raise CheckpointRefused(f"entry #{expected} is missing (deleted)")
    return milestones, previous


def checkpoint_build(*, now: datetime | None = None) -> dict[str, Any]:
    """The signed checkpoint of the chain as committed now (not yet written anywhere)."""
    key = signing_key(create=True)
    last = AuditEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
    if last is None:
        raise CheckpointRefused("the audit log is empty")
    previous = AuditCheckpoint.objects.order_by("-seq").values("seq", "entry_hash").first()
    after_seq, after_hash = 0, ""
    if previous is not None and previous["seq"] > last["seq"]:
        raise CheckpointRefused(f"entries after #{last['seq']} are missing (deleted)")
    if previous is not None:
        found = AuditEntry.objects.filter(seq=previous["seq"]).values("entry_hash").first()
        if found is None or found["entry_hash"] != previous["entry_hash"]:
            raise CheckpointRefused(
                f"entry #{previous['seq']} no longer has the hash of the previous checkpoint"
            )
        after_seq, after_hash = previous["seq"], previous["entry_hash"]
    milestones, last_hash = _segment(after_seq, after_hash, last["seq"])
    public = key.public_key()
    document: dict[str, Any] = {
        "kind": KIND,
        "version": VERSION,
        "seq": last["seq"],
        "entry_hash": last_hash,
        "created_at": (now or timezone.now()).astimezone(UTC).isoformat(),
        "previous": {"seq": after_seq, "entry_hash": after_hash} if after_seq else None,
        "milestones": milestones,
        "key_fingerprint": fingerprint(public),
        "public_key": public_text(public),
    }
    document["signature"] = base64.b64encode(key.sign(canonical(document))).decode()
    return document


def _file_name(document: dict[str, Any]) -> str:
    stamp = document["created_at"][:19].replace("-", "").replace(":", "")
    return f"checkpoint-{document['seq']:012d}-{stamp}Z.json"


def _write_file(document: dict[str, Any], folder: str) -> str:
    """Write atomically (a temporary name, then rename); returns the file's path."""
    target_dir = Path(folder)
    target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = target_dir / _file_name(document)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, path)
    return str(path)


def _post(document: dict[str, Any], url: str) -> str:
    """POST the checkpoint as JSON; '' when the receiver answered 2xx, else the problem."""
    body = json.dumps(document, sort_keys=True).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Kehu-Audit-Checkpoint/1",
            "X-Kehu-Event": "audit.checkpoint",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))[:255]


def audit_checkpoint_write(*, now: datetime | None = None) -> AuditCheckpoint:
    """Sign a checkpoint of the chain, write it to the folder and/or POST it to the webhook
    (settings), list it, and record it in the chain ("audit.checkpoint_signed")."""
    folder = settings.KEHU_AUDIT_CHECKPOINT_DIR
    url = settings.KEHU_AUDIT_CHECKPOINT_WEBHOOK
    if not folder and not url:
        raise CheckpointRefused(
            "neither KEHU_AUDIT_CHECKPOINT_DIR nor KEHU_AUDIT_CHECKPOINT_WEBHOOK is set"
        )
    document = checkpoint_build(now=now)
    path = _write_file(document, folder) if folder else ""
    problem = _post(document, url) if url else ""
    delivery = AuditCheckpoint.Delivery.NONE
    if url:
        delivery = AuditCheckpoint.Delivery.FAILED if problem else AuditCheckpoint.Delivery.SENT
    with transaction.atomic():
        checkpoint = AuditCheckpoint.objects.create(
            created_at=datetime.fromisoformat(document["created_at"]),
            seq=document["seq"],
            entry_hash=document["entry_hash"],
            key_fingerprint=document["key_fingerprint"],
            signature=document["signature"],
            file_name=Path(path).name if path else "",
            webhook=delivery,
            webhook_error=problem,
        )
        audit_record(
            actor=None,
            action=AuditAction.AUDIT_CHECKPOINT_SIGNED,
            target=checkpoint,
            changes={
                "seq": document["seq"],
                "entry_hash": document["entry_hash"],
                "key_fingerprint": document["key_fingerprint"],
            },
            source="system",
        )
    return checkpoint


# --- Verifying ----------------------------------------------------------------------------------


@dataclass
class CheckpointReport:
    """What checkpoint_verify found: the checkpoints whose signatures held, and up to which
    entry the log is proven unchanged."""

    signed: list[dict[str, Any]] = field(default_factory=list)
    proven_up_to: int = 0


def load_checkpoints(paths: list[str]) -> list[tuple[str, Any]]:
    """(name, parsed JSON or None when unreadable) for each file, and each *.json in a folder."""
    found: list[tuple[str, Any]] = []
    for raw in paths:
        path = Path(raw)
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for item in files:
            try:
                found.append((str(item), json.loads(item.read_text())))
            except (OSError, ValueError):
                found.append((str(item), None))
    return found


def signature_problem(document: Any, trusted: Ed25519PublicKey) -> str:
    """'' when the document is a checkpoint signed by the trusted key, else why not."""
    if not isinstance(document, dict) or document.get("kind") != KIND:
        return "not a Kehu audit checkpoint"
    if document.get("key_fingerprint") != fingerprint(trusted):
        other = str(document.get("key_fingerprint"))[:16]
        return f"signed by another key (fingerprint {other})"
    try:
        trusted.verify(base64.b64decode(str(document.get("signature", ""))), canonical(document))
    except (InvalidSignature, ValueError):
        return "the signature does not match (forged or altered checkpoint)"
    if not isinstance(document.get("seq"), int) or not isinstance(document.get("milestones"), dict):
        return "not a Kehu audit checkpoint"
    return ""


def _signed_points(documents: list[dict[str, Any]]) -> dict[int, str]:
    points: dict[int, str] = {}
    for document in documents:
        points[document["seq"]] = document["entry_hash"]
        previous = document.get("previous")
        if previous:
            points[int(previous["seq"])] = previous["entry_hash"]
        for seq, value in document["milestones"].items():
            points[int(seq)] = value
    return points


def checkpoint_verify(
    checkpoints: list[tuple[str, Any]], trusted: Ed25519PublicKey, report: CheckpointReport
) -> list[ChainProblem]:
    """Every problem found: a checkpoint whose signature fails (seq 0 when unreadable), and the
    first entry whose hash differs from what a checkpoint signed, with the range the rewrite
    lies in (after the last entry that still matches)."""
    problems: list[ChainProblem] = []
    for name, document in checkpoints:
        problem = signature_problem(document, trusted)
        if problem:
            seq = document.get("seq", 0) if isinstance(document, dict) else 0
            problems.append(ChainProblem(int(seq or 0), None, f"checkpoint {name}: {problem}"))
        else:
            report.signed.append(document)
    points = _signed_points(report.signed)
    if not points:
        return problems
    stored = dict(AuditEntry.objects.filter(seq__in=list(points)).values_list("seq", "entry_hash"))
    matched = 0
    for seq in sorted(points):
        if stored.get(seq) == points[seq]:
            matched = seq
            continue
        what = "is missing (deleted)" if seq not in stored else "was rewritten"
        where = f"entry #{seq}" if matched == seq - 1 else f"an entry in #{matched + 1}..#{seq}"
        problems.append(
            ChainProblem(
                seq,
                None,
                f"{where} {what}: entry #{seq}'s hash differs from the signed checkpoint"
                + (f" (entries up to #{matched} match)" if matched else ""),
            )
        )
        break
    else:
        report.proven_up_to = matched
    return problems
