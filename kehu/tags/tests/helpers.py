"""For tests: put tags in the library (users apply tags from the library only)."""

from __future__ import annotations

from kehu.tags.models import Tag


def library(*names: str) -> list[Tag]:
    """The library tags of these names, created (unclassified) when missing."""
    return [Tag.objects.get_or_create(name=name)[0] for name in names]
