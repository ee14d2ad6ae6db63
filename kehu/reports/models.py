"""Data-quality figures kept over time: a daily snapshot per scope, and the alerts raised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

METRICS = ("completeness_rate", "duplicate_rate", "stale_rate", "timely_rate")
METRIC_LABELS = {
    "completeness_rate": _("Completeness rate"),
    "duplicate_rate": _("Duplicate rate"),
    "stale_rate": _("Stale rate"),
    "timely_rate": _("Entered within 24 h"),
}


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class QualityCounts:
    """The counts every figure is made of, and the four rates computed from them."""

    customers: int
    complete: int
    duplicates: int
    stale: int
    interactions: int
    timely: int

    @property
    def completeness_rate(self) -> float | None:
        return ratio(self.complete, self.customers)

    @property
    def duplicate_rate(self) -> float | None:
        return ratio(self.duplicates, self.customers)

    @property
    def stale_rate(self) -> float | None:
        return ratio(self.stale, self.customers)

    @property
    def timely_rate(self) -> float | None:
        return ratio(self.timely, self.interactions)

    def rate(self, metric: str) -> float | None:
        if metric not in METRICS:
            raise ValueError(metric)
        value: float | None = getattr(self, metric)
        return value


class Scope(models.TextChoices):
    ALL = "all", _("Everyone")
    TEAM = "team", _("Team")
    OWNER = "owner", _("Sales rep")


class QualitySnapshot(QualityCounts, models.Model):
    """One day's figures for one scope: key 'all', 'team:<id>' or 'owner:<id>'."""

    day = models.DateField(_("day"))
    key = models.CharField(max_length=32)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customers = models.PositiveIntegerField(default=0)
    complete = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    timely = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "key"]
        constraints = [
            models.UniqueConstraint(fields=["day", "key"], name="quality_snapshot_unique_day_key")
        ]
        indexes = [models.Index(fields=["key", "day"], name="quality_snapshot_key_idx")]
        verbose_name = _("data-quality snapshot")
        verbose_name_plural = _("data-quality snapshots")

    def __str__(self) -> str:
        return f"{self.day} {self.key}"


class QualityAlert(models.Model):
    """A metric that moved at least KEHU_QUALITY_ALERT_PERCENT away from its baseline."""

    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=24)
    key = models.CharField(max_length=32)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    value = models.FloatField(_("value"))
    baseline = models.FloatField(_("baseline"))
    change = models.FloatField(_("relative change"), null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "key"], name="quality_alert_unique_day_metric_key"
            )
        ]
        verbose_name = _("data-quality alert")
        verbose_name_plural = _("data-quality alerts")

    def __str__(self) -> str:
        return f"{self.day} {self.key} {self.metric} {self.value} (baseline {self.baseline})"

    @property
    def metric_label(self) -> str:
        return str(METRIC_LABELS.get(self.metric, self.metric))

    @property
    def is_worse(self) -> bool:
        """Completeness and timely entry should go up; duplicates and stale records down."""
        higher_is_better = self.metric in ("completeness_rate", "timely_rate")
        return (self.value < self.baseline) if higher_is_better else (self.value > self.baseline)


# --- The analyses (issue 18): source costs and targets, written by kehu.reports.analyses.services.
from .analyses.models import SourceCost, Target  # noqa: E402, F401

# --- Dashboards and named reports (issue 18): stored figures and their settings.


class ReportSnapshot(models.Model):
    """Figures computed on the worker for a whole scope (key 'all', 'team:<id>'), so that a page
    over a million customers reads one row; the page shows `generated_at` as its freshness."""

    kind = models.CharField(_("kind"), max_length=32)
    key = models.CharField(max_length=32, default="all")
    data = models.JSONField(_("data"), default=dict)
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="report_snapshot_unique_kind_key")
        ]
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.generated_at:%Y-%m-%d %H:%M}"


class ReportSetting(models.Model):
    """One editable report setting (a KPI target, the dormancy window); defaults in code."""

    key = models.CharField(_("setting"), max_length=48, unique=True)
    value = models.FloatField(_("value"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report setting")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


from .analyses.facts import InteractionDayFact  # noqa: E402, F401
