"""Append-only audit log: who changed what, when, from where, with before/after values."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.sealed import SealedJSONField


class AuditEntry(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        RULE = "rule", _("Rule")
        CLI = "cli", _("Command line")
        SYSTEM = "system", _("System")

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True)
    changes = SealedJSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.SYSTEM)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64)
    # The target's version after this entry (kehu.core.versioning), for a versioned target: what
    # a conflict shows as "changed since your version" (kehu.audit.conflicts).
    target_version = models.PositiveIntegerField(_("target version"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer_id", "-id"], name="audit_customer_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_label}"
        )

    def content(self) -> dict[str, object]:
        """What the hash covers: every column but the hash itself."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_label": self.target_label,
            "customer_id": self.customer_id,
            "changes": self.changes,
            "note": self.note,
            "source": self.source,
            "ip": self.ip,
            "prev_hash": self.prev_hash,
            # Entries from before versions keep the content (and hash) they were written with.
            **({"target_version": self.target_version} if self.target_version is not None else {}),
        }


class ReadEntry(models.Model):
    """One read: a customer's 360 page opened, a search (the query, not its results), an export,
    a revealed value. One insert each, no chain of its own: reads are many and the pages that
    write them are latency-sensitive. They are kept KEHU_AUDIT_READ_RETENTION_DAYS days.

    Tamper evidence comes from seals: `kehu audit_purge_reads` (nightly) seals each day of reads
    with one entry in the change log's hash chain (action "audit.reads_sealed": the id range, the
    count and a SHA-256 digest of the entries), then deletes whole sealed days past the retention
    and records that in the chain too ("audit.reads_purged": up to which id). `kehu audit_verify`
    recomputes every seal that is not purged (kehu.audit.services.reads).
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("Customer page opened")
        SEARCH = "search", _("Search")
        EXPORT = "export", _("Export")
        REVEAL = "reveal", _("Revealed value")

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # (actor, id) below
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    query = models.TextField(_("query"), blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    source = models.CharField(
        _("source"), max_length=16, choices=AuditEntry.Source, default=AuditEntry.Source.SYSTEM
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["kind", "id"], name="audit_read_kind_idx"),
            models.Index(fields=["customer_id", "id"], name="audit_read_customer_idx"),
            models.Index(fields=["actor", "id"], name="audit_read_actor_idx"),
        ]
        verbose_name = _("read entry")
        verbose_name_plural = _("read entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.kind} {self.target_label}"

    def content(self) -> list[object]:
        """What a seal's digest covers: every column."""
        return [
            self.pk,
            self.created_at.isoformat(),
            self.actor_id,
            self.actor_name,
            self.kind,
            self.customer_id,
            self.target_label,
            self.query,
            self.row_count,
            self.source,
            self.ip,
        ]


class DailyVolume(models.Model):
    """Customer rows one user pulled on one day: list API pages, search results and exports
    together (the export volume rule, kehu.customers.pull_volume). One upsert per request.

    `limit_rows` is the day's limit, fixed at the day's first pull (NULL: not set yet);
    `is_lifted` means no limit today (no rule, an administrator, or an approved export).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(_("day"))
    row_count = models.PositiveBigIntegerField(_("rows"), default=0)
    limit_rows = models.BigIntegerField(_("daily limit"), null=True, blank=True)
    is_lifted = models.BooleanField(_("limit lifted"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="audit_volume_user_day"),
        ]
        verbose_name = _("daily volume")
        verbose_name_plural = _("daily volumes")

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.row_count}"


class AuditCheckpoint(models.Model):
    """One signed checkpoint of the change log's hash chain (kehu.audit.services.anchor): the
    last entry's number and hash at that moment, signed with the Ed25519 key that lives outside
    the database, written to KEHU_AUDIT_CHECKPOINT_DIR and/or POSTed to the webhook. This row
    lists it for the audit pages; the proof is the signed copy outside the database."""

    class Delivery(models.TextChoices):
        NONE = "", _("Not configured")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(_("time"), db_index=True)
    seq = models.PositiveBigIntegerField(_("up to entry"))
    entry_hash = models.CharField(_("entry hash"), max_length=64)
    key_fingerprint = models.CharField(_("key fingerprint"), max_length=64)
    signature = models.TextField(_("signature"))
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    webhook = models.CharField(
        _("webhook"), max_length=8, choices=Delivery, default=Delivery.NONE, blank=True
    )
    webhook_error = models.CharField(_("webhook error"), max_length=255, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"#{self.seq} {self.created_at:%Y-%m-%d %H:%M}"


class ExportReport(models.Model):
    """An export someone reported as suspicious (kehu.customers.export_reports): the change log's
    export entry, who reported it and why. One report per export; administrators, executives
    and data stewards list them at /audit/export-reports/."""

    entry = models.OneToOneField(
        AuditEntry,
        verbose_name=_("export"),
        on_delete=models.CASCADE,
        related_name="export_report",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reported export")
        verbose_name_plural = _("reported exports")

    def __str__(self) -> str:
        return str(_("Suspicious export #%(id)s")) % {"id": self.entry_id}
