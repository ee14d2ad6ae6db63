"""Upload: keep the file and queue its reading; reading it (on the worker, or in process for the
CLI) finds format, encoding, worksheet and header, counts the rows within the limits
(kehu/intake/limits.py) and proposes a mapping. A file past a limit is refused, and deleted."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import ValidationFailed, one_of
from kehu.core.gates import gate_check
from kehu.core.text import clean_text
from kehu.customers.services import PermissionDenied

from ..limits import FileTooLarge, check_bytes
from ..models import ImportRun
from ..readers import count_rows, file_format_of, inspect_file
from ..validators import KIND_PRESETS
from .common import can_import, import_consent_apply, refused_kind_message
from .mapping import _apply_preset, preset_check


def upload_name(name: str) -> str:
    """The file's own name, without folders, control characters (a NUL broke the upload) or
    bidi overrides; 'upload' when nothing is left; at most 255 characters, the suffix kept."""
    text = clean_text(name).replace("\\", "/")
    base = Path(text).name.strip(" .") or "upload"
    if len(base) > 255:
        suffix = Path(base).suffix[:16]
        base = base[: 255 - len(suffix)] + suffix
    return base


def import_upload(
    *,
    actor: User | None,
    name: str,
    chunks: Iterable[bytes],
    size: int | None = None,
    preset: str = "",
    on_duplicate: str = ImportRun.OnDuplicate.UPDATE,
    inspect: bool = False,
    kind: str = ImportRun.Kind.CUSTOMERS,
    consent_lawful_basis: str = "",
    consent_purposes: Sequence[str] = (),
    consent_basis: str = "",
    consent_wording_version: str = "",
) -> ImportRun:
    """Keep the file (at most KEHU_UPLOAD_MAX_BYTES) and return its import, status inspecting:
    the caller queues import_inspect (tasks.import_read_queue), or with `inspect` it is read
    here (the CLI). Nothing of the file is parsed in a request. `kind`: customers (CSV, XLSX or
    vCard) or interactions (CSV or XLSX). The consent_* arguments record the lawful basis of the
    people the file brings in (import_consent_apply; default none recorded)."""
    kind = kind or ImportRun.Kind.CUSTOMERS
    if kind not in ImportRun.Kind.values:
        raise ValidationFailed({"kind": [one_of(ImportRun.Kind.values)]})
    if actor is not None and not can_import(actor, kind):
        raise PermissionDenied(refused_kind_message(kind))
    if actor is not None:
        gate_check("import", actor)  # e.g. a training certificate first (kehu.training)
    if on_duplicate not in ImportRun.OnDuplicate.values:
        raise ValidationFailed({"on_duplicate": [_("Choose update, skip or create.")]})
    safe_name = upload_name(name)
    file_format = file_format_of(safe_name)
    if kind == ImportRun.Kind.INTERACTIONS and file_format == "vcf":
        raise ValidationFailed({"file": [_("Interactions are imported from CSV or XLSX files.")]})
    preset_check(preset, actor)
    run = ImportRun(kind=kind)
    import_consent_apply(
        run,
        lawful_basis=consent_lawful_basis,
        purposes=consent_purposes,
        basis=consent_basis,
        wording_version=consent_wording_version,
    )
    if size is not None:
        check_bytes(size)
    folder = Path(settings.KEHU_IMPORT_DIR) / uuid.uuid4().hex
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # uploads: owner only
    folder.mkdir(mode=0o700)
    path = folder / safe_name
    digest = hashlib.sha256()
    written = 0
    try:
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            for chunk in chunks:
                written += len(chunk)
                check_bytes(written)  # a body longer than it said, or no size given
                digest.update(chunk)
                handle.write(chunk)
    except (FileTooLarge, OSError):
        shutil.rmtree(folder, ignore_errors=True)
        raise
    run.original_name = safe_name
    run.file_path = str(path)
    run.file_sha256 = digest.hexdigest()
    run.file_format = file_format
    run.status = ImportRun.Status.INSPECTING
    run.preset = preset
    run.on_duplicate = on_duplicate
    run.created_by = actor
    run.save(force_insert=True)
    if inspect:
        import_inspect(run)
    return run


def import_inspect(
    run: ImportRun, *, on_progress: Callable[[int], None] | None = None
) -> ImportRun:
    """Read the kept file: format, encoding, worksheet, header, rows (every row within the
    limits) and the proposed mapping; the import is then ready for its mapping step. A file past
    a limit or unreadable is refused: the import keeps why (file_errors), the file is deleted,
    and the ValidationFailed naming the limit, row and column is raised."""
    path = Path(run.file_path)
    try:
        if not run.file_path or not path.exists():
            raise ValidationFailed(
                {"file": [_("The uploaded file is no longer kept; upload it again.")]}
            )
        info = inspect_file(path, run.original_name)
        run.total_rows = count_rows(path, info, on_progress=on_progress)
        run.encoding, run.headers, run.header_row, run.sheet = (
            info.encoding,
            info.headers,
            info.header_row,
            info.sheet,
        )
        default = "vcard" if info.file_format == "vcf" else KIND_PRESETS.get(run.kind, "")
        _apply_preset(run, run.preset or default)
    except ValidationFailed as exc:
        import_refuse(run, exc.errors)
        raise
    run.status = ImportRun.Status.UPLOADED
    run.save()
    return run


@transaction.atomic
def import_refuse(run: ImportRun, errors: dict[str, list[str]]) -> None:
    """Mark an import's file refused (why, by field) and delete the file."""
    if run.file_path:
        shutil.rmtree(Path(run.file_path).parent, ignore_errors=True)
    run.status = ImportRun.Status.REFUSED
    run.file_errors = errors
    run.message = "; ".join(" ".join(messages) for messages in errors.values())
    run.file_path = ""
    run.save(update_fields=["status", "file_errors", "message", "file_path"])
    audit_record(
        actor=run.created_by,
        action=AuditAction.IMPORT_REFUSED,
        target=run,
        changes={"file_errors": errors},
    )


def unknown_columns(run: ImportRun) -> list[str]:
    return [h for h in run.headers if h and h not in run.mapping]
