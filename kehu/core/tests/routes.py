"""Every route of the URL configuration, for tests that walk them all (the permission matrix,
the zh-hans crawl)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver


def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    """(the route's full pattern, its URLPattern) for every route under `patterns`."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append((prefix + str(pattern.pattern), pattern))
    return found
