"""Customers (客户基础信息), their contacts (联系人), and the dictionaries they draw from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.contacts.models import Contact as Contact  # moved to kehu.contacts; re-exported
from kehu.core.crypto import BlindIndexed, BlindIndexField, EncryptedCharField
from kehu.core.personal import PersonalClass
from kehu.core.versioning import Versioned


class Industry(models.Model):
    """Two-level managed dictionary: 制造业 › 汽车零部件."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=16, blank=True)
    sort = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="industry_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="industry_unique_top"
            ),
        ]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class Source(models.Model):
    """Where a customer came from (官网注册, 展会拜访, …); an admin may add more."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    sort = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class Customer(Versioned, BlindIndexed):
    UNVERSIONED_FIELDS = frozenset(
        {
            "updated_at",
            "completeness",
            "missing_fields",
            "quality",
            "incomplete_since",
            "last_interaction_at",
        }
    )
    SCOPE_CUSTOMER = ""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        INDIVIDUAL = "individual", _("Individual")

    class Size(models.TextChoices):
        SMALL = "small", _("Small (<100 staff)")
        MEDIUM = "medium", _("Medium (100-500 staff)")
        LARGE = "large", _("Large (>500 staff)")

    class Status(models.TextChoices):
        LEAD = "lead", _("Lead")
        INTENT = "intent", _("Interested")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class BudgetBand(models.TextChoices):
        UNDER_100K = "under_100k", _("<100k")
        FROM_100K_TO_500K = "100k_500k", _("100k-500k")
        OVER_500K = "over_500k", _(">500k")

    class Ownership(models.TextChoices):
        """企业性质 (the standard's basic attributes, issue 17)."""

        STATE = "state", _("State-owned")
        PRIVATE = "private", _("Private")
        FOREIGN = "foreign", _("Foreign-invested")
        OTHER = "other", _("Other")

    class Quality(models.TextChoices):
        COMPLETE = "complete", _("Complete")
        INCOMPLETE = "incomplete", _("Incomplete")
        NEEDS_INFO = "needs_info", _("Needs information")
        TO_VERIFY = "to_verify", _("To verify")

    customer_no = models.CharField(_("customer number"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.COMPANY)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    name_normalized = models.CharField(_("normalised name"), max_length=200, db_index=True)
    # The name's pinyin (kehu.core.normalize.pinyin.name_sort_key): the list sorts names by it.
    name_sort = models.CharField(_("name (sort key)"), max_length=400, blank=True, default="")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"parent__isnull": True},
        db_index=False,  # customer_ind_status_idx starts with it
    )
    sub_industry = models.ForeignKey(
        Industry,
        verbose_name=_("sub-industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    size = models.CharField(_("size"), max_length=16, choices=Size, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership, blank=True, default=""
    )
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    # The most specific GB/T 2260 code of province/city/district (kehu.core.regions), "" when
    # the names do not resolve; indexed by customer_region_idx (filters by prefix as a range).
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    # Stored encrypted, looked up through the blind indexes below (kehu.core.crypto).
    address = EncryptedCharField(_("address"), max_length=300, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedCharField(_("email"), max_length=254, blank=True)
    # A phone that could not be used, kept aside (see contacts.Contact.phone_unusable).
    phone_unusable = EncryptedCharField(_("unusable phone"), max_length=64, blank=True)
    phone_partial = EncryptedCharField(_("partial phone"), max_length=32, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT
    )
    first_contact_date = models.DateField(_("first contact date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.LEAD)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
        db_index=False,  # customer_owner_status_idx starts with it
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,  # customer_team_status_idx starts with it
    )
    budget_band = models.CharField(_("budget band"), max_length=16, choices=BudgetBand, blank=True)
    budget_amount = models.DecimalField(
        _("annual budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    external_source = models.CharField(_("external system"), max_length=50, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    completeness = models.PositiveSmallIntegerField(_("completeness"), default=0)
    missing_fields = models.JSONField(_("missing fields"), default=list, blank=True)
    quality = models.CharField(
        _("data quality"), max_length=16, choices=Quality, default=Quality.INCOMPLETE
    )
    # When the standard's required facts first went missing (None while none is missing).
    incomplete_since = models.DateTimeField(_("incomplete since"), null=True, blank=True)
    last_interaction_at = models.DateTimeField(_("last interaction"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Values of the administrator's custom fields ({key: value}; CustomField, custom_fields.py).
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Keyed tokens of the encrypted phone and e-mail (see contacts.Contact).
    phone_bidx = BlindIndexField(source="phone", kind="phone", db_index=True)
    phone_tail_bidx = BlindIndexField(source="phone", kind="tail", db_index=True)
    email_bidx = BlindIndexField(source="email", kind="email", db_index=True)
    email_domain_bidx = BlindIndexField(source="email", kind="domain", db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                condition=~Q(external_id=""),
                name="customer_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "id"], name="customer_owner_status_idx"),
            models.Index(fields=["team", "status", "id"], name="customer_team_status_idx"),
            models.Index(fields=["status", "industry", "id"], name="customer_status_ind_idx"),
            models.Index(fields=["industry", "status", "id"], name="customer_ind_status_idx"),
            models.Index(fields=["quality", "id"], name="customer_quality_idx"),
            models.Index(fields=["credit_code"], name="customer_credit_code_idx"),
            models.Index(fields=["budget_amount", "id"], name="customer_budget_idx"),
            models.Index(fields=["updated_at", "id"], name="customer_updated_idx"),
            models.Index(fields=["completeness", "id"], name="customer_completeness_idx"),
            models.Index(fields=["name_sort", "id"], name="customer_name_sort_idx"),
            # The list's column sorts (issue 15): each order walks an index instead of sorting
            # every visible row per page; a rep's own branch sorts by last contact the same way.
            models.Index(fields=["status", "id"], name="customer_status_id_idx"),
            models.Index(fields=["industry", "id"], name="customer_industry_id_idx"),
            models.Index(fields=["last_interaction_at", "id"], name="customer_last_contact_idx"),
            models.Index(
                fields=["owner", "last_interaction_at", "id"], name="customer_owner_contact_idx"
            ),
            # A manager's team and support's / marketing's statuses counted by "idle N days"
            # (issue 17): the last contact beside the scope column, read from the index alone.
            models.Index(
                fields=["team", "last_interaction_at", "id"], name="customer_team_contact_idx"
            ),
            models.Index(
                fields=["status", "last_interaction_at", "id"], name="customer_status_contact_idx"
            ),
            # A rep's own branch under the other sorts: without these SQLite sorted the whole
            # book per page (a rep owning 20% of 100,000: 70 ms a page, bench/desk.py).
            models.Index(fields=["owner", "name_sort", "id"], name="customer_owner_name_idx"),
            models.Index(fields=["owner", "industry", "id"], name="customer_owner_ind_idx"),
            models.Index(fields=["owner", "completeness", "id"], name="customer_owner_compl_idx"),
            models.Index(fields=["owner", "updated_at", "id"], name="customer_owner_updated_idx"),
            models.Index(fields=["owner", "team", "id"], name="customer_owner_team_idx"),
            # created_from / created_to (otherwise a scan of every customer; a rep's own branch
            # by its own, or SQLite walked the rep's whole book: 65 ms at 20,000 customers).
            models.Index(fields=["created_at"], name="customer_created_idx"),
            models.Index(fields=["owner", "created_at"], name="customer_owner_created_idx"),
            # A scoped list reads each branch of the scope (own, team, team pool) newest first
            # by walking one of these (kehu.core.pagination, arms): a rep who owns 200,000 of
            # 1,000,000 customers otherwise had all of them sorted for every page (0.5 s).
            models.Index(fields=["owner", "id"], name="customer_owner_id_idx"),
            models.Index(fields=["team", "id"], name="customer_team_id_idx"),
            models.Index(
                fields=["team", "id"], condition=Q(owner__isnull=True), name="customer_pool_idx"
            ),
            # The pool branch under a status filter: without it SQLite walked the team's
            # (team, status, id) entries, ~150,000 at a million customers, to find pool rows.
            models.Index(
                fields=["team", "status", "id"],
                condition=Q(owner__isnull=True),
                name="customer_pool_status_idx",
            ),
            # The list's region filter: every code under a province or city is one range.
            models.Index(fields=["region_code"], name="customer_region_idx"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.customer_no} {self.name}"

    @property
    def region_label(self) -> str:
        """'广东省 深圳市 南山区'; a municipality's city, the same name as its province, once
        ('重庆市 渝中区', not '重庆市 重庆市 渝中区')."""
        city = self.city if self.city != self.province else ""
        return " ".join(part for part in (self.province, city, self.district) if part)


class CustomerStatusChange(models.Model):
    """Every status change, with the reason given for it."""

    SCOPE_CUSTOMER = "customer"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Customer.Status, blank=True)
    to_status = models.CharField(max_length=16, choices=Customer.Status)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The recent 成交 (or any status) changes: support's onboarding tile, the funnel.
            models.Index(fields=["to_status", "changed_at"], name="customer_won_change_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class CustomerShare(models.Model):
    """A customer shared with a user beyond its owner (read access; kehu.accounts.policy)."""

    SCOPE_CUSTOMER = "customer"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_shares"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="customershare_unique"),
        ]
        verbose_name = _("customer share")
        verbose_name_plural = _("customer shares")

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.user_id}"


# --- Duplicate policy: what the on-save check (kehu/customers/services/duplicates.py) does.
# Kept with customers because the check runs inside the customer write path; the tables keep
# the names they had in the dedupe app, which still edits them on its rules page.


class MatchRule(models.Model):
    """What is compared and how: a pair matches when its score and the required fields agree."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    min_score = models.FloatField(_("minimum score"), default=0.9)
    required_fields = models.JSONField(_("fields that must agree"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "dedupe_matchrule"
        ordering = ["id"]
        verbose_name = _("matching rule")
        verbose_name_plural = _("matching rules")

    def __str__(self) -> str:
        return self.name


class DuplicateAction(models.Model):
    """What happens when a rule matches, per place: allow, alert, block or queue for the steward."""

    class Context(models.TextChoices):
        CREATE = "create", _("Create")
        EDIT = "edit", _("Edit")
        IMPORT = "import", _("Import")

    class Action(models.TextChoices):
        ALLOW = "allow", _("Allow")
        ALERT = "alert", _("Alert")
        BLOCK = "block", _("Block")
        QUEUE = "queue", _("Queue for the steward")

    context = models.CharField(_("context"), max_length=16, choices=Context, unique=True)
    action = models.CharField(_("action"), max_length=16, choices=Action, default=Action.ALERT)

    class Meta:
        db_table = "dedupe_duplicateaction"
        ordering = ["context"]
        verbose_name = _("duplicate action")
        verbose_name_plural = _("duplicate actions")

    def __str__(self) -> str:
        return f"{self.context}: {self.action}"


class SavedView(models.Model):
    """A customer list as someone keeps it: its filters, sort and columns (the list page's query
    string), for its owner, or shared with the owner's team."""

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    # Set: the whole team sees the view (the owner's team when it was shared).
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("shared with team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    query = models.CharField(_("filters, sort and columns"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomField(models.Model):
    """A field an administrator adds to customers or contacts (issue 15). Values live in the
    record's `custom_fields` ({key: value}); kehu/customers/custom_fields.py validates them. The
    key never changes after creation; an archived field is hidden, its values are kept."""

    class Entity(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        CONTACT = "contact", _("Contact")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        AMOUNT = "amount", _("Amount")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Single choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")

    entity = models.CharField(_("applies to"), max_length=16, choices=Entity)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("type"), max_length=16, choices=Kind, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    show_in_list = models.BooleanField(_("show in the customer list"), default=False)
    # What its values are (kehu.core.personal): retention, export and erasure follow it.
    personal_class = models.CharField(
        _("personal data class"),
        max_length=16,
        choices=PersonalClass,
        default=PersonalClass.ORDINARY,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["entity", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="customfield_unique_key"),
        ]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.label
