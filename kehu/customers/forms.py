"""Customer pages' forms. Their rules are the services' rules: clean() asks customer_clean."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import Role, User
from kehu.contacts.selectors import decision_maker_of
from kehu.core.edit_conflicts import form_base
from kehu.core.errors import ValidationFailed
from kehu.core.regions import is_region_code, region_children, region_get, region_path
from kehu.core.validators import format_phone

from .custom_field_forms import (
    add_custom_fields,
    custom_bound_fields,
    custom_error_aliases,
    custom_payload,
)
from .models import Customer, CustomField, Industry, Source
from .services import customer_clean

BLANK: list[tuple[str, Any]] = [("", "—")]


def owner_choices(actor: User, current: User | None = None) -> list[tuple[str, str]]:
    """Who this actor may make the owner: a rep only themself, a manager their team, else all."""
    users = User.objects.filter(is_active=True, role__in=(Role.REP, Role.MANAGER))
    if actor.role == Role.REP:
        users = users.filter(pk=actor.pk)
    elif actor.role == Role.MANAGER and actor.team_id:
        users = users.filter(team_id=actor.team_id)
    if current is not None:
        users = User.objects.filter(Q(pk__in=users.values("pk")) | Q(pk=current.pk))
    choices = [(str(u.pk), u.label) for u in users.order_by("username")]
    return choices if actor.role == Role.REP else BLANK + choices


def industry_choices() -> tuple[list[tuple[str, str]], list[tuple[str, Any]]]:
    """(top-level choices, sub-industry choices grouped by top level), values by name."""
    industries = list(Industry.objects.filter(is_active=True).select_related("parent"))
    tops = [i for i in industries if i.parent_id is None]
    groups: dict[int, list[tuple[str, str]]] = {}
    for industry in industries:
        if industry.parent_id and industry.parent:
            value = f"{industry.parent.name} › {industry.name}"
            groups.setdefault(industry.parent_id, []).append((value, industry.name))
    subs: list[tuple[str, Any]] = list(BLANK)
    subs += [(top.name, groups[top.pk]) for top in tops if top.pk in groups]
    return BLANK + [(t.name, t.name) for t in tops], subs


# "去补全": a missing field (Customer.missing_fields) -> the form fields that fill it in.
COMPLETE_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "industry": ("industry", "sub_industry"),
    "size": ("size",),
    "decision_maker_name": ("dm_name",),
    "decision_maker_title": ("dm_title",),
    "decision_maker_phone": ("dm_mobile",),
    "source": ("source",),
    "first_contact_date": ("first_contact_date",),
    "status": ("status", "status_reason"),
    "owner": ("owner",),
    "address": ("address",),
    "region": ("province", "city", "district"),
    "credit_code": ("credit_code",),
    "budget": ("budget_amount",),
    "email": ("email",),
    "phone_unusable": ("phone",),
    "full_name": ("name",),
}


DECISION_MAKER_LABELS = {
    "dm_name": _("decision maker's name"),
    "dm_title": _("decision maker's title"),
    "dm_mobile": _("decision maker's phone"),
}


def sub_industry_choices_of(industry: str) -> list[tuple[str, Any]]:
    """The sub-industry choices under one top-level industry (all of them, grouped, when it is
    empty or unknown): what the form offers once an industry is chosen."""
    _tops, subs = industry_choices()
    for value, group in subs:
        if value == industry and isinstance(group, list):
            return list(BLANK) + group
    return subs


REGION_FIELDS = ("province", "city", "district")
REGION_LABELS = (_("province"), _("city"), _("district"))


def region_options(parent: str) -> list[tuple[str, str]]:
    """A picker level's choices: the divisions under parent ("" -> the provinces), by code."""
    return BLANK + [(r.code, r.name) for r in region_children(parent)]


def region_picker(values: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The (selected value, choices) of the 省 › 市 › 区 selects for the values chosen so far:
    each level offers the divisions under the level above (nothing until that is chosen). A
    value that is not a code (a name no division matches, kept as written) stays a choice."""
    levels = []
    parent: str | None = ""  # None: the level above is not a known division
    for value in values:
        choices = region_options(parent) if parent is not None else list(BLANK)
        if value and not is_region_code(value):
            choices.append((value, value))
        region = region_get(value) if value else None
        if region is not None and region.code not in dict(choices):
            region, value = None, ""  # left from another province (a page without JavaScript)
        levels.append((value, choices))
        parent = region.code if region is not None else None
    return levels


def source_choices() -> list[tuple[str, str]]:
    return BLANK + [(s.name, s.name) for s in Source.objects.filter(is_active=True)]


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationFailed, aliases: dict[str, str]
) -> None:
    """Put each service error on its form field ('decision_maker.mobile' -> dm_mobile)."""
    for key, messages in exc.errors.items():
        name = aliases.get(key, key)
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, f"{key}: {message}" if key not in ("contact",) else message)


class CustomerForm(forms.Form):
    """Create or edit a customer. Values stay text: the services parse 8万, 2026年3月5日, …"""

    ERROR_ALIASES = {
        "mobile": "phone",
        "decision_maker.name": "dm_name",
        "decision_maker.title": "dm_title",
        "decision_maker.mobile": "dm_mobile",
        "decision_maker.phone": "dm_mobile",
        "decision_maker.landline": "dm_mobile",
        "decision_maker.email": "dm_email",
        "decision_maker.wechat": "dm_wechat",
        "region_code": "district",
    }
    SERVICE_FIELDS = (
        "kind", "name", "credit_code", "industry", "sub_industry", "size", "province", "city",
        "district", "address", "phone", "email", "source", "first_contact_date", "status",
        "owner", "budget_band", "budget_amount", "notes", "ownership",
    )  # fmt: skip

    kind = forms.ChoiceField(label=_("kind"), choices=Customer.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    credit_code = forms.CharField(
        label=_("unified social credit code"), required=False, max_length=40
    )
    industry = forms.ChoiceField(label=_("industry"), required=False)
    sub_industry = forms.ChoiceField(label=_("sub-industry"), required=False)
    size = forms.ChoiceField(label=_("size"), required=False, choices=BLANK + Customer.Size.choices)
    ownership = forms.ChoiceField(
        label=_("ownership"), required=False, choices=BLANK + Customer.Ownership.choices
    )
    # 省 › 市 › 区 by GB/T 2260 code (kehu.core.regions); each level's choices follow the one
    # above (htmx: /dictionaries/regions/, or the "show" button without JavaScript).
    province = forms.ChoiceField(label=_("province"), required=False)
    city = forms.ChoiceField(label=_("city"), required=False)
    district = forms.ChoiceField(label=_("district"), required=False)
    address = forms.CharField(label=_("address"), required=False, max_length=300)
    phone = forms.CharField(
        label=_("phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("email"), required=False, max_length=254, widget=forms.EmailInput()
    )
    source = forms.ChoiceField(label=_("source"), required=False)
    first_contact_date = forms.CharField(
        label=_("first contact date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(label=_("status"), choices=Customer.Status.choices)
    allow_duplicate = forms.BooleanField(
        label=_("Save anyway: this is not the same customer"), required=False
    )
    status_reason = forms.CharField(
        label=_("reason for the status change"),
        required=False,
        max_length=500,
        help_text=_("Required when the status changes."),
    )
    owner = forms.ChoiceField(label=_("owner"), required=False)
    budget_band = forms.ChoiceField(
        label=_("budget band"), required=False, choices=BLANK + Customer.BudgetBand.choices
    )
    budget_amount = forms.CharField(
        label=_("annual budget"),
        required=False,
        help_text=_("In yuan, e.g. 80000 or 8万."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    dm_name = forms.CharField(label=_("full name"), required=False, max_length=100)
    dm_title = forms.CharField(label=_("title"), required=False, max_length=100)
    dm_mobile = forms.CharField(
        label=_("mobile"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    dm_email = forms.CharField(
        label=_("email"), required=False, max_length=254, widget=forms.EmailInput()
    )
    dm_wechat = forms.CharField(label=_("WeChat"), required=False, max_length=64)
    # Optimistic locking (kehu.core.versioning): the version the form was opened at, and its
    # values then (kehu.core.edit_conflicts merges them with the record's after a conflict).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    base = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        actor: User,
        customer: Customer | None = None,
        complete: bool = False,
        **kwargs: Any,
    ):
        self.actor = actor
        self.customer = customer
        self.shown: list[str] = []  # with complete: the missing fields' form fields
        if customer is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(customer)
            kwargs["initial"]["version"] = customer.version
            kwargs["initial"]["base"] = form_base(kwargs["initial"], self.SERVICE_FIELDS)
        super().__init__(*args, **kwargs)
        self.custom_fields = add_custom_fields(
            self, CustomField.Entity.CUSTOMER, customer.custom_fields if customer else None
        )
        tops, subs = industry_choices()
        cast(forms.ChoiceField, self.fields["industry"]).choices = tops
        chosen = str(self.data.get("industry") or self.initial.get("industry") or "")
        if chosen:  # only the chosen industry's sub-industries
            subs = sub_industry_choices_of(chosen)
        cast(forms.ChoiceField, self.fields["sub_industry"]).choices = subs
        if customer is not None and "notes" in self.fields:  # @colleague autocompletes
            self.fields["notes"].widget.attrs["data-mention"] = customer.customer_no
        self.fields["industry"].widget.attrs.update(
            {
                "hx-get": reverse("sub-industry-options"),
                "hx-target": "#id_sub_industry",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
            }
        )
        self._region_picker()
        cast(forms.ChoiceField, self.fields["source"]).choices = source_choices()
        cast(forms.ChoiceField, self.fields["owner"]).choices = owner_choices(
            actor, customer.owner if customer else None
        )
        if customer is None:
            self.initial.setdefault(
                "owner", str(actor.pk) if actor.role in (Role.REP, Role.MANAGER) else ""
            )
            del self.fields["status_reason"]
        else:
            missing = set(customer.missing_fields or []) if complete else set()
            if "full_name" in missing:  # an abbreviation (腾讯): the form asks for the full name
                self.fields["name"].help_text = _(
                    "Use the registered full name, as on the business licence."
                )
            if any(m.startswith("decision_maker") for m in missing):
                self._decision_maker_initial(customer)  # completed here, through the service
                for name, label in DECISION_MAKER_LABELS.items():  # no fieldset says whose
                    self.fields[name].label = label
            else:
                for name in [n for n in self.fields if n.startswith("dm_")]:
                    del self.fields[name]
            self.shown = [
                name
                for field in (customer.missing_fields or [])
                for name in COMPLETE_FIELDS.get(field, ())
                if name in self.fields
            ]
            if complete:  # custom fields ride along hidden: never a refusal the page hides
                for name in self.fields:
                    if name.startswith("cf_"):
                        self.fields[name].required = False

    def _region_picker(self) -> None:
        source = self.data if self.is_bound else self.initial
        values = [str(source.get(name) or "").strip() for name in REGION_FIELDS]
        for name, (_value, choices) in zip(REGION_FIELDS, region_picker(values), strict=True):
            cast(forms.ChoiceField, self.fields[name]).choices = choices
        url = reverse("region-options")
        for name, below, reset in (
            ("province", "city", "?reset=id_district"),
            ("city", "district", ""),
        ):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": url + reset,
                    "hx-target": f"#id_{below}",
                    "hx-swap": "innerHTML",
                    "hx-trigger": "change",
                }
            )

    def _region_payload(self) -> dict[str, str]:
        """The chosen codes as region_code (the most specific); a kept name goes as names."""
        values = [str(self.cleaned_data.get(name) or "") for name in REGION_FIELDS]
        chosen = [v for v in values if v]
        if all(is_region_code(v) for v in chosen):
            return {"region_code": chosen[-1] if chosen else ""}
        names = {}
        for name, value in zip(REGION_FIELDS, values, strict=True):
            region = region_get(value) if is_region_code(value) else None
            names[name] = region.stored_name if region is not None else value
        return names

    def _decision_maker_initial(self, customer: Customer) -> None:
        maker = decision_maker_of(list(customer.contacts.all()))
        if maker is None:
            return
        for key in ("name", "title", "email", "wechat"):
            self.initial.setdefault(f"dm_{key}", getattr(maker, key) or "")
        self.initial.setdefault("dm_mobile", format_phone(maker.mobile or maker.landline or ""))

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        initial = {name: getattr(customer, name) for name in ("kind", "name", "credit_code", "size", "ownership",
                   "province", "city", "district", "address", "phone", "email", "status",
                   "budget_band", "notes")}  # fmt: skip
        initial["phone"] = format_phone(customer.phone)
        path = region_path(customer.region_code) if customer.region_code else []
        for name, region in zip(REGION_FIELDS, path, strict=False):
            initial[name] = region.code  # below the code: the names as kept
        initial["industry"] = customer.industry.name if customer.industry else ""
        sub = customer.sub_industry
        initial["sub_industry"] = f"{sub.parent.name} › {sub.name}" if sub and sub.parent else ""
        initial["source"] = customer.source.name if customer.source else ""
        initial["owner"] = str(customer.owner_id or "")
        initial["first_contact_date"] = (
            customer.first_contact_date.isoformat() if customer.first_contact_date else ""
        )
        initial["budget_amount"] = (
            "" if customer.budget_amount is None else f"{customer.budget_amount:f}"
        )
        return initial

    @property
    def has_decision_maker(self) -> bool:
        return "dm_name" in self.fields

    @property
    def custom_bound_fields(self) -> list[forms.BoundField]:
        return custom_bound_fields(self)

    def payload(self) -> dict[str, Any]:
        """The service payload: every customer field; a decision maker if any of it was given."""
        data = {name: self.cleaned_data.get(name, "") for name in self.SERVICE_FIELDS}
        for name in REGION_FIELDS:
            data.pop(name)
        data.update(self._region_payload())
        if self.customer is None and not data["owner"]:
            data.pop("owner")  # the service makes a rep or manager the owner
        if self.customer is not None:
            data["status_reason"] = self.cleaned_data.get("status_reason", "")
            if data["status"] == self.customer.status:
                data.pop("status_reason")
        if self.has_decision_maker:
            maker = {
                key: self.cleaned_data.get(f"dm_{key}", "")
                for key in ("name", "title", "mobile", "email", "wechat")
            }
            if any(maker.values()):
                data["decision_maker"] = maker
        if self.custom_fields:
            current = self.customer.custom_fields if self.customer is not None else None
            data["custom_fields"] = custom_payload(self, self.custom_fields, current)
        return data

    def clean(self) -> dict[str, Any] | None:
        """The form's own checks, then the service's rules on what passed them, so that every
        error shows in one round (a missing name does not hide a bad credit code)."""
        cleaned = super().clean()
        failed = set(self.errors)
        try:
            customer_clean(self.payload(), actor=self.actor)
        except ValidationFailed as exc:
            if failed:  # only what the form has not already said, about fields it let through
                aliases = {**self.ERROR_ALIASES, **custom_error_aliases(self.custom_fields)}
                reach = {"phone", "email", "dm_mobile", "dm_email", "dm_wechat"}
                exc = ValidationFailed(
                    {
                        key: messages
                        for key, messages in exc.errors.items()
                        if aliases.get(key, key) not in failed
                        and not (key == "contact" and failed & reach)
                    }
                )
            if exc.errors:
                self.add_service_errors(exc)
        return cleaned

    def add_service_errors(self, exc: ValidationFailed) -> None:
        aliases = {**self.ERROR_ALIASES, **custom_error_aliases(self.custom_fields)}
        apply_service_errors(self, exc, aliases)
