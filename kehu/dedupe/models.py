"""Candidate duplicate pairs, steward decisions, merges (with what undo needs), rules, actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.sealed import SealedJSONField


class DuplicatePair(models.Model):
    """Two customers that may be one company: score, explanation and the steward's decision."""

    SCOPE_CUSTOMER = "customer_a"

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
        MERGED = "merged", _("Merged")

    class Source(models.TextChoices):
        SCAN = "scan", _("Scan")
        CHECK = "check", _("On save")
        IMPORT = "import", _("Import")

    customer_a = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    customer_b = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    weight = models.FloatField(_("match weight"), default=0)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.SCAN)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer_a", "customer_b"], name="dedupe_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(customer_a__lt=models.F("customer_b")), name="dedupe_pair_order"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="dedupe_pair_status_idx")]
        verbose_name = _("duplicate pair")
        verbose_name_plural = _("duplicate pairs")

    def __str__(self) -> str:
        return f"{self.customer_a_id}~{self.customer_b_id} {self.score:.3f}"


class Merge(models.Model):
    """One merge: the survivor, a full copy of the merged record, and what moved, folded and was
    dropped, so that an undo brings everything back. While it stands it is also the record of
    where the merged customer's number leads (its old addresses redirect to the survivor).

    Written since the merge went through the apps' services: `survivor_changes` is set. Older
    rows (None) kept `survivor_before` as {field: value} and `moved` as {label: {field: ids}},
    with the dropped rows and pairs inside `merged_snapshot`; kehu/dedupe/records.py reads both.
    """

    SCOPE_CUSTOMER = "survivor"

    survivor = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    merged_customer_id = models.BigIntegerField(_("merged customer id"))
    merged_customer_no = models.CharField(_("merged customer number"), max_length=24, db_index=True)
    # Every column of the merged customer ({column: value}; older rows: Django's serializer).
    merged_snapshot = SealedJSONField(_("merged record"), default=dict, whole=True)
    survivor_before = SealedJSONField(_("survivor before"), default=dict, whole=True)
    # {column: [before, after]} of what the merge changed on the survivor.
    survivor_changes = SealedJSONField(_("survivor changes"), null=True, blank=True, whole=True)
    # {label: [ids]} of the rows given to the survivor.
    moved = models.JSONField(_("moved rows"), default=dict)
    # What customers.services.merge.customer_contacts_absorb returned: moved, primary, folded
    # (each fold: the contact kept, the merged one's columns, the fields it filled, its links).
    contacts = SealedJSONField(_("contacts"), default=dict, blank=True, whole=True)
    # {label: [rows]} removed because the survivor had their like (a tag, a share, a pair).
    dropped = SealedJSONField(_("dropped rows"), default=dict, blank=True, whole=True)
    # A later merge that took this one's survivor away: undo that one first.
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pair = models.ForeignKey(
        DuplicatePair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_customer_no} -> {self.survivor_id}"
