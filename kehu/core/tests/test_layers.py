"""The layering of STYLE.md §1 holds: an app imports only the apps below it (import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_apps_import_only_the_apps_below_them():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(
        [lint], cwd=settings.REPO_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
