"""The live system's rule: with KEHU_TRAINING_REQUIRE_CERTIFICATION, a user imports or merges
only once certified (registered as the "import" and "merge" gates of kehu.core.gates)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kehu.core.errors import PermissionDenied

from .databases import active_alias
from .models import Certificate


def is_certified(user: Any) -> bool:
    return Certificate.objects.using("default").filter(trainee_id=user.pk).exists()


def certification_gate(user: Any) -> None:
    """Refuse an import or merge in the live system to a user without a certificate (inside a
    training workspace the trainee practises them freely)."""
    if not settings.KEHU_TRAINING_REQUIRE_CERTIFICATION or user is None:
        return
    if active_alias() is not None:
        return
    if not is_certified(user):
        raise PermissionDenied(
            _(
                "Importing and merging need a training certificate: pass the assessment "
                "under Training first."
            )
        )
