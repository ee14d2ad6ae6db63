"""The analyses' own data (issue 18): what a source cost per month, and targets per rep or
team. Loaded by kehu/reports/models.py (app label `reports`); written only by
kehu.reports.analyses.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceCost(models.Model):
    """What a source (展会, 百度推广 …) cost in one month; the acquisition analysis divides it by
    the customers the source brought that month."""

    source = models.ForeignKey(
        "customers.Source", verbose_name=_("source"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-month", "source_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "month"], name="source_cost_unique_month")
        ]
        verbose_name = _("source cost")
        verbose_name_plural = _("source costs")

    def __str__(self) -> str:
        return f"{self.source_id} {self.month:%Y-%m} {self.amount}"


class Target(models.Model):
    """A target for one rep or one team over a month or a quarter, for one metric."""

    class ScopeKind(models.TextChoices):
        USER = "user", _("Sales rep")
        TEAM = "team", _("Team")

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    class Metric(models.TextChoices):
        REVENUE = "revenue", _("Revenue")
        WON_DEALS = "won_deals", _("Won deals")
        NEW_CUSTOMERS = "new_customers", _("New customers")

    scope = models.CharField(_("for"), max_length=8, choices=ScopeKind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    period = models.CharField(_("period"), max_length=8, choices=Period)
    period_start = models.DateField(_("period start"))
    metric = models.CharField(_("metric"), max_length=16, choices=Metric)
    amount = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    # 'user:<id>' or 'team:<id>': one target per holder, period and metric.
    key = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "key", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "period", "period_start", "metric"], name="target_unique_holder"
            )
        ]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")

    def __str__(self) -> str:
        return f"{self.key} {self.period} {self.period_start} {self.metric} {self.amount}"
