"""No module over 500 lines outside migrations and tests (issue 13.7, STYLE.md §9): a longer one
becomes a package or sibling modules, split by responsibility."""

from __future__ import annotations

from pathlib import Path

import kehu

LIMIT = 500
ROOT = Path(kehu.__file__).resolve().parent


def _counted(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return not (
        "migrations" in parts
        or "tests" in parts
        or path.name == "conftest.py"
        or path.name.startswith("test_")
    )


def test_the_walk_sees_the_modules() -> None:
    counted = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py") if _counted(p)}
    assert {"settings.py", "core/search_index/write.py", "sandbox/gen_cn_customers.py"} <= counted
    assert "core/tests/test_module_sizes.py" not in counted
    assert not any("/migrations/" in name for name in counted)


def test_no_module_is_over_500_lines() -> None:
    too_long = {}
    for path in sorted(ROOT.rglob("*.py")):
        if _counted(path):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                too_long[path.relative_to(ROOT).as_posix()] = lines
    assert too_long == {}, f"split these into packages or sibling modules: {too_long}"
