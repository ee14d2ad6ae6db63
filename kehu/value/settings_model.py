"""The value settings as data: one row (pk 1), changed by an administrator (/settings/value/)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueSettings(models.Model):
    # The cube's thresholds: null = the median of the customers with orders (refreshed nightly).
    frequency_threshold = models.FloatField(
        _("purchase frequency threshold"), null=True, blank=True
    )
    aov_threshold = models.FloatField(_("average order value threshold"), null=True, blank=True)
    tenure_threshold_days = models.PositiveIntegerField(
        _("tenure threshold (days)"), null=True, blank=True
    )
    # The medians last measured (the nightly run), used by a one-customer recomputation.
    median_frequency = models.FloatField(null=True, blank=True)
    median_aov = models.FloatField(null=True, blank=True)
    median_tenure_days = models.FloatField(null=True, blank=True)
    # Lifecycle windows (days).
    new_days = models.PositiveIntegerField(_("new customer window (days)"), default=90)
    active_days = models.PositiveIntegerField(_("active window (days)"), default=90)
    dormant_days = models.PositiveIntegerField(_("dormant window (days)"), default=365)
    # Interaction frequency: interactions within interaction_days.
    interaction_days = models.PositiveIntegerField(_("interaction window (days)"), default=90)
    interaction_high = models.PositiveIntegerField(_("high interaction from"), default=6)
    interaction_medium = models.PositiveIntegerField(_("medium interaction from"), default=2)
    # Repurchase rate: orders.
    repurchase_high = models.PositiveIntegerField(_("high repurchase from (orders)"), default=3)
    repurchase_medium = models.PositiveIntegerField(_("medium repurchase from (orders)"), default=2)
    octant_actions = models.JSONField(_("recommended actions"), default=dict, blank=True)
    grade_rules = models.JSONField(_("grade rules"), default=dict, blank=True)
    # The change log's cursor of the per-customer recomputation (kehu.value.services.changes).
    event_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("value settings")
        verbose_name_plural = _("value settings")

    def __str__(self) -> str:
        return "value settings"
