"""Consent, data-subject requests, erasures and retention policies (issue 19, PIPL and GDPR)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.crypto import EncryptedCharField
from kehu.customers.consent_gate import ConsentPurpose, LawfulBasis


class Consent(models.Model):
    """One consent a person gave for one purpose, through one channel, under one wording; live
    until withdrawn. PIPL asks for separate consent to process sensitive personal information and
    to hand data to third parties or abroad: those are purposes of their own."""

    SCOPE_CUSTOMER = "customer"

    Purpose = ConsentPurpose  # kehu.customers.consent_gate: the capture paths check them too

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        IMPORT = "import", _("Import")
        CARD = "card", _("Business card capture")
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")
        PAPER = "paper", _("Signed form")
        API = "api", _("API")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consents"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    basis = models.TextField(_("basis stated"), blank=True)
    # The lawful basis the record stands on (issue 19): consent, or for service only a contract
    # or an existing customer relationship (what an import or a card capture states).
    lawful_basis = models.CharField(
        _("lawful basis"),
        max_length=20,
        choices=[c for c in LawfulBasis.choices if c[0] != LawfulBasis.NONE],
        default=LawfulBasis.CONSENT,
    )
    wording_version = models.CharField(_("wording version"), max_length=40, blank=True)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)
    lead = models.ForeignKey(
        "capture.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The import that brought the person in and recorded this (channel import).
    import_run = models.ForeignKey(
        "intake.ImportRun",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "purpose"], name="consent_customer_idx"),
            models.Index(fields=["contact", "purpose"], name="consent_contact_idx"),
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_channel_display()})"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class SubjectRequest(models.Model):
    """A person's request to see, correct or erase what is held about them, with its deadline
    (KEHU_PRIVACY_REQUEST_DAYS after it was received)."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access / export")
        CORRECTION = "correction", _("Correction")
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedCharField(_("email"), max_length=254, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()


class RetentionPolicy(models.Model):
    """How long one kind of data is kept: run nightly on the worker when enabled."""

    class Kind(models.TextChoices):
        LOST_CUSTOMERS = "lost_customers", _("Anonymise lost customers' personal data")
        STALE_LEADS = "stale_leads", _("Anonymise leads that never converted")
        IMPORT_FILES = "import_files", _("Delete uploaded import files")
        READ_AUDIT = "read_audit", _("Delete read-log entries")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    days = models.PositiveIntegerField(_("after days"))
    is_enabled = models.BooleanField(_("enabled"), default=False)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return self.name


class RetentionRun(models.Model):
    """One run of a policy (or its dry-run preview): what it matched and what it did."""

    policy = models.ForeignKey(RetentionPolicy, on_delete=models.CASCADE, related_name="runs")
    is_dry_run = models.BooleanField(_("dry run"), default=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.policy_id} {self.started_at:%Y-%m-%d}"


class Erasure(models.Model):
    """A customer or contact whose identity was erased (by a request or a policy): retention
    policies skip it, and the erasure's own record names no one."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        CONTACT = "contact", _("Contact")
        LEAD = "lead", _("Web-form lead")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    object_id = models.BigIntegerField()
    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="erasures"
    )
    policy = models.ForeignKey(
        RetentionPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="privacy_erasure_unique")
        ]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
