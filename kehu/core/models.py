"""Shared building blocks: numbering counters and background-job progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .job_results import job_result_lines


class Counter(models.Model):
    """One row per numbering sequence (e.g. 'CX202611'); `last` is the last number issued."""

    key = models.CharField(max_length=64, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


class Job(models.Model):
    """A background task as people see it: what it is, who started it, how far it got.

    The process running it (host, pid, process start) and its heartbeat say whether it is alive:
    a job whose process is gone or that has not reported for KEHU_JOB_STALE_SECONDS is stale and
    is queued again (is_resumable) or marked failed (kehu.core.jobs). `attempt` counts claims:
    only the attempt that claimed a job last may write its progress or its end."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Stop(models.TextChoices):
        """Why the job last stopped before its end (shown in words on the job page)."""

        NONE = "", _("Not stopped")
        SHUTDOWN = "shutdown", _("The worker was shut down")
        WORKER_GONE = "worker_gone", _("The worker process stopped")
        SILENT = "silent", _("The worker stopped reporting")
        TASK_ENDED = "task_ended", _("The task ended without finishing the job")

    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    # What to enqueue again to resume it: the task's dotted path and its keyword arguments.
    task_path = models.CharField(max_length=255, blank=True)
    task_kwargs = models.JSONField(default=dict, blank=True)
    is_resumable = models.BooleanField(_("resumable"), default=False)
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    worker_host = models.CharField(_("worker host"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("worker process"), null=True, blank=True)
    worker_process = models.CharField(max_length=80, blank=True)  # boot id and start time
    stop = models.CharField(_("stopped because"), max_length=16, choices=Stop, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    resumed = models.PositiveSmallIntegerField(_("times resumed"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="core_job_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def result_lines(self) -> list[tuple[str, Any]]:
        """The result as [(label, value)] in the active language ("Candidate pairs", 352)."""
        return job_result_lines(self.kind, self.result or {})


class SearchDocument(models.Model):
    """One searchable thing (a customer, a contact, an interaction summary, later a tag).

    Written by kehu.core.search_index in the same transaction as the record it describes; read
    by kehu.search. Text is stored simplified, lower case; encrypted fields of the record only
    as blind terms (`tokens`, issue 19). owner/team/status copy the customer's,
    so kehu.accounts.policy.visibility_q scopes documents like customers (SCOPE_CUSTOMER = "").
    """

    SCOPE_CUSTOMER = ""
    SCOPE_CUSTOMER_ID = "customer_id"  # shares are per customer, not per document

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        CONTACT = "contact", _("Contact")
        INTERACTION = "interaction", _("Interaction")

    kind = models.CharField(max_length=16, choices=Kind)
    object_id = models.BigIntegerField()
    customer_id = models.BigIntegerField(db_index=True)
    # Not indexed on purpose: the substring indexes carry them as scope tokens, and an index
    # here tempts the planner to scan all of a rep's documents instead of the few matches.
    owner = models.BigIntegerField(null=True, blank=True)
    team = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, blank=True)
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    # Keys for the exact and prefix tiers (B-tree indexed).
    name_key = models.CharField(max_length=200, blank=True, db_index=True)
    pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    initials = models.CharField(max_length=100, blank=True, db_index=True)
    codes = models.CharField(max_length=300, blank=True)  # customer number, credit code
    tags = models.TextField(blank=True)  # filled by a tags app through search_set_tags()
    # Everything searchable, for the substring engines (FTS5 trigram / pg_trgm).
    text = models.TextField(blank=True)
    # CJK bigrams of `text`, the blind terms and the scope words (PostgreSQL only; SQLite keeps
    # them in the search_bigram FTS5 table).
    grams = models.TextField(blank=True)
    # Blind terms of the record's encrypted values (phones, e-mails, ids, address), space
    # separated (kehu.core.search_index.tokens): no plaintext of them is in the document.
    tokens = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchdoc_unique_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday (date.weekday())


class CompanySettings(models.Model):
    """The company's own settings: one row (pk 1), changed by administrators on
    /settings/company/ or through /api/v1/settings/company. Until the row exists the environment
    gives every value (TIME_ZONE, KEHU_HOLIDAYS, KEHU_EXTRA_WORKDAYS, ...); read it through
    kehu.core.company.company_settings(), which caches it."""

    SINGLETON_ID = 1
    DEFAULT_POOL_CLAIM_LIMIT = 10  # as accounts.Team.DEFAULT_CLAIM_LIMIT

    name = models.CharField(_("company name"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # Weekday numbers that are business days (0 Monday ... 6 Sunday).
    working_days = models.JSONField(_("working days"), default=default_working_days)
    # ISO dates that are not business days, and weekend dates that are (China's 调休).
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    extra_workdays = models.JSONField(_("extra working days"), default=list, blank=True)
    # Customers one person may claim from a team pool per day, whatever the team allows.
    pool_claim_limit = models.PositiveIntegerField(
        _("pool claims per person a day"), default=DEFAULT_POOL_CLAIM_LIMIT
    )
    # Roles that sign in with a second factor (role codes, or ["all"]); NULL: the server's
    # KEHU_2FA_ROLES. KEHU_REQUIRE_2FA=false turns two-factor sign-in off whatever this says.
    two_factor_roles = models.JSONField(_("two-factor sign-in for"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="core_company_settings_singleton")
        ]

    def __str__(self) -> str:
        return self.name or "company settings"


class PeriodClaim(models.Model):
    """One row per (periodic task, period) that some worker queued: the unique pair is what
    makes a nightly run, a snapshot or a reminder scan run once per period however many workers
    start at once, on either task backend (kehu.core.periodic)."""

    key = models.CharField(max_length=255)  # the task's path and its arguments
    period = models.BigIntegerField()  # the run's moment (seconds since 1970) // the period
    claimed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "period"], name="core_period_claim_once")
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.period}"
