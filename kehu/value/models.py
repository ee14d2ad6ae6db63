"""What a customer is worth and where it stands (issue 17): one row per customer, recomputed when
its orders or interactions change and nightly for all.

RFM from orders (1-5 quintiles within the company's own customers), the value cube (purchase
frequency x average order value x tenure, high/low each) giving one of 8 octants, a grade A/B/C,
the lifecycle stage, the standard's behaviour and value levels, and the propensity model's churn
and repurchase likelihoods. Customers without orders have no R/F/M (null), never a made-up 1."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .octants import OCTANT_NAMES
from .settings_model import ValueSettings as ValueSettings  # a model of this app


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Lifecycle(models.TextChoices):
    # not the "New customer" button (新建客户): a customer in their first months (新客户)
    NEW = "new", pgettext_lazy("customer lifecycle", "New customer")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class CustomerValue(models.Model):
    # Derived: a merge lets the merged customer's row go with it (cascade) and the survivor's
    # is recomputed from the rows moved to it (kehu.customers.services.merge).
    MERGE_DERIVED = True
    # The octants as choices, for the customer list's filter (kehu.customers reads it by name).
    OCTANT_CHOICES = [(code, name) for code, name in OCTANT_NAMES.items()]

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="value",
        verbose_name=_("customer"),
    )
    # RFM (null without orders)
    first_order_date = models.DateField(_("first order"), null=True, blank=True)
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


# --- Propensity (churn / repurchase likelihood) and freshness by value (issue 17)


class PropensityRun(models.Model):
    """One training of a propensity model: its honest evaluation on a time-based hold-out (the
    last snapshot, never seen in training), and the fitted model (scaler + logistic regression
    as plain numbers) the scores were written with."""

    class Kind(models.TextChoices):
        CHURN = "churn", _("Churn")
        REPURCHASE = "repurchase", _("Repurchase")

    class Status(models.TextChoices):
        OK = "ok", _("Trained")
        INSUFFICIENT = "insufficient_data", _("Not enough history")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    trained_at = models.DateTimeField(_("trained at"))
    status = models.CharField(_("status"), max_length=20, choices=Status)
    message = models.TextField(_("message"), blank=True)
    horizon_days = models.PositiveIntegerField(_("horizon (days)"), default=180)
    test_cutoff = models.DateField(_("hold-out cutoff"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("training rows"), default=0)
    positives = models.PositiveIntegerField(_("positives"), default=0)
    test_rows = models.PositiveIntegerField(_("hold-out rows"), default=0)
    test_positives = models.PositiveIntegerField(_("hold-out positives"), default=0)
    auc = models.FloatField("AUC", null=True, blank=True)
    brier = models.FloatField("Brier", null=True, blank=True)
    calibration = models.JSONField(_("calibration"), default=list, blank=True)
    model = models.JSONField(_("model"), default=dict, blank=True)
    scored = models.PositiveIntegerField(_("customers scored"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["kind", "-trained_at"], name="propensity_run_idx")]
        verbose_name = _("propensity training")
        verbose_name_plural = _("propensity trainings")

    def __str__(self) -> str:
        return f"{self.kind} {self.trained_at:%Y-%m-%d} {self.status}"


class VerificationCadence(models.Model):
    """How often a customer of a grade (or with the VIP tag) must be verified."""

    class Key(models.TextChoices):
        VIP = "vip", _("VIP tag")
        A = "A", _("Grade A")
        B = "B", _("Grade B")
        C = "C", _("Grade C")
        NONE = "none", _("No grade")

    key = models.CharField(_("grade"), max_length=8, choices=Key, unique=True)
    days = models.PositiveIntegerField(_("every (days)"), default=0)  # 0: never

    class Meta:
        ordering = ["id"]
        verbose_name = _("verification cadence")
        verbose_name_plural = _("verification cadences")

    def __str__(self) -> str:
        return f"{self.key}: {self.days}"


class BehaviourTrigger(models.Model):
    """min_count events of a kind within window_days (optionally only for customers at a
    lifecycle stage) -> a review task for the owner, linked to the event that fired it."""

    name = models.CharField(_("name"), max_length=100)
    event_kind = models.CharField(_("event kind"), max_length=16)
    min_count = models.PositiveIntegerField(_("at least (events)"), default=1)
    window_days = models.PositiveIntegerField(_("within (days)"), default=7)
    lifecycle = models.CharField(_("lifecycle"), max_length=16, choices=Lifecycle, blank=True)
    task_title = models.CharField(_("task title"), max_length=150)
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("behaviour trigger")
        verbose_name_plural = _("behaviour triggers")

    def __str__(self) -> str:
        return self.name


class TriggerFiring(models.Model):
    """A trigger fired for a customer on an event (once per trigger window)."""

    trigger = models.ForeignKey(BehaviourTrigger, on_delete=models.CASCADE, related_name="firings")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "interactions.BehaviourEvent", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_at = models.DateTimeField(_("event at"))
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        indexes = [models.Index(fields=["trigger", "customer", "-event_at"], name="firing_idx")]

    def __str__(self) -> str:
        return f"{self.trigger_id} {self.customer_id} {self.event_at:%Y-%m-%d}"
