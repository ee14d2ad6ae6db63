"""Opportunities (商机) and orders/contracts (交易) with their lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Opportunity(models.Model):
    SCOPE_CUSTOMER = "customer"

    class Stage(models.TextChoices):
        INITIAL_CONTACT = "initial_contact", _("Initial contact")
        NEEDS_CONFIRMED = "needs_confirmed", _("Needs confirmed")
        PROPOSAL = "proposal", _("Proposal and quote")
        NEGOTIATION = "negotiation", _("Negotiation")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        CHAT_CAPTURE = "chat_capture", _("Chat capture")
        WEB_FORM = "web_form", _("Web form")
        IMPORT = "import", _("Import")
        API = "api", _("API")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="opportunities"
    )
    title = models.CharField(_("title"), max_length=200)
    expected_amount = models.DecimalField(
        _("expected amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    stage = models.CharField(
        _("stage"), max_length=24, choices=Stage, default=Stage.INITIAL_CONTACT
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    source = models.CharField(_("source"), max_length=16, choices=Origin, default=Origin.MANUAL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "-id"], name="opportunity_customer_idx")]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return self.title


class Order(models.Model):
    SCOPE_CUSTOMER = "customer"

    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    order_no = models.CharField(_("order number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="orders"
    )
    signed_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.SIGNED)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["customer", "-signed_on"], name="order_customer_idx")]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.order_no


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.product
