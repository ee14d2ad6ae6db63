"""Capture data: web-form leads and their assignment rules, e-mail domains, chat tag rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.crypto import BlindIndexed, BlindIndexField, EncryptedCharField


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


class Lead(BlindIndexed):
    """One web-form submission, with its consent and what became of it. Its e-mail and mobile
    are encrypted at rest (kehu.core.crypto); look-ups use their blind indexes."""

    SCOPE_CUSTOMER = "customer"

    class Outcome(models.TextChoices):
        CREATED = "created", _("New customer created")
        ATTACHED = "attached", _("Attached to an existing customer")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="web_leads"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome)
    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_autofilled = models.BooleanField(_("company auto-filled"), default=False)
    email = EncryptedCharField(_("email"), max_length=254, blank=True)
    mobile = EncryptedCharField(_("mobile"), max_length=40, blank=True)
    email_bidx = BlindIndexField(source="email", kind="email", db_index=True)
    mobile_bidx = BlindIndexField(source="mobile", kind="phone", db_index=True)
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
