"""Contacts (联系人): the people at a customer and their role in the decision chain.

A contact belongs to its customer (the aggregate root): edges change contacts through
kehu.customers.services (contact_create / contact_update / contact_delete), which keep the
customer's completeness, reachability and review rules; this app's services write the rows.
The table keeps its original name (customers_contact) from before the app existed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.crypto import BlindIndexed, BlindIndexField, EncryptedCharField
from kehu.core.versioning import Versioned


class Contact(Versioned, BlindIndexed):
    UNVERSIONED_FIELDS = frozenset({"updated_at"})
    SCOPE_CUSTOMER = "customer"

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class ContactType(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PROSPECT = "prospect", _("Prospect")
        PARTNER = "partner", _("Partner")
        SUPPLIER = "supplier", _("Supplier")
        AFTER_SALES = "after_sales", _("After-sales service")

    class DecisionRole(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        BUDGET_APPROVER = "budget_approver", _("Budget approver")
        TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
        END_USER = "end_user", _("End user")
        INFLUENCER = "influencer", _("Influencer")

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="contacts",
        db_index=False,  # contact_customer_idx starts with it
    )
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(_("name (pinyin)"), max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    # Personal fields are stored encrypted (kehu.core.crypto; kehu.core.personal lists them);
    # look-ups go through their blind indexes (the *_bidx fields below).
    mobile = EncryptedCharField(_("mobile"), max_length=40, blank=True)
    landline = EncryptedCharField(_("landline"), max_length=40, blank=True)
    email = EncryptedCharField(_("email"), max_length=254, blank=True)
    wechat = EncryptedCharField(_("WeChat"), max_length=64, blank=True)
    qq = EncryptedCharField(_("QQ"), max_length=16, blank=True)
    address = EncryptedCharField(_("address"), max_length=300, blank=True)
    # A phone that could not be used (masked 138****5678, no area code), kept aside as given:
    # never a way to reach the person; a masked one's visible digits help duplicate matching.
    phone_unusable = EncryptedCharField(_("unusable phone"), max_length=64, blank=True)
    phone_partial = EncryptedCharField(_("partial phone"), max_length=32, blank=True)
    contact_type = models.CharField(
        _("contact type"), max_length=16, choices=ContactType, default=ContactType.CUSTOMER
    )
    decision_role = models.CharField(
        _("decision-chain role"), max_length=24, choices=DecisionRole, blank=True
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    has_left = models.BooleanField(_("left the company"), default=False)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    # Values of the administrator's custom fields for contacts (kehu.customers.CustomField).
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Keyed tokens (HMAC) of the encrypted values: exact phone and e-mail look-ups, the last 4
    # digits of a mobile, an e-mail's domain (duplicate checks, search, web-form leads).
    mobile_bidx = BlindIndexField(source="mobile", kind="phone", db_index=True)
    mobile_tail_bidx = BlindIndexField(source="mobile", kind="tail", db_index=True)
    landline_bidx = BlindIndexField(source="landline", kind="phone", db_index=True)
    email_bidx = BlindIndexField(source="email", kind="email", db_index=True)
    email_domain_bidx = BlindIndexField(source="email", kind="domain", db_index=True)

    class Meta:
        db_table = "customers_contact"
        ordering = ["-is_primary", "has_left", "id"]
        indexes = [
            models.Index(fields=["customer", "is_primary"], name="contact_customer_idx"),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    @property
    def is_reachable(self) -> bool:
        return bool(self.mobile or self.landline or self.email or self.wechat)
