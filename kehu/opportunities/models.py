"""Opportunities (商机) and orders/contracts (交易) with their lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.versioning import Versioned


class Opportunity(Versioned):
    UNVERSIONED_FIELDS = frozenset({"updated_at", "stage_changed_at"})
    SCOPE_CUSTOMER = "customer"
    # Set by opportunity_update on a move to Won: what became of the customer's status
    # ("already", "changed", "held" for approval, "refused"); not stored.
    customer_won: str = ""

    class Stage(models.TextChoices):
        INITIAL_CONTACT = "initial_contact", _("Initial contact")
        NEEDS_CONFIRMED = "needs_confirmed", _("Needs confirmed")
        PROPOSAL = "proposal", _("Proposal and quote")
        NEGOTIATION = "negotiation", _("Negotiation")
        # also customer statuses (成交客户, 流失客户): the context keeps 赢单 and 输单 apart
        WON = "won", pgettext_lazy("opportunity stage", "Won")
        LOST = "lost", pgettext_lazy("opportunity stage", "Lost")

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
    # When it entered its stage (the stage history's days in the previous stage count from it).
    stage_changed_at = models.DateTimeField(_("stage changed at"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        "LostReason",
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    won_order = models.ForeignKey(
        "Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="won_opportunities",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "-id"], name="opportunity_customer_idx"),
            # The pipeline: a team's board by stage, a rep's forecast by close month.
            models.Index(
                fields=["stage", "owner", "expected_close_date"], name="opportunity_stage_owner_idx"
            ),
            models.Index(
                fields=["owner", "expected_close_date"], name="opportunity_owner_close_idx"
            ),
            # A board column in close-date order: walked in order, the scope checked per row.
            models.Index(
                fields=["stage", "expected_close_date", "id"], name="opportunity_stage_close_idx"
            ),
            # The analyses (issue 18): a period's new opportunities (funnel) and deals won in
            # a period (team), read as a range instead of every opportunity.
            models.Index(fields=["created_at"], name="opportunity_created_idx"),
            models.Index(
                fields=["stage", "stage_changed_at"], name="opportunity_stage_changed_idx"
            ),
        ]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return self.title


class Order(Versioned):
    UNVERSIONED_FIELDS = frozenset({"updated_at"})
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
        indexes = [
            models.Index(fields=["customer", "-signed_on"], name="order_customer_idx"),
            # The analyses (issue 18): a period's orders (team, value) as a range.
            models.Index(fields=["signed_on"], name="order_signed_idx"),
        ]
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


class LostReason(models.Model):
    """Why an opportunity was lost (输单原因): an editable list; a reason in use is archived,
    not deleted."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return self.name


class OpportunityStageChange(models.Model):
    """One move of an opportunity from a stage to another (creation: from "")."""

    SCOPE_CUSTOMER = "opportunity__customer"

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from stage"), max_length=24, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=24)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"))
    days_in_previous_stage = models.PositiveIntegerField(
        _("days in the previous stage"), null=True, blank=True
    )

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="stage_change_opp_idx")]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class StageProbability(models.Model):
    """How likely an opportunity in a stage is won (0-100 %): weighs the forecast; editable by
    administrators."""

    stage = models.CharField(_("stage"), max_length=24, choices=Opportunity.Stage, unique=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("stage probability")
        verbose_name_plural = _("stage probabilities")

    def __str__(self) -> str:
        return f"{self.stage} {self.probability}%"


class Product(models.Model):
    """The product catalogue: what opportunity lines are made of, with a list price."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, unique=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class OpportunityLine(models.Model):
    """A product and quantity on an opportunity; the lines add up to its expected amount."""

    SCOPE_CUSTOMER = "opportunity__customer"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"
