"""Upload: keep the file; read its format, encoding and header; propose a mapping."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from kehu.core.errors import ValidationFailed
from kehu.customers.services import PermissionDenied

from ..models import ImportRun
from ..readers import count_rows, inspect_file
from .common import can_import
from .mapping import _apply_preset

def import_upload(
    *,
    actor: Any,
    name: str,
    chunks: Iterable[bytes],
    preset: str = "",
    on_duplicate: str = ImportRun.OnDuplicate.UPDATE,
) -> ImportRun:
    """Keep the file, detect format, encoding and header, and propose a mapping."""
    if actor is not None and not can_import(actor):
        raise PermissionDenied("Your role may not import customers.")
    if on_duplicate not in ImportRun.OnDuplicate.values:
        raise ValidationFailed({"on_duplicate": ["Choose update, skip or create."]})
    folder = Path(settings.KEHU_IMPORT_DIR) / uuid.uuid4().hex
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # uploads: owner only
    folder.mkdir(mode=0o700)
    safe_name = Path(name).name or "upload"
    path = folder / safe_name
    digest = hashlib.sha256()
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
    try:
        info = inspect_file(path, safe_name)
        run = ImportRun(
            original_name=safe_name[:255],
            file_path=str(path),
            file_sha256=digest.hexdigest(),
            file_format=info.file_format,
            encoding=info.encoding,
            headers=info.headers,
            header_row=info.header_row,
            sheet=info.sheet,
            on_duplicate=on_duplicate,
            created_by=actor if getattr(actor, "pk", None) else None,
            total_rows=count_rows(path, info),
        )
        _apply_preset(run, preset or ("vcard" if info.file_format == "vcf" else ""))
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    run.save()
    return run


def unknown_columns(run: ImportRun) -> list[str]:
    return [h for h in run.headers if h and h not in run.mapping]
