"""The governed tag library (issue 17): tag types, tags with a description and an optional
exclusive group, and the tags on customers with where each came from.

Users apply tags from the library only; a new tag is requested and the data steward approves it
(kehu.review). A customer carries at most one tag of an exclusive group (高价值 / 中价值 / 低价值):
applying one replaces the other (kehu.tags.services.tag_apply)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TagType(models.Model):
    """行业标签 / 需求标签 / 价值标签 / 风险标签 / 渠道标签, and those admins add."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # The standard's five: they can be renamed and described, not deleted.
    is_builtin = models.BooleanField(_("built in"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("tag type")
        verbose_name_plural = _("tag types")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    # Null only for tags from before the library (shown as "unclassified" until an admin types them).
    type = models.ForeignKey(
        TagType,
        verbose_name=_("tag type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tags",
    )
    description = models.TextField(_("description"), blank=True)
    # Tags sharing a non-empty group cannot coexist on one customer (高价值 / 中价值 / 低价值).
    exclusive_group = models.CharField(_("exclusive group"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomerTag(models.Model):
    SCOPE_CUSTOMER = "customer"

    class Source(models.TextChoices):
        USER = "user", _("A person")
        RULE = "rule", _("Keyword rule")
        IMPORT = "import", _("Import")
        WORKFLOW = "workflow", _("Workflow rule")
        DECAY = "decay", _("Decay rule")
        SYSTEM = "system", _("Computed")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="customer_tags"
    )
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="customer_tags")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # What applied it: a person (added_by), a keyword rule, an import, a workflow rule, …
    source = models.CharField(_("applied by"), max_length=16, choices=Source, default=Source.USER)
    # The rule's, import's or workflow rule's name when not a person.
    source_label = models.CharField(_("rule"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The sentence a keyword rule matched (shown on the customer's page).
    evidence = models.TextField(_("evidence"), blank=True)
    # When a rule last found it again (decay rules count from here; added_at when never).
    last_triggered_at = models.DateTimeField(_("last triggered"), null=True, blank=True)

    class Meta:
        ordering = ["tag__name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "tag"], name="customer_tag_unique")
        ]
        indexes = [models.Index(fields=["tag", "customer"], name="customer_tag_tag_idx")]
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.tag_id}"
