"""The generator's copy in kehu/sandbox (gen_cn_customers.py and the gen_cn package beside it,
split to keep each module under 500 lines) writes the same files as the shared generator it was
copied from, run as a file (as `kehu demo` runs it) and as a module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

COPY = Path(settings.REPO_DIR) / "kehu" / "sandbox" / "gen_cn_customers.py"
SHARED = Path(settings.REPO_DIR).parent / "shared" / "data" / "gen_cn_customers.py"
ARGS = ["--customers", "400", "--seed", "5", "--dup-rate", "0.3", "--hard-negative-rate", "0.2"]
FILES = ("customers", "contacts", "interactions", "orders", "events", "duplicates")


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.csv").read_bytes() for name in FILES}


def test_the_copy_runs_as_a_file_and_as_a_module(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(COPY), *ARGS, "--out", str(tmp_path / "file")],
                   check=True, capture_output=True, cwd=tmp_path)  # fmt: skip
    subprocess.run([sys.executable, "-m", "kehu.sandbox.gen_cn_customers", *ARGS,
                    "--out", str(tmp_path / "module")],
                   check=True, capture_output=True, cwd=settings.REPO_DIR)  # fmt: skip
    written = _files(tmp_path / "file")
    assert written == _files(tmp_path / "module")
    assert written["customers"].count(b"\n") > 400  # the header, 400 companies and their repeats
    assert written["duplicates"].count(b"\n") > 50


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared/data beside the clone")
def test_the_copy_writes_what_the_shared_generator_writes(tmp_path: Path) -> None:
    for script, out in ((SHARED, "shared"), (COPY, "copy")):
        subprocess.run([sys.executable, str(script), *ARGS, "--out", str(tmp_path / out)],
                       check=True, capture_output=True)  # fmt: skip
    assert _files(tmp_path / "copy") == _files(tmp_path / "shared")
