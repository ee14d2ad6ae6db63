"""API schemas for customers and contacts. Inputs are loose (strings as people type them);
the services' rules decide, so the API, forms and imports accept and refuse the same values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict

from kehu.accounts.policy import sees_amount_bands
from kehu.core.api_utils import Paged
from kehu.core.validators import amount_band

from .custom_fields import custom_fields_out
from .masking import custom_out_shown, free_text_shown, pii_value
from .models import Contact, Customer, CustomField
from .validators import FIELD_LABELS

Scalar = str | int | float | None


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class DecisionMakerIn(StrictIn):
    name: str | None = None
    title: str | None = None
    mobile: Scalar = None
    phone: Scalar = None
    email: str | None = None
    wechat: str | None = None
    gender: str | None = None
    department: str | None = None


class RegionIn(StrictIn):
    province: str | None = None
    city: str | None = None
    district: str | None = None


class CustomerIn(StrictIn):
    kind: str | None = None
    name: str | None = None
    credit_code: str | None = None
    industry: str | None = None
    sub_industry: str | None = None
    size: str | None = None
    ownership: str | None = None  # 企业性质: state / private / foreign / other (or 国企, 民企 …)
    region: RegionIn | str | None = None
    region_code: str | int | None = None  # GB/T 2260 (440305); fills province/city/district
    province: str | None = None
    city: str | None = None
    district: str | None = None
    address: str | None = None
    phone: Scalar = None
    mobile: Scalar = None
    email: str | None = None
    source: str | None = None
    first_contact_date: str | None = None
    status: str | None = None
    status_reason: str | None = None
    owner: str | int | None = None
    budget_band: str | None = None
    budget_amount: Decimal | str | None = None
    external_source: str | None = None
    external_id: str | int | None = None
    notes: str | None = None
    decision_maker: DecisionMakerIn | None = None
    allow_duplicate: bool | None = None  # confirm saving despite a probable-duplicate warning
    # {key: value} of the administrator's custom fields (GET /api/v1/custom-fields); a key left
    # out keeps its value, null or "" clears it.
    custom_fields: dict[str, Any] | None = None


class CustomerPatch(CustomerIn):
    customer_no: str | None = None
    version: int | None = Field(
        default=None,
        description="The version you edited (the GET's `version`): 409 if it changed since.",
    )


class StatusIn(StrictIn):
    status: str
    reason: str


class ContactIn(StrictIn):
    name: str | None = None
    gender: str | None = None
    title: str | None = None
    department: str | None = None
    mobile: Scalar = None
    phone: Scalar = None
    landline: Scalar = None
    email: str | None = None
    wechat: str | None = None
    qq: Scalar = None
    address: str | None = None
    contact_type: str | None = None
    decision_role: str | None = None
    is_primary: bool | None = None
    has_left: bool | None = None
    left_on: str | None = None
    custom_fields: dict[str, Any] | None = None  # as CustomerIn.custom_fields


class ContactPatch(ContactIn):
    version: int | None = Field(
        default=None,
        description="The version you edited (the GET's `version`): 409 if it changed since.",
    )


def _user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


class ContactOut(Schema):
    id: int
    version: int
    customer_no: str
    name: str
    name_pinyin: str
    gender: str
    title: str
    department: str
    mobile: str
    mobile_display: str
    landline: str
    email: str
    wechat: str
    qq: str
    address: str
    contact_type: str
    decision_role: str
    is_primary: bool
    has_left: bool
    left_on: date | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_no(obj: Contact) -> str:
        return obj.customer.customer_no

    @staticmethod
    def resolve_custom_fields(obj: Contact, context: Any) -> dict[str, Any]:
        request = (context or {}).get("request")
        out = custom_fields_out(CustomField.Entity.CONTACT, obj.custom_fields, request)
        return custom_out_shown(_user(context), obj.customer, out, request)

    @staticmethod
    def resolve_mobile(obj: Contact, context: Any) -> str:
        return pii_value(_user(context), obj, "mobile")

    @staticmethod
    def resolve_mobile_display(obj: Contact, context: Any) -> str:
        return pii_value(_user(context), obj, "mobile", pretty=True)

    @staticmethod
    def resolve_landline(obj: Contact, context: Any) -> str:
        return pii_value(_user(context), obj, "landline")

    @staticmethod
    def resolve_email(obj: Contact, context: Any) -> str:
        return pii_value(_user(context), obj, "email")

    @staticmethod
    def resolve_wechat(obj: Contact, context: Any) -> str:
        return pii_value(_user(context), obj, "wechat")

    @staticmethod
    def resolve_qq(obj: Contact, context: Any) -> str:
        return pii_value(_user(context), obj, "qq")


class RegionOut(Schema):
    province: str
    city: str
    district: str


class CompletenessOut(Schema):
    score: int
    state: str
    state_label: str
    missing_fields: list[str]
    missing_labels: list[str]


class CustomerOut(Schema):
    customer_no: str
    version: int
    kind: str
    name: str
    credit_code: str
    industry: str | None
    sub_industry: str | None
    size: str
    ownership: str
    region: RegionOut
    region_code: str  # the most specific GB/T 2260 code of region, "" if its names do not resolve
    address: str
    phone: str
    email: str
    source: str | None
    first_contact_date: date | None
    status: str
    status_label: str
    owner: str | None
    owner_name: str | None
    team: str | None
    budget_band: str
    budget_amount: Decimal | None
    budget_amount_band: str
    external_source: str
    external_id: str
    notes: str
    completeness: CompletenessOut
    missing_fields: list[str]
    last_interaction_at: datetime | None
    created_at: datetime
    updated_at: datetime
    decision_maker: ContactOut | None
    custom_fields: dict[str, Any]

    @staticmethod
    def resolve_custom_fields(obj: Customer, context: Any) -> dict[str, Any]:
        request = (context or {}).get("request")
        out = custom_fields_out(CustomField.Entity.CUSTOMER, obj.custom_fields, request)
        return custom_out_shown(_user(context), obj, out, request)

    @staticmethod
    def resolve_industry(obj: Customer) -> str | None:
        return obj.industry.name if obj.industry else None

    @staticmethod
    def resolve_sub_industry(obj: Customer) -> str | None:
        return obj.sub_industry.name if obj.sub_industry else None

    @staticmethod
    def resolve_region(obj: Customer) -> dict[str, str]:
        return {"province": obj.province, "city": obj.city, "district": obj.district}

    @staticmethod
    def resolve_source(obj: Customer) -> str | None:
        return obj.source.name if obj.source else None

    @staticmethod
    def resolve_status_label(obj: Customer) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_phone(obj: Customer, context: Any) -> str:
        return pii_value(_user(context), obj, "phone")

    @staticmethod
    def resolve_email(obj: Customer, context: Any) -> str:
        return pii_value(_user(context), obj, "email")

    @staticmethod
    def resolve_notes(obj: Customer, context: Any) -> str:
        return free_text_shown(_user(context), obj, obj.notes)

    @staticmethod
    def resolve_budget_amount(obj: Customer, context: Any) -> Decimal | None:
        return None if sees_amount_bands(_user(context)) else obj.budget_amount

    @staticmethod
    def resolve_budget_amount_band(obj: Customer) -> str:
        return amount_band(obj.budget_amount)

    @staticmethod
    def resolve_owner(obj: Customer) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_owner_name(obj: Customer) -> str | None:
        return obj.owner.label if obj.owner else None

    @staticmethod
    def resolve_team(obj: Customer) -> str | None:
        return obj.team.name if obj.team else None

    @staticmethod
    def resolve_completeness(obj: Customer) -> dict[str, Any]:
        return {
            "score": obj.completeness,
            "state": obj.quality,
            "state_label": str(obj.get_quality_display()),
            "missing_fields": list(obj.missing_fields),
            "missing_labels": [str(FIELD_LABELS.get(f, f)) for f in obj.missing_fields],
        }

    @staticmethod
    def resolve_decision_maker(obj: Customer) -> Contact | None:
        makers = getattr(obj, "decision_makers", None)
        if makers is None:
            makers = [
                c
                for c in obj.contacts.all()
                if c.decision_role == Contact.DecisionRole.DECISION_MAKER and not c.has_left
            ]
        return makers[0] if makers else None


class CustomerPage(Paged):
    items: list[CustomerOut]
    total: int = Field(description="Customers matching the filters, counted up to 1,000")
    total_is_capped: bool = Field(description="True when there are more than `total`")


class ContactPage(Paged):
    items: list[ContactOut]


class IndustryOut(Schema):
    id: int
    name: str
    parent: str | None
    children: list[str]


class DivisionOut(Schema):
    """One administrative division (kehu.core.regions)."""

    code: str = Field(description="GB/T 2260, six digits: 440000, 440300, 440305")
    name: str
    level: str = Field(description="province, city or district")
    has_children: bool


class SourceOut(Schema):
    id: int
    name: str
    code: str
    is_active: bool


class SourceIn(StrictIn):
    name: str
    code: str


class HistoryChangeOut(Schema):
    """One changed field as people read it: its label, display values (names, not ids)."""

    field: str
    label: str
    before: str
    after: str


class HistoryOut(Schema):
    id: int
    created_at: datetime
    actor: str  # the username
    actor_name: str  # the name people read
    action: str
    action_label: str  # the action as people read it, in the request's language
    target: str
    changes: dict[str, Any]  # as stored: {field: [before, after]}
    changes_shown: list[HistoryChangeOut]
    note: str
    note_label: str  # the system's own notes in the request's language
    source: str
    source_label: str


class HistoryPage(Paged):
    items: list[HistoryOut]


def label_for_missing(field: str) -> str:
    return _(str(FIELD_LABELS.get(field, field)))


class CustomerDetailOut(CustomerOut):
    """One customer: also its value (kehu.value, issue 17) — {rfm: {r, f, m, score}, octant,
    grade, lifecycle, computed_at}, null before its first computation."""

    value: dict[str, Any] | None

    @staticmethod
    def resolve_value(obj: Customer) -> dict[str, Any] | None:
        try:
            row = obj.value  # the reverse of value.CustomerValue
        except ObjectDoesNotExist:
            return None
        return {
            "rfm": {"r": row.r, "f": row.f, "m": row.m, "score": row.rfm_score},
            "octant": row.octant,
            "grade": row.grade,
            "lifecycle": row.lifecycle,
            "interaction_level": row.interaction_level,
            "repurchase_level": row.repurchase_level,
            "computed_at": row.computed_at,
        }
