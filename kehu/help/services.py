"""The one write of the help: remembering which release notes a user has seen."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.errors import ValidationFailed

from .content import VERSION, version_key, whatsnew
from .models import WhatsNewSeen


@transaction.atomic
def whatsnew_mark_seen(*, actor: User, version: str | None = None) -> str | None:
    """Record that the actor has read the notes up to `version` (default: the newest). Never
    moves back: an older version than the one recorded changes nothing. Returns the version
    recorded. (A read receipt, not a change to business data: not audited.)"""
    notes = whatsnew()
    if version is None:
        if not notes:
            return None
        version = notes[0].version
    if not VERSION.match(version) or version not in {n.version for n in notes}:
        raise ValidationFailed(
            {"version": [_("No release notes for version %(v)s.") % {"v": version}]}
        )
    row, created = WhatsNewSeen.objects.select_for_update().get_or_create(
        user=actor, defaults={"version": version}
    )
    if not created and version_key(version) > version_key(row.version):
        row.version = version
        row.save(update_fields=["version", "seen_at"])
    return row.version
