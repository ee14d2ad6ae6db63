"""Workflow rules ("when … if … then …", kept as data), the record of their firings, the event
cursor over the audit log, and webhook subscriptions with their delivery log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    class Trigger(models.TextChoices):
        STATUS_CHANGED = "status_changed", _("Customer status changed")
        STAGE_CHANGED = "stage_changed", _("Opportunity stage changed")
        CUSTOMER_CREATED = "customer_created", _("Customer created")
        FIELD_CHANGED = "field_changed", _("Customer field changed")
        TASK_OVERDUE = "task_overdue", _("Task overdue")
        NO_INTERACTION = "no_interaction", _("No interaction for N days")
        LEAD_UNCLAIMED = "lead_unclaimed", _("Lead unclaimed in the team pool for N hours")
        OPPORTUNITY_OVERDUE = "opportunity_overdue", _("Opportunity past its close date")
        LIFECYCLE_CHANGED = "lifecycle_changed", _("Customer lifecycle changed")

    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(_("key"), max_length=50, blank=True, default="")  # shipped defaults
    is_enabled = models.BooleanField(_("enabled"), default=True)
    trigger = models.CharField(_("when"), max_length=32, choices=Trigger)
    params = models.JSONField(_("trigger settings"), default=dict, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    last_fired_at = models.DateTimeField(_("last fired"), null=True, blank=True)
    last_fired_label = models.CharField(_("last fired on"), max_length=255, blank=True)
    last_fired_link = models.CharField(max_length=300, blank=True)
    fire_count = models.PositiveIntegerField(_("times fired"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """One firing of a rule on one target for one occurrence (an audit entry, or the moment a
    time rule's state began): unique, so a rule never fires twice for the same state."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    occurrence = models.CharField(max_length=64)
    # The state's start, typed, for the time rules' set-based "fired already?" test.
    state_at = models.DateTimeField(null=True, blank=True)
    state_on = models.DateField(null=True, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    fired_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "target_type", "target_id", "occurrence"],
                name="rule_firing_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.target_type}#{self.target_id} {self.occurrence}"


class EventCursor(models.Model):
    """How far a reader of the audit log has got (the last `seq` it processed)."""

    key = models.CharField(max_length=50, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key}@{self.last_seq}"


class Webhook(models.Model):
    class Topic(models.TextChoices):
        CUSTOMER = "customer", _("Customers")
        CONTACT = "contact", _("Contacts")
        INTERACTION = "interaction", _("Interactions")
        OPPORTUNITY = "opportunity", _("Opportunities")
        ORDER = "order", _("Orders")
        TASK = "task", _("Tasks")

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=100)
    topics = models.JSONField(_("events"), default=list, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=64)
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True)
    body = models.TextField()
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["webhook", "-id"], name="webhook_delivery_idx")]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"
