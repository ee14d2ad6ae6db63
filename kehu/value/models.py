"""What a customer is worth and where it stands (issue 17): one row per customer, recomputed when
its orders or interactions change and nightly for all.

RFM from orders (1-5 quintiles within the company's own customers), the value cube (purchase
frequency x average order value x tenure, high/low each) giving one of 8 octants, a grade A/B/C,
the lifecycle stage, the standard's behaviour and value levels, and the propensity model's churn
and repurchase likelihoods. Customers without orders have no R/F/M (null), never a made-up 1."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Lifecycle(models.TextChoices):
    NEW = "new", _("New customer")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class CustomerValue(models.Model):
    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="value",
        verbose_name=_("customer"),
    )
    # RFM (null without orders)
    last_order_date = models.DateField(_("last order"), null=True, blank=True)
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2, default=0)
    avg_order_value = models.DecimalField(
        _("average order value"), max_digits=16, decimal_places=2, default=0
    )
    r = models.PositiveSmallIntegerField("R", null=True, blank=True)
    f = models.PositiveSmallIntegerField("F", null=True, blank=True)
    m = models.PositiveSmallIntegerField("M", null=True, blank=True)
    rfm_score = models.PositiveSmallIntegerField(_("RFM score"), null=True, blank=True)
    # The value cube: an octant code (diamond … watch), blank when it cannot be placed.
    octant = models.CharField(_("value octant"), max_length=16, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade, blank=True)
    lifecycle = models.CharField(_("lifecycle"), max_length=16, choices=Lifecycle, blank=True)
    # The standard's behaviour level …
    interaction_level = models.CharField(
        _("interaction frequency"), max_length=8, choices=Level, blank=True
    )
    channel_preference = models.CharField(_("channel preference"), max_length=16, blank=True)
    product_interest = models.CharField(_("product interest"), max_length=200, blank=True)
    # … and value level (the budget band lives on the customer).
    tenure_band = models.CharField(_("cooperation length"), max_length=8, blank=True)
    repurchase_level = models.CharField(
        _("repurchase rate"), max_length=8, choices=Level, blank=True
    )
    # The propensity model's likelihoods (0-1), null while it is off.
    churn_probability = models.FloatField(_("churn likelihood"), null=True, blank=True)
    repurchase_probability = models.FloatField(_("repurchase likelihood"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")
        indexes = [
            models.Index(fields=["octant"], name="value_octant_idx"),
            models.Index(fields=["grade"], name="value_grade_idx"),
            models.Index(fields=["lifecycle"], name="value_lifecycle_idx"),
            models.Index(fields=["rfm_score"], name="value_rfm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.octant or '-'} {self.grade or '-'}"
