"""Capture data: web-form leads and their rules, chat rules, anomaly rules and the review queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentRule(models.Model):
    """Who gets a web-form lead: the first active rule (by priority) whose conditions match.

    Empty conditions match anything. With an owner the lead goes to that user; else to the
    team's active reps in turn (round-robin, the cursor is `last_assigned`).
    """

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    province = models.CharField(_("province or region"), max_length=50, blank=True)
    industry = models.ForeignKey(
        "customers.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("lead assignment rule")
        verbose_name_plural = _("lead assignment rules")

    def __str__(self) -> str:
        return self.name


class EmailDomain(models.Model):
    """Admin-kept directory: e-mail domain -> company name (for auto-filling web-form leads)."""

    domain = models.CharField(_("domain"), max_length=100, unique=True)
    company = models.CharField(_("company"), max_length=200)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("e-mail domain")
        verbose_name_plural = _("e-mail domains")

    def __str__(self) -> str:
        return f"{self.domain} → {self.company}"


class Lead(models.Model):
    """One web-form submission, with its consent and what became of it."""

    SCOPE_CUSTOMER = "customer"

    class Outcome(models.TextChoices):
        CREATED = "created", _("New customer created")
        ATTACHED = "attached", _("Attached to an existing customer")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="web_leads"
    )
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome)
    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_autofilled = models.BooleanField(_("company auto-filled"), default=False)
    email = models.CharField(_("email"), max_length=254, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    consent_purpose = models.TextField(_("consent purpose"))
    consent_at = models.DateTimeField(_("consent given at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL)
    duplicate_score = models.FloatField(_("duplicate score"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("web-form lead")
        verbose_name_plural = _("web-form leads")

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"


class ChatTagRule(models.Model):
    """Chat capture: put `tag` on the draft when `field` `op` `value` holds."""

    class Field(models.TextChoices):
        QUANTITY = "quantity", _("Quantity")
        BUDGET = "budget_amount", _("Budget (yuan)")
        TEXT = "text", _("Message text")
        PRODUCT = "product", _("Product")

    class Op(models.TextChoices):
        GTE = "gte", _("at least")
        LTE = "lte", _("at most")
        CONTAINS = "contains", _("contains")

    tag = models.CharField(_("tag"), max_length=50)
    field = models.CharField(_("field"), max_length=16, choices=Field)
    op = models.CharField(_("condition"), max_length=16, choices=Op)
    value = models.CharField(_("value"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("chat tag rule")
        verbose_name_plural = _("chat tag rules")

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value} → {self.tag}"


class AnomalyRule(models.Model):
    """A kind of change that waits for a human. `threshold` means, per kind:

    amount_jump: the factor (10 = new value ≥ 10× the old budget);
    vip_phone: the budget (yuan) above which a customer is a VIP (a 'VIP' tag also makes one);
    bulk_change: the most customers one action may change without review;
    export_spike: the factor over the user's trailing average export size.
    """

    class Kind(models.TextChoices):
        AMOUNT_JUMP = "amount_jump", _("Budget jumps")
        VIP_PHONE = "vip_phone", _("A VIP's phone changes")
        BULK_CHANGE = "bulk_change", _("Bulk status or owner change")
        EXPORT_SPIKE = "export_spike", _("Unusually large export")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind, unique=True)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("anomaly rule")
        verbose_name_plural = _("anomaly rules")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.threshold})"


class PendingChange(models.Model):
    """A held edit, bulk change, import row or export: applied only when a reviewer approves."""

    SCOPE_CUSTOMER = "customer"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")

    class Action(models.TextChoices):
        CUSTOMER_UPDATE = "customer_update", _("Customer change")
        BULK_UPDATE = "bulk_update", _("Bulk change")
        EXPORT = "export", _("Export")

    action = models.CharField(_("action"), max_length=16, choices=Action)
    kind = models.CharField(_("rule"), max_length=16, choices=AnomalyRule.Kind)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(_("payload"), default=dict)
    reason = models.TextField(_("reason"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    used_at = models.DateTimeField(null=True, blank=True)  # an approved export, once downloaded
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "team", "-id"], name="pending_status_team_idx")]
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()}: {self.reason}"


class ReviewAlert(models.Model):
    """Tells a manager that a change by one of their people waits for review."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_alerts"
    )
    pending = models.ForeignKey(PendingChange, on_delete=models.CASCADE, related_name="alerts")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("review alert")
        verbose_name_plural = _("review alerts")

    def __str__(self) -> str:
        return f"{self.recipient_id} ← #{self.pending_id}"
