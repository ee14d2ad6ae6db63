"""Segments (客户分群): a saved filter of the customer list, private or shared, with an optional
recurring follow-up rule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    """A named customer-list filter. `query` is the list's own query string (status=won&tag=VIP,
    the parameters /api/v1/customers takes); each reader sees its customers through their own
    visibility, so one shared segment counts differently for a rep and for their manager.

    Visibility: private (the owner; administrators too, to tidy up), team (the owner's team
    when it was shared), company (everyone; managers, executives, stewards and administrators
    may share so widely)."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only me")
        TEAM = "team", _("My team")
        COMPANY = "company", _("Whole company")

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")

    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="segments",
    )
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility, default=Visibility.PRIVATE
    )
    # The team a team segment is shared with: the owner's team when it was shared.
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("shared with team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="segments",
    )
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    # The recurring follow-up rule: blank cadence, no rule.
    followup_cadence = models.CharField(
        _("follow-up cadence"), max_length=16, choices=Cadence, blank=True
    )
    followup_title = models.CharField(_("follow-up task title"), max_length=200, blank=True)
    followup_due_days = models.PositiveSmallIntegerField(_("task due in (days)"), default=3)
    # The first day of the last period whose tasks were created (once per period).
    followup_period = models.DateField(_("last follow-up period"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="segment_unique_name"),
        ]
        indexes = [
            models.Index(fields=["visibility", "team"], name="segment_shared_idx"),
            models.Index(fields=["followup_cadence"], name="segment_cadence_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class SegmentTask(models.Model):
    """A follow-up task a segment's rule created: which segment, which period. An open one
    keeps the rule from creating another for the same customer."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="tasks")
    follow_up = models.OneToOneField(
        "interactions.FollowUp", on_delete=models.CASCADE, related_name="segment_task"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="segment_tasks"
    )
    period = models.DateField(_("period"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "customer", "period"], name="segment_task_once_per_period"
            ),
        ]
        indexes = [models.Index(fields=["segment", "customer"], name="segment_task_customer_idx")]

    def __str__(self) -> str:
        return f"{self.segment_id}/{self.period}/{self.customer_id}"
