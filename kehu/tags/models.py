"""The governed tag library (issue 17): tag types, tags with a description and an optional
exclusive group, and the tags on customers with where each came from.

Users apply tags from the library only; a new tag is requested and the data steward approves it
(kehu.review). A customer carries at most one tag of an exclusive group (高价值 / 中价值 / 低价值):
applying one replaces the other (kehu.tags.services.tag_apply)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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


# --- Keyword auto-tags and decaying tags (issue 17): rules as data, their history

DEFAULT_NEGATIONS = ["不", "没有", "没", "无", "未", "别", "不是", "不要", "不需要"]


def default_negations() -> list[str]:
    return list(DEFAULT_NEGATIONS)


def default_texts() -> list[str]:
    return ["interaction", "chat", "customer_notes", "followup_notes"]


class KeywordTagRule(models.Model):
    """A keyword or phrase in a text puts a library tag on its customer (预算有限 → 价格敏感型).
    Matched on jieba-segmented clauses; a negation word before the keyword in the same clause
    cancels it (kehu.tags.rules.keywords)."""

    class Text(models.TextChoices):
        INTERACTION = "interaction", _("Interaction summaries (calls, visits, e-mails …)")
        CHAT = "chat", _("Chat captures (WeChat)")
        CUSTOMER_NOTES = "customer_notes", _("Customer notes")
        FOLLOWUP_NOTES = "followup_notes", _("Follow-up task notes")

    name = models.CharField(_("name"), max_length=100, unique=True)
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.PROTECT, related_name="keyword_rules"
    )
    keywords = models.JSONField(_("keywords"), default=list)
    negations = models.JSONField(_("negation words"), default=default_negations, blank=True)
    texts = models.JSONField(_("texts read"), default=default_texts)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_run_count = models.PositiveIntegerField(_("customers tagged by the last run"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("keyword tag rule")
        verbose_name_plural = _("keyword tag rules")

    def __str__(self) -> str:
        return self.name


class TagDecayRule(models.Model):
    """Expiry: a tag not re-triggered for `days` is removed or replaced. Streak: a customer's last
    `streak` interactions all have an outcome in `outcomes` -> the tag is replaced."""

    class Kind(models.TextChoices):
        EXPIRY = "expiry", _("Not re-triggered for a number of days")
        STREAK = "streak", _("Consecutive interaction outcomes")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.PROTECT, related_name="decay_rules"
    )
    # None: the tag is removed (its history stays).
    replace_with = models.ForeignKey(
        Tag,
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    streak = models.PositiveIntegerField(_("consecutive interactions"), null=True, blank=True)
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_run_count = models.PositiveIntegerField(_("customers changed by the last run"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag decay rule")
        verbose_name_plural = _("tag decay rules")

    def __str__(self) -> str:
        return self.name


class TagChange(models.Model):
    """What a keyword or decay rule did to a customer's tags (the customer's and rule's history)."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        REPLACED = "replaced", _("Replaced")
        REMOVED = "removed", _("Removed")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tag_changes"
    )
    kind = models.CharField(_("change"), max_length=16, choices=Kind)
    source = models.CharField(_("applied by"), max_length=16, choices=CustomerTag.Source)
    rule_name = models.CharField(_("rule"), max_length=100, blank=True)
    keyword_rule = models.ForeignKey(
        KeywordTagRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    decay_rule = models.ForeignKey(
        TagDecayRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    from_tag = models.CharField(_("from"), max_length=50, blank=True)
    to_tag = models.CharField(_("to"), max_length=50, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="tag_change_customer_idx"),
            models.Index(fields=["decay_rule", "-created_at"], name="tag_change_decay_idx"),
            models.Index(fields=["keyword_rule", "-created_at"], name="tag_change_keyword_idx"),
        ]
        verbose_name = _("tag change")
        verbose_name_plural = _("tag changes")

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.from_tag}->{self.to_tag}"


class AutoTagCursor(models.Model):
    """How far the keyword rules have read the change log (kehu.tags.rules.events)."""

    key = models.CharField(max_length=40, unique=True)
    seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}@{self.seq}"
