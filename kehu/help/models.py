"""What a user has read of the help: the last "what's new" version they saw."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WhatsNewSeen(models.Model):
    """One row a user: the newest release notes they have opened (the badge counts newer ones)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="whatsnew_seen",
        verbose_name=_("user"),
    )
    version = models.CharField(_("version"), max_length=20)
    seen_at = models.DateTimeField(_("seen at"), auto_now=True)

    class Meta:
        verbose_name = _("release notes seen")
        verbose_name_plural = _("release notes seen")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.version}"
