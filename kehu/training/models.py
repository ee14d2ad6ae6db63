"""Training: a trainee's workspace (an isolated copy of the sandbox), the checks they ran, timed
assessments and certificates. These rows live in the live database; the workspace's own data
lives in its own database (kehu.training.databases)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Workspace(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_workspaces",
        verbose_name=_("trainee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    template_key = models.CharField(_("sandbox version"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reset_at = models.DateTimeField(_("reset at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("training workspace")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class CheckRun(models.Model):
    """One press of a scenario's check button: each step's result as it was."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="check_runs")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scenario_id = models.CharField(_("scenario"), max_length=64)
    scenario_version = models.PositiveIntegerField(_("scenario version"))
    passed = models.BooleanField(_("passed"), default=False)
    steps_passed = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    results = models.JSONField(default=list)
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["trainee", "scenario_id"], name="training_run_trainee_idx")]

    def __str__(self) -> str:
        return (
            f"{self.scenario_id} v{self.scenario_version}: {self.steps_passed}/{self.steps_total}"
        )


class Assessment(models.Model):
    """A timed assessment: the scenarios it is made of, fixed when it starts."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_assessments"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="assessments")
    scenarios = models.JSONField(default=list)  # [{"id": ..., "version": ...}]
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    deadline = models.DateTimeField(_("deadline"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=0)
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.score}/{self.max_score}"


class Certificate(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_certificates"
    )
    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="certificate"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(_("score"))
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    scenario_versions = models.JSONField(default=list)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.score}/{self.max_score}"
