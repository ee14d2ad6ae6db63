"""What a user has not read yet of the release notes."""

from __future__ import annotations

from typing import Any

from .content import ReleaseNotes, newer_than, whatsnew
from .models import WhatsNewSeen


def whatsnew_seen_version(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    row = WhatsNewSeen.objects.filter(user_id=user.pk).values_list("version", flat=True).first()
    return row


def whatsnew_unseen(user: Any, language: str | None = None) -> list[ReleaseNotes]:
    """Release notes newer than the last the user opened (none for a signed-out visitor)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return newer_than(whatsnew_seen_version(user), whatsnew(language))
