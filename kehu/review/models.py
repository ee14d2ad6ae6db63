"""The one review queue: every change that waits for a person, and the rules that hold them.

A ReviewItem is written by the owning app's service when one of its guards holds a change
(kehu/customers/services/guards.py: approval rules, then anomaly rules): the payload to replay,
a readable diff (field labels and display values, only the fields that change) and the reason.
Approval replays the payload through the owning app's service (kehu/review/appliers.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.sealed import SealedJSONField


class ReviewRule(models.Model):
    """A kind of change that waits for a person. `threshold` means, per kind:

    approval: unused (a sales rep's change of a key field or to 成交/流失 waits for the manager);
    amount_jump: the factor (10 = a budget set to ≥ 10× the old one);
    large_budget: the amount (yuan) from which a new or changed budget waits;
    vip_phone: the budget (yuan) above which a customer is a VIP (a 'VIP' tag also makes one);
    bulk_change: the most customers one action may change without review;
    export_volume: the rows a user may pull in a day (list API pages and exports together)
        before an export waits; also at most this factor over their usual daily volume.
    """

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Key change by a sales rep")
        AMOUNT_JUMP = "amount_jump", _("Budget jumps")
        LARGE_BUDGET = "large_budget", _("Very large budget")
        VIP_PHONE = "vip_phone", _("A VIP's phone changes")
        BULK_CHANGE = "bulk_change", _("Bulk status or owner change")
        EXPORT_SPIKE = "export_spike", _("Unusually large export")
        DUPLICATE = "duplicate", _("Probable duplicate, queued for the data steward")
        TAG_REQUEST = "tag_request", _("A new tag for the library, for the data steward")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind, unique=True)
    threshold = models.DecimalField(_("threshold"), max_digits=16, decimal_places=2, default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("review rule")
        verbose_name_plural = _("review rules")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.threshold})"


class ReviewItem(models.Model):
    """One held change: applied only when a reviewer approves it."""

    SCOPE_CUSTOMER = "customer"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")

    class Action(models.TextChoices):
        CUSTOMER_CREATE = "customer_create", _("New customer")
        CUSTOMER_UPDATE = "customer_update", _("Customer change")
        CONTACT_UPDATE = "contact_update", _("Contact change")
        BULK_UPDATE = "bulk_update", _("Bulk change")
        EXPORT = "export", _("Export")
        DUPLICATE = "duplicate", _("Probable duplicate")
        TAG_REQUEST = "tag_request", _("New tag request")

    action = models.CharField(_("action"), max_length=16, choices=Action)
    rule = models.CharField(_("rule"), max_length=16, choices=ReviewRule.Kind)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_items",
    )
    # What the owning service replays on approval (its own input, JSON-ready).
    payload = SealedJSONField(_("payload"), default=dict)
    # [{"field": "budget_amount", "label": "年度预算", "before": "5万", "after": "500万"}, ...]
    diff = SealedJSONField(_("changes"), default=list, whole=True)
    reason = models.TextField(_("reason"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    note = models.TextField(_("review note"), blank=True)
    used_at = models.DateTimeField(null=True, blank=True)  # an approved export, once downloaded
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "team", "-id"], name="review_status_team_idx"),
            models.Index(fields=["requested_by", "status"], name="review_requester_idx"),
        ]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()}: {self.reason}"
