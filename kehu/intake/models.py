"""Imports (a kept upload, its mapping, its progress and outcome per row) and mapping presets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.sealed import SealedJSONField
from kehu.customers.consent_gate import ConsentBasis, LawfulBasis


class MappingPreset(models.Model):
    """A saved column mapping {source header: target field}; the built-in ones live in code.

    A preset belongs to whoever saved it: personal, or shared with the owner's team when
    `is_shared`. Its name is unique per owner. Only the owner (or an administrator) changes or
    deletes it. A preset without owner was saved by the system (`kehu import` without --user):
    everyone may use it, administrators manage it."""

    name = models.CharField(_("name"), max_length=80)
    mapping = models.JSONField(_("mapping"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    is_shared = models.BooleanField(_("shared with my team"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="mappingpreset_owner_name"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(owner=None),
                name="mappingpreset_system_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One uploaded file and what became of it. `position` (rows done) moves with each batch."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Stopped; can resume")
        REVERTED = "reverted", _("Reverted")
        INSPECTING = "inspecting", _("Reading the file")
        REFUSED = "refused", _("File refused")

    class OnDuplicate(models.TextChoices):
        UPDATE = "update", _("Update the existing customer")
        SKIP = "skip", _("Skip the row")
        CREATE = "create", _("Create another customer")

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        INTERACTIONS = "interactions", _("Interactions")

    # What the file holds: customers (with their decision makers) or interactions (issue 15).
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.CUSTOMERS)
    original_name = models.CharField(_("file name"), max_length=255)
    file_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_format = models.CharField(max_length=8)  # csv, xlsx, vcf
    encoding = models.CharField(max_length=32, blank=True)
    headers = models.JSONField(default=list, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    sheet = models.PositiveSmallIntegerField(default=0)  # XLSX: the worksheet read (0 = first)
    preset = models.CharField(_("mapping preset"), max_length=80, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    external_source = models.CharField(max_length=50, blank=True)
    on_duplicate = models.CharField(max_length=8, choices=OnDuplicate, default=OnDuplicate.UPDATE)
    status = models.CharField(max_length=16, choices=Status, default=Status.UPLOADED)
    position = models.PositiveIntegerField(default=0)  # data rows committed
    total_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    incomplete = models.PositiveIntegerField(default=0)
    # The last dry run: counts and problems (which quote cells: sealed, kehu.core.sealed).
    preview = SealedJSONField(default=dict, blank=True, whole=True)
    # The bulk path (issue 21): no search documents or per-customer audit entries in step; the
    # index catches up after the load. `bulk_indexes`: the secondary indexes dropped for the
    # load (their DDL), put back when it ends (or when it is resumed after a crash).
    bulk = models.BooleanField(_("bulk load"), default=False)
    bulk_indexes = models.JSONField(default=list, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    # A refused file (status refused): why, by field ("file"), naming the limit, row and column.
    file_errors = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    file_purged_at = models.DateTimeField(null=True, blank=True)
    # The lawful basis the importer records for the people the file brings in (issue 19): each
    # created customer's contacts get one consent per purpose (channel import), none with "none".
    consent_lawful_basis = models.CharField(
        _("lawful basis"), max_length=20, choices=LawfulBasis, default=LawfulBasis.NONE
    )
    consent_purposes = models.JSONField(_("purposes"), default=list, blank=True)
    consent_basis = models.TextField(_("basis stated"), blank=True)
    consent_wording_version = models.CharField(_("wording version"), max_length=40, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return str(_("Import #%(number)s %(name)s")) % {
            "number": self.pk,
            "name": self.original_name,
        }

    @property
    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} skipped={self.skipped} "
            f"failed={self.failed} incomplete={self.incomplete}"
        )

    @property
    def summary_label(self) -> str:
        """The counts as people read them (pages, job progress); `summary` is the CLI's line."""
        return str(
            _(
                "%(created)s created, %(updated)s updated, %(skipped)s skipped, "
                "%(failed)s failed, %(incomplete)s incomplete"
            )
        ) % {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": self.failed,
            "incomplete": self.incomplete,
        }

    @property
    def consent_choice(self) -> ConsentBasis:
        if self.consent_lawful_basis == LawfulBasis.NONE:
            return ConsentBasis()
        return ConsentBasis(
            self.consent_lawful_basis,
            tuple(self.consent_purposes),
            self.consent_basis,
            self.consent_wording_version,
        )

    @property
    def percent(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        return min(100, int(self.position * 100 / self.total_rows)) if self.total_rows else 0


class ImportRow(models.Model):
    """What one input row became; `before` keeps an updated customer's old values for revert."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=8, choices=Outcome)
    external_id = models.CharField(max_length=64, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    customer_no = models.CharField(max_length=24, blank=True)
    is_incomplete = models.BooleanField(default=False)
    errors = SealedJSONField(default=dict, blank=True, whole=True)  # {column: [messages]}
    note = models.CharField(max_length=300, blank=True)  # e.g. which customer it duplicates
    # Failed rows only: the cells, to fix.
    raw = SealedJSONField(default=dict, blank=True, whole=True)
    before = SealedJSONField(null=True, blank=True, whole=True)  # updated rows only
    # Kept although something in it could not be used (a masked phone): {column: [messages]}.
    warnings = SealedJSONField(default=dict, blank=True, whole=True)

    class Meta:
        ordering = ["run", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "row_number"], name="importrow_unique_row"),
        ]
        # "Which row of this import took customer X": asked for every batch's matches.
        indexes = [models.Index(fields=["run", "customer_id"], name="importrow_run_customer_idx")]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.outcome}"
