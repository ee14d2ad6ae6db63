"""Hand-overs: a departing user's customers, opportunities and follow-ups go to successors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandOver(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handovers"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {customer_no: successor username, or "" for the team pool}
    assignments = models.JSONField(_("assignments"), default=dict)
    summary = models.JSONField(_("summary"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.user_id}"
