"""Issue 14.20: the data folder, the secret key and uploads are Kehu's user's alone.

A fresh data folder is 0700 and its secret key 0600 whatever the umask; an uploaded import file
is kept 0600 in a 0700 folder. Modes are checked with the usual umask 022 in force.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kehu.intake.models import ImportRun


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_fresh_data_folder_and_secret_key_are_private(tmp_path, usual_umask):
    data = tmp_path / "fresh" / "data"
    env = {**os.environ, "KEHU_DATA_DIR": str(data)}
    for name in ("KEHU_DATABASE_URL", "KEHU_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "kehu", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "static") == 0o700
    assert len((data / "secret_key").read_text()) > 40
    # A second start reads the same key and leaves the modes alone.
    again = subprocess.run(
        [sys.executable, "-m", "kehu", "check"], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert mode(data / "secret_key") == 0o600


def test_an_uploaded_import_is_private(client, settings, rep, tmp_path, usual_umask):
    settings.KEHU_IMPORT_DIR = tmp_path / "uploads"
    client.force_login(rep)
    upload = io.BytesIO("客户名称,手机\n杭州云帆软件有限公司,13800138000\n".encode())
    upload.name = "客户.csv"
    response = client.post("/api/v1/imports", {"file": upload})
    assert response.status_code in (201, 202), response.content
    kept = Path(ImportRun.objects.get().file_path)
    assert kept.read_bytes().startswith("客户名称".encode())
    assert mode(kept) == 0o600
    assert mode(kept.parent) == 0o700
    assert mode(tmp_path / "uploads") == 0o700


def test_the_upload_page_keeps_files_private_too(client, settings, rep, tmp_path, usual_umask):
    settings.KEHU_IMPORT_DIR = tmp_path / "uploads"
    client.force_login(rep)
    upload = io.BytesIO("客户名称,手机\n杭州云帆软件有限公司,13800138000\n".encode("gb18030"))
    upload.name = "customers.csv"
    response: Any = client.post("/imports/", {"file": upload})
    assert response.status_code in (200, 302), response.content
    kept = Path(ImportRun.objects.get().file_path)
    assert mode(kept) == 0o600 and mode(kept.parent) == 0o700
